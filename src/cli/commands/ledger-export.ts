import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { exportLegalState } from '../../ledger/legal-state-file.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/**
 * `integritet ledger export`: the ledger, holds, restrictions, erased rows and subject requests
 * as JSON, to keep before `migrate down` drops them (restored by `integritet ledger import`).
 */
export function ledgerExportCommand(): Command {
  return withDatabaseUrl(new Command('export'))
    .description('write the ledger, holds, restrictions and subject requests as JSON (before an uninstall)')
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText('after', '\nThe file holds personal data (subject ids, hold notes): keep it as safe as the database.\n' +
      '\nExample:\n  $ integritet ledger export --out legal-state.json')
    .action(async (options: { out?: string; databaseUrl?: string }) => {
      const state = await exportLegalState(databaseUrl(options));
      const text = `${JSON.stringify(state, null, 2)}\n`;
      if (!options.out) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(options.out, text, { flag: 'wx', mode: 0o600 });
      console.log(`Wrote ${options.out} (ledger entries: ${state.ledger.length}, holds: ${state.hold.length}, ` +
        `restricted rows: ${state.restricted_row.length}, subject requests: ${state.subject_request.length})`);
    });
}
