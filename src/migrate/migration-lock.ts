import type pg from 'pg';
import { openClient } from '../database/open-client.ts';
import { ObjectInUseError } from '../errors/privacy-error.ts';

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
  const client = await openClient(connection, { applicationName: 'integritet migrate' });
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
 * lock: it ends with the transaction, on whatever server connection a pooler gave it), or
 * raises an {@link ObjectInUseError} at once when another run holds it: the step is then tried
 * again in a new transaction. Not waiting inside the transaction matters: one that began
 * before the other run's step committed would go on seeing the catalog as it was then (an
 * advisory lock does not make PostgreSQL read catalog changes), and apply the step again.
 * A step re-reads the history under the lock, so two runs at once apply each step once.
 */
export async function takeMigrationLock(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1, $2) as locked', [...LOCK_KEY]);
  if (!rows[0]?.locked) {
    throw new ObjectInUseError('another migration run on this database is applying a step', { code: 'PV015' });
  }
}

/**
 * Waits for the migration lock for the rest of the open transaction. Only for a transaction that
 * writes the toolkit's own records in statements that come after it (each reads the rows as they
 * are once the lock is held, in READ COMMITTED), never for a step that applies definitions.
 */
export async function waitForMigrationLock(client: pg.ClientBase): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, $2)', [...LOCK_KEY]);
}
