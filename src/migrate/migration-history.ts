import type pg from 'pg';

/** One row of `privacy.schema_migration`. */
export interface AppliedMigration {
  name: string;
  kind: 'versioned' | 'repeatable';
  checksum: string;
  appliedAt: Date;
}

/** The history, or nothing when the toolkit is not installed (the table comes with the first step). */
export async function readHistory(client: pg.ClientBase): Promise<AppliedMigration[]> {
  // Read from pg_class under the statement's own snapshot, not with to_regclass(): that looks the
  // name up in the session's catalog cache without taking in other sessions' catalog changes, so
  // a run whose transaction began just before another run's first step committed would still see
  // no history table, and apply 0001 again.
  const { rows } = await client.query<{ exists: boolean }>(
    `select exists (select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'privacy' and c.relname = 'schema_migration') as exists`,
  );
  if (!rows[0]?.exists) return [];
  const history = await client.query<{ name: string; kind: 'versioned' | 'repeatable'; checksum: string; applied_at: Date }>(
    'select name, kind, checksum, applied_at from privacy.schema_migration order by kind desc, name',
  );
  return history.rows.map((r) => ({ name: r.name, kind: r.kind, checksum: r.checksum, appliedAt: r.applied_at }));
}

/** SQL that records a step as applied (used by the migrator and by the install script alike). */
export function recordApplied(name: string, kind: AppliedMigration['kind'], checksum: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
  return (
    `insert into privacy.schema_migration (name, kind, checksum) values (${quote(name)}, ${quote(kind)}, ${quote(checksum)})\n` +
    `  on conflict (name) do update set checksum = excluded.checksum, applied_at = now(), applied_by = session_user;`
  );
}
