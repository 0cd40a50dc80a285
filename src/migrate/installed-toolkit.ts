import { MigrationError } from '../errors/privacy-error.ts';

/** Anything that runs a query: a `pg` client or pool. */
interface Queryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Whether the toolkit is installed in the database: its migration history exists. Read from the
 * catalogs, so it needs no privilege on the `privacy` schema and works for every login.
 */
export async function isToolkitInstalled(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ installed: boolean }>(
    `select exists (select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'privacy' and c.relname = 'schema_migration') as installed`);
  return rows[0]!.installed;
}

/**
 * Throws a {@link MigrationError} (code `NOT_INSTALLED`) that says how to install the toolkit
 * when it is not installed: every command but `migrate` needs it, and would otherwise fail with
 * `schema "privacy" does not exist`.
 */
export async function requireToolkit(db: Queryable): Promise<void> {
  if (!(await isToolkitInstalled(db))) {
    throw new MigrationError('integritet is not installed in this database: run `integritet migrate up`', { code: 'NOT_INSTALLED' });
  }
}
