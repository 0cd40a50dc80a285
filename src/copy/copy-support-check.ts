import type pg from 'pg';
import { MigrationError } from '../errors/privacy-error.ts';

/** Refuses to copy or dump a database without the toolkit: it would not know what is personal. */
export async function assertCopySupport(source: pg.ClientBase): Promise<void> {
  const { rows } = await source.query(`select pg_catalog.to_regprocedure('privacy.copy_tables()') is not null as ready`);
  if (rows[0]?.ready !== true) {
    throw new MigrationError(
      'integritet is not installed in the source database (or is older than its copy support): run `integritet migrate up` there',
      { code: 'NOT_INSTALLED' });
  }
}
