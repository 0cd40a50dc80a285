import type { ColumnType, Selectable } from 'kysely';

/** `privacy.subject_type`: kinds of data subjects and the table and key where each lives. */
export interface SubjectTypeTable {
  name: string;
  schema_name: string;
  table_name: string;
  key_column: string;
  description: string;
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.subject_type`. */
export type SubjectType = Selectable<SubjectTypeTable>;
