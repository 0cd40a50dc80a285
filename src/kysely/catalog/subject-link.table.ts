import type { ColumnType, Selectable } from 'kysely';

/** `privacy.subject_link`: columns whose value identifies a subject of a type. */
export interface SubjectLinkTable {
  subject_type: string;
  schema_name: string;
  table_name: string;
  column_name: string;
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.subject_link`. */
export type SubjectLink = Selectable<SubjectLinkTable>;
