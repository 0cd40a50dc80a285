import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { InvalidDeclarationError } from '../../errors/privacy-error.ts';
import { importLegalState } from '../../ledger/legal-state-file.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** `integritet ledger import FILE`: restores an export of `ledger export` into a new install. */
export function ledgerImportCommand(): Command {
  return withDatabaseUrl(new Command('import'))
    .description('restore the ledger, holds, restrictions and subject requests of `ledger export` into a new install')
    .argument('<file>', 'a file written by integritet ledger export')
    .addHelpText('after', '\nRun it after `migrate up` and `apply` (the subject types must be declared), as the installing role.\n' +
      '\nExample:\n  $ integritet ledger import legal-state.json')
    .action(async (file: string, options: { databaseUrl?: string }) => {
      let state: unknown;
      try {
        state = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new InvalidDeclarationError(`${file}: cannot read it as JSON: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'INVALID_LEGAL_STATE', object: file, cause: error });
      }
      const restored = await importLegalState(databaseUrl(options), state);
      console.log(textTable(['record', 'restored'], restored.map((r) => [r.record, String(r.restored)])));
    });
}
