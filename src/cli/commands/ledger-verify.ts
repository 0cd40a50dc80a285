import { Command } from 'commander';
import { openClient } from '../../database/open-client.ts';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** One break in the ledger's hash chain, as `privacy.verify_ledger()` reports it. */
export interface LedgerProblem {
  problem: 'altered' | 'missing' | 'broken_link' | 'unchained' | 'missing_tail';
  chainSeq: string | null;
  ledgerId: string | null;
  message: string;
}

/** What `integritet ledger verify` found. */
export interface LedgerVerification {
  intact: boolean;
  entries: number;
  /** The last place of the chain and its hash (hex): keep it elsewhere to compare with a later run. */
  head: { seq: string; hash: string };
  problems: LedgerProblem[];
}

/** `integritet ledger verify`: walks the ledger's hash chain; exit 1 when an entry was tampered with. */
export function ledgerVerifyCommand(): Command {
  return withDatabaseUrl(new Command('verify'))
    .description('check that no ledger entry was altered, deleted or reordered (the hash chain), even by a superuser')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Each entry carries the hash of the entry before it and of its own content, so an entry changed
past the append-only trigger breaks the chain at that point. The line printed when the ledger is
intact ends with the chain's head hash: keep it outside the database (a ticket, the backup log),
since only a copy elsewhere shows a chain rewritten from the start. Connect as the toolkit's
owner or a member of privacy_admin.

Exit codes: 0 intact; 1 tampered with (each break is listed), or an error.

Example:
  $ integritet ledger verify`)
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const result = await verifyLedger(databaseUrl(options));
      if (options.json) {
        console.log(JSON.stringify(result, null, 2));
      } else if (result.intact) {
        console.log(`ledger intact: ${result.entries} entries, chain head ${result.head.seq} sha256:${result.head.hash}`);
      } else {
        console.log(textTable(['problem', 'chain place', 'entry', 'what'],
          result.problems.map((p) => [p.problem, p.chainSeq ?? '-', p.ledgerId ?? '-', p.message])));
        console.log(`\nledger tampered with: ${result.problems.length} ${result.problems.length === 1 ? 'break' : 'breaks'} in the hash chain`);
      }
      if (!result.intact) process.exitCode = 1;
    });
}

/** Runs `privacy.verify_ledger()` and reads the chain's head. */
export async function verifyLedger(url: string): Promise<LedgerVerification> {
  const client = await openClient(url, { applicationName: 'integritet ledger verify' });
  try {
    // One snapshot for the walk and the counts.
    await client.query('begin transaction isolation level repeatable read read only');
    const { rows } = await client.query<{ problem: LedgerProblem['problem']; chain_seq: string | null; ledger_id: string | null; message: string }>(
      'select problem, chain_seq::text, ledger_id::text, message from privacy.verify_ledger()');
    const { rows: [head] } = await client.query<{ entries: number; seq: string; hash: string }>(
      `select (select count(*)::int from privacy.ledger) as entries, h.last_seq::text as seq,
              pg_catalog.encode(h.last_hash, 'hex') as hash
         from privacy.ledger_chain_head h`);
    await client.query('commit');
    return {
      intact: rows.length === 0,
      entries: head?.entries ?? 0,
      head: { seq: head?.seq ?? '0', hash: head?.hash ?? '' },
      problems: rows.map((r) => ({ problem: r.problem, chainSeq: r.chain_seq, ledgerId: r.ledger_id, message: r.message })),
    };
  } catch (error) {
    throw toPrivacyError(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
