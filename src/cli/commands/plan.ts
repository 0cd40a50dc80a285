import { Command } from 'commander';
import { progress, policyFromOptions, printJson, withDatabase, withPolicyOption } from '../command-support.ts';
import { formatPlan, planAsJson } from '../../policy/format-plan.ts';
import { planPolicy } from '../../policy/plan-policy.ts';
import { terminalStyle } from '../../terminal/terminal-style.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet plan`: what `apply` would change in the catalog, and nothing else. */
export function planCommand(): Command {
  const command = new Command('plan')
    .description("show the difference between the policy file and the database's catalog (reads only)")
    .option('--json', 'print the plan as JSON')
    .option('--no-prune', 'leave out removals of what only the database declares');
  withPolicyOption(command, true);
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Checks the policy against the real schema first: a table, column, category, strategy, minimum,
interval or time zone that does not exist is reported at its path, with the nearest name. Each
declared anonymize strategy is then checked against its column's NOT NULL, CHECK (domains too),
UNIQUE and foreign keys (on sample rows, rolled back): one a constraint refuses is an error naming
the constraint and a strategy that passes, and plan exits 1 (apply would refuse it).

Examples:
  $ integritet plan
  $ integritet plan --policy examples/tracking/integritet.config.ts --database-url postgres://localhost/app
  $ integritet plan --json | jq '.summary'`)
    .action(async (options: { json?: boolean; prune: boolean; policy?: string; databaseUrl?: string }) => {
      const url = databaseUrl(options);
      const { file, policy } = await policyFromOptions(options, true);
      progress(`planning ${file}`);
      const plan = await withDatabase(url, (db) => planPolicy(db, policy, { prune: options.prune }));
      if (options.json) printJson(planAsJson(plan));
      else console.log(formatPlan(plan, terminalStyle(process.stdout)));
      if (plan.errors.length > 0) process.exitCode = 1;
    });
}
