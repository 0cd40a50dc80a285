import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link protectTable}. */
export interface ProtectTableInput {
  table: string;
  /** The column that holds each row's tenant; none means the table is not tenant-isolated. */
  tenantColumn?: string | null;
  /** Foreign-key columns followed hop by hop to the table whose `tenantColumn` holds the tenant. */
  tenantVia?: string[] | null;
  /** No tenant on purpose: every tenant reads its rows (reference data). */
  shared?: boolean;
}

/** `privacy.protect_table`: restricted roles read the table masked (and only their tenant's rows). */
export async function protectTable(db: Executor, input: ProtectTableInput): Promise<void> {
  await callPrivacyFunction(db, 'protect_table', {
    table_name: [input.table, 'text'],
    tenant_column: [input.tenantColumn ?? null, 'text'],
    tenant_via: [input.tenantVia ?? null, 'text[]'],
    shared: [input.shared ?? false, 'boolean'],
  });
}
