import type { ColumnType, Selectable } from 'kysely';

/**
 * `privacy.subject_path`: tables whose rows belong to a subject through a foreign key, to a table
 * linked to that subject (`references`) or from one (`referenced_by`, migration 0014).
 */
export interface SubjectPathTable {
  subject_type: string;
  schema_name: string;
  table_name: string;
  constraint_name: string;
  parent_schema: string;
  parent_table: string;
  direction: 'references' | 'referenced_by';
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.subject_path`. */
export type SubjectPath = Selectable<SubjectPathTable>;
