import type { ColumnType, Selectable } from 'kysely';

/** `privacy.protected_table`: tables restricted roles read masked and tenant-isolated. */
export interface ProtectedTableTable {
  schema_name: string;
  table_name: string;
  tenant_column: string | null;
  tenant_via: string[] | null;
  shared: boolean;
  protected_at: ColumnType<Date, never, never>;
  protected_by: ColumnType<string, never, never>;
}

/** A row of `privacy.protected_table`. */
export type ProtectedTable = Selectable<ProtectedTableTable>;
