import { Command } from 'commander';
import { installScript } from '../../migrate/install-script.ts';

/** `integritet sql`: print the plain SQL install script. */
export function sqlCommand(): Command {
  return new Command('sql')
    .description('print one plain SQL script that installs the toolkit (for psql, Flyway, sqitch)')
    .addHelpText('after', '\nExample:\n  $ integritet sql > integritet.sql && psql -v ON_ERROR_STOP=1 -f integritet.sql "$DATABASE_URL"\n  (no -1: the script opens and commits its own transaction)')
    .action(() => {
      process.stdout.write(installScript());
    });
}
