import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link dropRetention}. */
export interface DropRetentionInput {
  table: string;
}

/** `privacy.drop_retention`: removes a table's retention policy. True if it had one. */
export async function dropRetention(db: Executor, input: DropRetentionInput): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'drop_retention', { table_name: [input.table, 'text'] });
}
