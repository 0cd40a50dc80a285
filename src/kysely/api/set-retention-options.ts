import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** A filter value: one scalar or a list of them (the row matches any). */
export type RetentionFilterValue = string | number | boolean | null | (string | number | boolean | null)[];

/** Arguments of {@link setRetentionOptions}; what is left out stays as it is. */
export interface SetRetentionOptionsInput {
  table: string;
  /** The rows the policy governs: column → value or values (`{ status: ['paid', 'written_off'] }`); `{}` for all rows. */
  filter?: Record<string, RetentionFilterValue>;
  /** What happens to a partition whose every row has expired: dropped, detached, or swept row by row. */
  expiredPartitions?: 'drop' | 'detach' | 'rows';
}

/** `privacy.set_retention_options`: which rows a retention policy governs, and how expired partitions go. */
export async function setRetentionOptions(db: Executor, input: SetRetentionOptionsInput): Promise<void> {
  await callPrivacyFunction(db, 'set_retention_options', {
    table_name: [input.table, 'text'],
    filter: [input.filter, 'jsonb'],
    expired_partitions: [input.expiredPartitions, 'text'],
  });
}
