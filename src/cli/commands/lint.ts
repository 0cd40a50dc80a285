import { Command, Option } from 'commander';
import { policyFromOptions, printJson, withDatabase, withPolicyOption } from '../command-support.ts';
import { formatLint } from '../../policy/lint/format-lint.ts';
import { lintDatabase } from '../../policy/lint/lint-database.ts';
import { terminalStyle } from '../../terminal/terminal-style.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet lint`: findings for CI. */
export function lintCommand(): Command {
  const command = new Command('lint')
    .description('find unclassified columns, unprotected personal tables, missing retention and drift from the policy file')
    .option('--strict', 'exit 1 when there is any finding (for CI)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--json', 'same as --format json');
  withPolicyOption(command, false);
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Rules: unclassified-column, unprotected-personal-table (error); no-retention, stale-declaration
(warning); with --policy also policy-drift and policy-invalid (error).
Exit codes: 0 no findings (or findings without --strict), 1 findings with --strict or a failure,
2 bad usage.

Examples:
  $ integritet lint
  $ integritet lint --strict --policy integritet.config.ts     # in CI
  $ integritet lint --format json | jq '.findings[] | select(.severity == "error")'`)
    .action(async (options: { strict?: boolean; format: 'text' | 'json'; json?: boolean; policy?: string; databaseUrl?: string }) => {
      const url = databaseUrl(options);
      const policy = options.policy ? (await policyFromOptions(options, true)).policy : undefined;
      const result = await withDatabase(url, (db) => lintDatabase(db, { policy }));
      if (options.json || options.format === 'json') printJson(result);
      else console.log(formatLint(result, terminalStyle(process.stdout)));
      // EXIT.failed of main.ts (not imported: importing main.ts would run the program).
      if (options.strict && result.findings.length > 0) process.exitCode = 1;
    });
}
