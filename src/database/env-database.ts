import { DatabaseProvisionError } from './database-provision-error.ts';
import { describeError } from './describe-error.ts';
import type { ProvisionedDatabase } from './provisioned-database.ts';
import { redactUrl } from './redact-url.ts';
import { readServerVersion } from './server-version.ts';

/**
 * Uses the server named by a `DATABASE_URL` as given (nothing is started, `stop` does nothing),
 * after checking that it answers, so that a wrong URL fails here with a clear message rather
 * than deep inside the first test.
 */
export async function useEnvDatabase(url: string, options: { log?: (line: string) => void } = {}): Promise<ProvisionedDatabase> {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch (cause) {
    throw new DatabaseProvisionError('DATABASE_URL_INVALID', 'DATABASE_URL is not a URL; expected postgres://user@host:port/database', { cause });
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new DatabaseProvisionError('DATABASE_URL_INVALID', `DATABASE_URL has protocol ${protocol}; expected postgres://user@host:port/database`);
  }
  let serverVersion: string;
  try {
    serverVersion = await readServerVersion(url);
  } catch (cause) {
    throw new DatabaseProvisionError('DATABASE_URL_UNREACHABLE', `cannot connect to DATABASE_URL ${redactUrl(url)}: ${describeError(cause)}`, { cause });
  }
  options.log?.(`using DATABASE_URL ${redactUrl(url)}: ${serverVersion}`);
  return { url, kind: 'env', serverVersion, stop: async () => {} };
}
