#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { PrivacyError } from '../errors/privacy-error.ts';
import { packageVersion } from '../package-version.ts';
import { applyCommand } from './commands/apply.ts';
import { copyCommand } from './commands/copy.ts';
import { demoCommand } from './commands/demo.ts';
import { discoverCommand } from './commands/discover.ts';
import { dumpCommand } from './commands/dump.ts';
import { ledgerExportCommand } from './commands/ledger-export.ts';
import { ledgerImportCommand } from './commands/ledger-import.ts';
import { ledgerVerifyCommand } from './commands/ledger-verify.ts';
import { lintCommand } from './commands/lint.ts';
import { migrateCommand } from './commands/migrate.ts';
import { planCommand } from './commands/plan.ts';
import { pullCommand } from './commands/pull.ts';
import { reportCommand } from './commands/report.ts';
import { sqlCommand } from './commands/sql.ts';
import { statusCommand } from './commands/status.ts';
import { subjectCommand } from './commands/subject.ts';
import { sweepCommand } from './commands/sweep.ts';
import { syncCommand } from './commands/sync.ts';
import { verifyCommand } from './commands/verify.ts';
import { workerCommand } from './commands/worker.ts';
import { checkDatabaseOption } from './database-check.ts';

/** Exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const program = new Command('integritet')
  .description('Privacy by default for PostgreSQL: masked reads, tenant isolation, lawful retention.')
  .version(packageVersion(), '-V, --version', 'print the version')
  // -v as well, as many tools take it; commander's version option has one short flag.
  .addOption(new Option('-v').hideHelp())
  .addHelpText('after', `
Connection: --database-url or DATABASE_URL.
Exit codes: 0 success, 1 failure (the error says what and where), 2 bad usage.`)
  .addCommand(migrateCommand())
  .addCommand(sqlCommand())
  .addCommand(syncCommand())
  .addCommand(verifyCommand())
  .addCommand(statusCommand())
  .addCommand(sweepCommand())
  .addCommand(workerCommand())
  .addCommand(demoCommand())
  .addCommand(planCommand())
  .addCommand(applyCommand())
  .addCommand(pullCommand())
  .addCommand(discoverCommand())
  .addCommand(lintCommand())
  .addCommand(reportCommand())
  .addCommand(subjectCommand())
  .addCommand(copyCommand())
  .addCommand(dumpCommand())
  .addCommand(new Command('ledger').description('the audit ledger and the legal records kept with it')
    .addCommand(ledgerExportCommand())
    .addCommand(ledgerImportCommand())
    .addCommand(ledgerVerifyCommand()));

program.on('option:v', () => {
  process.stdout.write(`${packageVersion()}\n`);
  process.exit(EXIT.ok);
});
program.hook('preAction', (_program, action) => checkDatabaseOption(action));

// Commands added with addCommand() do not inherit exitOverride: set it on every one, so that
// usage errors anywhere exit with EXIT.usage instead of commander's own exit code.
const overrideExits = (command: Command): void => {
  command.exitOverride();
  command.commands.forEach(overrideExits);
};
overrideExits(program);

/** SQLSTATE 25006: a write in a read-only transaction, as every transaction on a hot standby is. */
const READ_ONLY_SQL_TRANSACTION = '25006';

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof PrivacyError) {
    console.error(`integritet: ${error.message} [${error.code}]`);
    if (error.hint) console.error(`hint: ${error.hint}`);
    process.exitCode = EXIT.failed;
  } else {
    console.error(`integritet: ${error instanceof Error ? error.message : String(error)}`);
    if ((error as { code?: unknown }).code === READ_ONLY_SQL_TRANSACTION) {
      console.error('hint: this server takes no writes (a hot standby, or default_transaction_read_only): run sweep, '
        + 'subject, apply, sync and migrate against the primary; a replica serves the application\'s reads, status and verify');
    }
    process.exitCode = EXIT.failed;
  }
}
