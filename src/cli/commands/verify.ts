import { Command } from 'commander';
import { openClient } from '../../database/open-client.ts';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** One finding of `privacy.verify()`. */
export interface Finding {
  severity: 'high' | 'medium' | 'low';
  check: string;
  object: string;
  message: string;
}

const ORDER = { high: 0, medium: 1, low: 2 } as const;

/** `integritet verify`: the self-check; exits 1 when any finding is of high severity. */
export function verifyCommand(): Command {
  return withDatabaseUrl(new Command('verify'))
    .description('check roles, privileges and generated objects for anything that weakens the protection')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 no high-severity finding, 1 at least one (or an error).\n\nExample:\n  $ integritet verify --json')
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const client = await openClient(databaseUrl(options), { applicationName: 'integritet verify' });
      let findings: Finding[];
      try {
        const { rows } = await client.query<{ severity: Finding['severity']; check_name: string; object: string; message: string }>(
          'select severity, check_name, object, message from privacy.verify()');
        findings = rows
          .map((r) => ({ severity: r.severity, check: r.check_name, object: r.object, message: r.message }))
          .sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.check.localeCompare(b.check));
      } catch (error) {
        throw toPrivacyError(error);
      } finally {
        await client.end().catch(() => undefined);
      }
      if (options.json) {
        console.log(JSON.stringify(findings, null, 2));
      } else if (findings.length === 0) {
        console.log('no findings');
      } else {
        console.log(textTable(['severity', 'check', 'object', 'what to do'],
          findings.map((f) => [f.severity, f.check, f.object, f.message])));
      }
      if (findings.some((f) => f.severity === 'high')) process.exitCode = 1;
    });
}
