import type { Command } from 'commander';
import type pg from 'pg';
import { openClient } from '../database/open-client.ts';
import { describeConnectError } from '../database/connect-error.ts';
import { DATABASE_URL_FORM, databaseUrlProblem } from '../database/database-url.ts';
import { ProvisioningError } from '../errors/privacy-error.ts';
import { requireToolkit } from '../migrate/installed-toolkit.ts';

// Commands that work on a database without the toolkit: `migrate` installs it, and `status`
// reports that it is missing as its own finding.
const WITHOUT_TOOLKIT = new Set(['migrate', 'status']);

function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/**
 * Runs before every command that takes `--database-url`: a missing or malformed URL is a usage
 * error (exit 2, nothing connected), a server that cannot be reached is named by host and port
 * with what to check, and a database without the toolkit says how to install it, before the
 * command does anything there (the worker would otherwise create its pg-boss schema first).
 */
export async function checkDatabaseOption(command: Command): Promise<void> {
  if (!command.options.some((o) => o.attributeName() === 'databaseUrl')) return;
  const given = command.opts<{ databaseUrl?: string }>().databaseUrl;
  const url = given ?? process.env.DATABASE_URL;
  const source = given !== undefined ? '--database-url' : 'DATABASE_URL';
  if (!url) {
    command.error('error: no database given: pass --database-url or set DATABASE_URL', { exitCode: 2, code: 'integritet.noDatabaseUrl' });
  }
  const problem = databaseUrlProblem(url);
  if (problem) {
    command.error(`error: ${source} ${problem}; expected ${DATABASE_URL_FORM}`, { exitCode: 2, code: 'integritet.badDatabaseUrl' });
  }
  // The toolkit's connect timeout, and a stop (SIGTERM, SIGINT) while connecting ends it at once.
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stopping.abort(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let client: pg.Client;
  try {
    client = await openClient(url, { applicationName: 'integritet', signal: stopping.signal });
  } catch (error) {
    const message = describeConnectError(url, (error as { cause?: unknown }).cause ?? error);
    if (message && !stopping.signal.aborted) throw new ProvisioningError(message, { code: 'CONNECTION_FAILED', cause: error });
    throw error;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  try {
    if (!WITHOUT_TOOLKIT.has(commandPath(command)[0]!)) await requireToolkit(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
