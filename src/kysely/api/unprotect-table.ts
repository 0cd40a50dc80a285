import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link unprotectTable}. */
export interface UnprotectTableInput {
  table: string;
}

/** `privacy.unprotect_table`: removes a table's protection. True if it was protected. */
export async function unprotectTable(db: Executor, input: UnprotectTableInput): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'unprotect_table', { table_name: [input.table, 'text'] });
}
