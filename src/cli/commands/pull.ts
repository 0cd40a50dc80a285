import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import { progress, withDatabase, writeOutput } from '../command-support.ts';
import { loadPolicy } from '../../policy/load-policy.ts';
import { formatPath } from '../../policy/policy-path.ts';
import { renderPolicyFile } from '../../policy/policy-file-writer.ts';
import type { Policy } from '../../policy/policy-types.ts';
import { pullPolicy } from '../../policy/pull-policy.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet pull`: write the policy the catalog holds to a file. */
export function pullCommand(): Command {
  const command = new Command('pull')
    .description("write a policy file from the database's catalog (the inverse of apply)")
    .option('--out <file>', 'file to write (.ts or .json); - for standard output (default: integritet.config.ts, or standard output when it is redirected)')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['ts', 'json']))
    .option('--force', 'replace the file if it exists (its purposes, legal bases and controller are kept)')
    .option('--import-from <module>', 'where a .ts file imports definePolicy from', 'integritet');
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Purposes, legal bases and the controller are not stored in the database: when --out names an
existing policy file, they are carried over from it.

Examples:
  $ integritet pull > integritet.config.ts
  $ integritet pull --out integritet.config.ts
  $ integritet pull --out - --format json > policy.json
  $ integritet pull --force   # refresh the file after changes made in SQL`)
    .action(async (given: { out?: string; format?: 'ts' | 'json'; force?: boolean; importFrom: string; databaseUrl?: string }) => {
      // `pull > file` is what a shell user types: the shell has made the file (empty) already,
      // so writing it here would refuse it, and writing anywhere else would leave it empty.
      const options = { ...given, out: given.out ?? (process.stdout.isTTY ? 'integritet.config.ts' : '-') };
      const url = databaseUrl(options);
      const format = options.format ?? (extname(options.out) === '.json' ? 'json' : 'ts');
      let existing: Policy | undefined;
      if (options.out !== '-' && existsSync(options.out) && options.force) existing = await loadPolicy(options.out);
      const pulled = await withDatabase(url, (db) => pullPolicy(db, { existing }));
      const comments = new Map<string, string[]>();
      for (const [key, columns] of pulled.unclassified) {
        comments.set(formatPath(['tables', key, 'columns']), [`not classified in the catalog (treated as personal): ${columns.join(', ')}`]);
      }
      const text = renderPolicyFile(pulled.policy, {
        format, importFrom: options.importFrom, comments,
        header: ['Pulled from the integritet catalog. Review, then check with `integritet plan`.'],
      });
      const where = await writeOutput(options.out, text, options.force ?? false);
      for (const warning of pulled.warnings) console.error(`warning: ${warning}`);
      const tables = Object.keys(pulled.policy.tables).length;
      if (where !== 'standard output') console.log(`Wrote ${where}: ${tables} tables, ${Object.keys(pulled.policy.subjects ?? {}).length} subject types.`);
      else progress(`${tables} tables`);
    });
}
