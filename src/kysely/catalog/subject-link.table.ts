import type { ColumnType, Selectable } from 'kysely';

/** `privacy.subject_link`: columns whose value identifies a subject of a type. */
export interface SubjectLinkTable {
  subject_type: string;
  schema_name: string;
  table_name: string;
  column_name: string;
  /** Declared as taken on trust: no foreign key to the subject's key need back it (migration 0014). */
  unchecked: boolean;
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.subject_link`. */
export type SubjectLink = Selectable<SubjectLinkTable>;
