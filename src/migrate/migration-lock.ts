import type pg from 'pg';
import { openClient } from '../database/open-client.ts';

/** Advisory lock key (two int4s: "priv", 1) that serialises every migration run on a database. */
const LOCK_KEY = [0x70726976, 1] as const;

/**
 * Opens one connection, takes the migration lock on it (waiting for a concurrent run to finish),
 * runs `work` on that connection and releases everything, whatever happens.
 */
export async function withMigrationLock<T>(
  connection: string | pg.ClientConfig,
  work: (client: pg.Client) => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const client = await openClient(connection, { applicationName: 'integritet migrate' });
  client.on('notice', (notice) => log?.(`notice: ${notice.message}`));
  try {
    await client.query(`set application_name = 'integritet migrate'`);
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [...LOCK_KEY]);
    if (!rows[0]?.locked) {
      log?.('waiting for another migration run on this database to finish');
      await client.query('select pg_advisory_lock($1, $2)', [...LOCK_KEY]);
    }
    return await work(client);
  } finally {
    await client.end().catch(() => undefined); // ending the session releases the lock
  }
}
