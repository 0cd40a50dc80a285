import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link declassifyColumn}. */
export interface DeclassifyColumnInput {
  table: string;
  column: string;
}

/** `privacy.declassify_column`: removes a column's rule (it counts as personal again). True if there was one. */
export async function declassifyColumn(db: Executor, input: DeclassifyColumnInput): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'declassify_column', {
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
  });
}
