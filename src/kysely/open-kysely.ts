import { Kysely, PostgresDialect } from 'kysely';
import { openPool } from '../database/open-pool.ts';

/**
 * A Kysely instance over a pool on `url`; `destroy()` it when done. A lost connection (server
 * restart, failover) fails the statement that used it and never crashes the process.
 */
export function openKysely<DB = any>(url: string, options: { max?: number; applicationName?: string } = {}): Kysely<DB> {
  const pool = openPool(url, { max: options.max ?? 4, applicationName: options.applicationName ?? 'integritet' });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
