import pg from 'pg';

/**
 * Connects to `url` and returns the server's version as "PostgreSQL <major>.<minor>" (for logs and
 * for tests that depend on the major version). Throws the driver's error when the server is not reachable.
 */
export async function readServerVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a lost connection fails the query below instead of crashing
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    // "15.20 (Debian 15.20-0+deb12u1)" → "15.20"
    const version = rows[0]?.server_version.split(' ')[0] ?? 'unknown';
    return `PostgreSQL ${version}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
