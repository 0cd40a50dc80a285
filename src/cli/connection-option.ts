import type { Command } from 'commander';
import { InvalidDeclarationError } from '../errors/privacy-error.ts';

/** Adds `--database-url` to a command; `DATABASE_URL` is its default. */
export function withDatabaseUrl(command: Command): Command {
  return command.option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)');
}

/** The connection string a command should use, or a clear error when there is none. */
export function databaseUrl(options: { databaseUrl?: string }): string {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) {
    throw new InvalidDeclarationError('no database given: pass --database-url or set DATABASE_URL', {
      code: 'NO_DATABASE_URL',
    });
  }
  return url;
}
