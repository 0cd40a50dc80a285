import type { ColumnType, Selectable } from 'kysely';

/** An `interval` as the `pg` driver returns it (postgres-interval). Select `keep::text` for text. */
export interface PostgresInterval {
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
  toPostgres(): string;
}

/** `privacy.retention_policy`: how long a table's rows are kept, and what happens then. */
export interface RetentionPolicyTable {
  schema_name: string;
  table_name: string;
  anchor_column: string;
  keep: ColumnType<PostgresInterval, string, string>;
  action: 'anonymize' | 'delete';
  minimum: string | null;
  minimum_anchor_column: string | null;
  schedule: string;
  time_zone: string;
  /** Which rows the policy governs: column → value(s) (migration 0004). */
  filter: Record<string, unknown>;
  /** What happens to fully expired partitions (migration 0004). */
  expired_partitions: 'drop' | 'detach' | 'rows';
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.retention_policy`. */
export type RetentionPolicy = Selectable<RetentionPolicyTable>;
