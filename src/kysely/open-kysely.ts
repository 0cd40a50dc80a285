import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** A Kysely instance over a pool on `url`; `destroy()` it when done. */
export function openKysely<DB = any>(url: string, options: { max?: number } = {}): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 4 });
  // An idle connection ended by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
