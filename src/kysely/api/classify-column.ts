import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';
import { toSqlParams, type AnonymizeChoice, type MaskChoice } from '../strategy-params.ts';

/** The categories installed with the toolkit; others may be registered in SQL. */
export type KnownCategory =
  | 'not_personal' | 'identifier' | 'contact' | 'financial' | 'location'
  | 'technical' | 'credential' | 'free_text' | 'special' | 'personal';

/** Arguments of {@link classifyColumn}. `table` is as in SQL: `customer` or `billing.invoice`. */
export type ClassifyColumnInput = {
  table: string;
  column: string;
  category: KnownCategory | (string & {});
} & MaskChoice & AnonymizeChoice;

/** `privacy.classify_column`: declares (or replaces) a column's category, read mask and anonymization. */
export async function classifyColumn(db: Executor, input: ClassifyColumnInput): Promise<void> {
  await callPrivacyFunction(db, 'classify_column', {
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
    category: [input.category, 'text'],
    mask: [input.mask ?? null, 'text'],
    mask_params: [toSqlParams(input.maskParams), 'jsonb'],
    anonymize: [input.anonymize ?? null, 'text'],
    anonymize_params: [toSqlParams(input.anonymizeParams), 'jsonb'],
  });
}
