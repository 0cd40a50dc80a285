import { Command } from 'commander';
import { applyPolicy } from '../../policy/apply-policy.ts';
import { progress, policyFromOptions, printJson, withDatabase, withPolicyOption } from '../command-support.ts';
import { formatPlan, planAsJson } from '../../policy/format-plan.ts';
import { terminalStyle } from '../../terminal/terminal-style.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet apply`: make the catalog what the policy file declares, all or nothing. */
export function applyCommand(): Command {
  const command = new Command('apply')
    .description('apply the policy file to the catalog in one transaction: all of it, or on any error nothing')
    .option('--json', 'print what was applied as JSON')
    .option('--no-prune', 'keep what only the database declares instead of removing it');
  withPolicyOption(command, true);
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Every change goes through the SQL declaration API (privacy.classify_column, protect_table, …), so
the database validates it and writes it to the ledger. Needs a member of privacy_admin.

Examples:
  $ integritet plan && integritet apply
  $ integritet apply --policy integritet.config.json --database-url "$ADMIN_DATABASE_URL"`)
    .action(async (options: { json?: boolean; prune: boolean; policy?: string; databaseUrl?: string }) => {
      const url = databaseUrl(options);
      const { file, policy } = await policyFromOptions(options, true);
      let done = 0;
      const result = await withDatabase(url, (db) =>
        applyPolicy(db, policy, {
          prune: options.prune,
          onChange: (change) => {
            done += 1;
            progress(`  ${done} ${change.action} ${change.kind} ${change.object}`);
          },
          onWait: (line) => {
            done = 0;
            console.error(line);
          },
        }));
      if (options.json) {
        printJson({ file, applied: (planAsJson(result.plan) as { changes: unknown[] }).changes, summary: result.plan.summary });
        return;
      }
      const style = terminalStyle(process.stdout);
      if (result.plan.changes.length === 0) {
        console.log(style.green('Nothing to apply: the catalog already matches the policy.'));
        return;
      }
      console.log(formatPlan(result.plan, style));
      const { add, change, remove } = result.plan.summary;
      console.log(style.green(`\nApplied ${file}: ${add} added, ${change} changed, ${remove} removed, in one transaction.`));
    });
}
