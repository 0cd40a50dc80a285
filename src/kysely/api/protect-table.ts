import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link protectTable}. */
export interface ProtectTableInput {
  table: string;
  /** The column that holds each row's tenant; none means the table is not tenant-isolated. */
  tenantColumn?: string | null;
}

/** `privacy.protect_table`: restricted roles read the table masked (and only their tenant's rows). */
export async function protectTable(db: Executor, input: ProtectTableInput): Promise<void> {
  await callPrivacyFunction(db, 'protect_table', {
    table_name: [input.table, 'text'],
    tenant_column: [input.tenantColumn ?? null, 'text'],
  });
}
