import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link declareSubjectType}. */
export interface DeclareSubjectTypeInput {
  /** e.g. `customer`, `contact`, `user`, `device`. */
  name: string;
  /** The table where subjects of this type live. */
  table: string;
  /** Its key column (linked to the type as well). */
  key: string;
  description?: string;
}

/** `privacy.declare_subject_type`: a kind of data subject and where its subjects live. */
export async function declareSubjectType(db: Executor, input: DeclareSubjectTypeInput): Promise<void> {
  await callPrivacyFunction(db, 'declare_subject_type', {
    name: [input.name, 'text'],
    table_name: [input.table, 'text'],
    key_column: [input.key, 'text'],
    description: [input.description ?? '', 'text'],
  });
}
