import type pg from 'pg';
import { MigrationError } from '../errors/privacy-error.ts';

/** Records the law makes the controller keep, counted as a down step would drop them. */
export interface LegalStateCounts {
  ledgerEntries: number;
  holds: number;
  restrictedRows: number;
  subjectRequests: number;
}

// Which versioned step drops which record: 0001 the ledger and the holds, 0004 the holds' history
// and the columns a debt hold is computed from, 0005 restrictions and subject requests.
const DROPPED_BY: Record<string, (keyof LegalStateCounts)[]> = {
  '0001-privacy-catalog': ['ledgerEntries', 'holds'],
  '0004-retention': ['holds'],
  '0005-subjects': ['restrictedRows', 'subjectRequests'],
};

const COUNT_SQL: Record<keyof LegalStateCounts, [table: string, sql: string]> = {
  // Not counting the record of the reference data (categories, strategies, statutory minimums),
  // which every install writes: an uninstall right after an install drops nothing anyone must keep.
  ledgerEntries: ['privacy.ledger', `select count(*)::int as n from privacy.ledger
                                     where pg_catalog.split_part(action, '.', 1) not in ('category', 'strategy', 'statutory_minimum')`],
  holds: ['privacy.hold', 'select count(*)::int as n from privacy.hold'],
  restrictedRows: ['privacy.restricted_row', 'select count(*)::int as n from privacy.restricted_row'],
  subjectRequests: ['privacy.subject_request', 'select count(*)::int as n from privacy.subject_request'],
};

const LABEL: Record<keyof LegalStateCounts, [one: string, many: string]> = {
  ledgerEntries: ['ledger entry', 'ledger entries'],
  holds: ['hold', 'holds'],
  restrictedRows: ['restricted row', 'restricted rows'],
  subjectRequests: ['subject request', 'subject requests'],
};

/** How many ledger entries, holds, restricted rows and requests reverting `steps` would drop. */
export async function legalStateDroppedBy(client: pg.ClientBase, steps: string[]): Promise<LegalStateCounts> {
  const counts: LegalStateCounts = { ledgerEntries: 0, holds: 0, restrictedRows: 0, subjectRequests: 0 };
  const kinds = new Set(steps.flatMap((step) => DROPPED_BY[step] ?? []));
  for (const kind of kinds) {
    const [table, sql] = COUNT_SQL[kind];
    const exists = await client.query<{ e: boolean }>('select to_regclass($1) is not null as e', [table]);
    if (exists.rows[0]?.e) counts[kind] = (await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  }
  return counts;
}

/**
 * Refuses (`LEGAL_STATE_WOULD_BE_DROPPED`) a down run that would drop any of these records, with
 * their counts and how to export them first; `--force` skips this.
 */
export function refuseToDropLegalState(counts: LegalStateCounts, steps: string[]): void {
  const lost = (Object.keys(counts) as (keyof LegalStateCounts)[]).filter((k) => counts[k] > 0);
  if (lost.length === 0) return;
  const what = lost.map((k) => `${counts[k]} ${LABEL[k][counts[k] === 1 ? 0 : 1]}`).join(', ');
  throw new MigrationError(
    `reverting ${steps.join(', ')} would drop ${what}; nothing was reverted`,
    {
      code: 'LEGAL_STATE_WOULD_BE_DROPPED',
      object: steps.at(-1),
      hint: 'Export them first with `integritet ledger export --out legal-state.json` (restored by ' +
        '`integritet ledger import legal-state.json` after a new install), then run again with --force.',
    },
  );
}
