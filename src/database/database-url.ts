/**
 * Checks that `url` is a PostgreSQL connection URL, and returns why not when it is not.
 *
 * The driver reads anything: `not a url` becomes a host named `base`, and `mysql://…` connects to
 * port 5432 of the host named, so a wrong URL would fail far from its cause, or reach another
 * server. Only `postgres://` and `postgresql://` are taken.
 */
export function databaseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `has the scheme ${parsed.protocol.replace(/:$/, '')}://, not postgres:// or postgresql://`;
  }
  return undefined;
}

/** The form a database URL takes, for messages. */
export const DATABASE_URL_FORM = 'postgres://user:password@host:port/database';
