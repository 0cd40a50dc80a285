import pg from 'pg';

/** Advisory lock key (two int4s: "priv", 1) that serialises the steps of migration runs on a database. */
const LOCK_KEY = [0x70726976, 1] as const;

/**
 * Opens one connection for a migration run, runs `work` on it and closes it, whatever happens.
 * It holds no session-level lock: behind a transaction pooler (pgbouncer in transaction mode)
 * a session lock stays with whichever server connection took it, long after the run.
 */
export async function withMigrationConnection<T>(
  connection: string | pg.ClientConfig,
  work: (client: pg.Client) => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const client = new pg.Client(typeof connection === 'string' ? { connectionString: connection } : connection);
  await client.connect();
  client.on('notice', (notice) => log?.(`notice: ${notice.message}`));
  try {
    await client.query(`set application_name = 'integritet migrate'`);
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Takes the migration lock for the rest of the open transaction (a transaction-level advisory
 * lock: it ends with the transaction, on whatever server connection a pooler gave it). A step
 * re-reads the history under it, so two runs at once apply each step once; the second waits
 * (under the step's lock_timeout, trying again) while the first one's step runs.
 */
export async function takeMigrationLock(client: pg.ClientBase, log?: (line: string) => void): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1, $2) as locked', [...LOCK_KEY]);
  if (!rows[0]?.locked) {
    log?.('waiting for another migration run on this database');
    await client.query('select pg_advisory_xact_lock($1, $2)', [...LOCK_KEY]);
  }
}
