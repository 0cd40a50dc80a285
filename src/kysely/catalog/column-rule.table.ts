import type { ColumnType, Selectable } from 'kysely';

/** `privacy.column_rule`: one rule per classified column. Strategy parameters are snake_case JSON. */
export interface ColumnRuleTable {
  schema_name: string;
  table_name: string;
  column_name: string;
  category: string;
  mask_strategy: string | null;
  mask_params: Record<string, unknown>;
  anonymize_strategy: string | null;
  anonymize_params: Record<string, unknown>;
  /** Minimisation on write (added by migration 0002). */
  write_rule: string | null;
  write_params: Record<string, unknown>;
  declared_at: ColumnType<Date, never, never>;
  declared_by: ColumnType<string, never, never>;
}

/** A row of `privacy.column_rule`. */
export type ColumnRule = Selectable<ColumnRuleTable>;
