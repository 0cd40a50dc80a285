import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link linkSubject} and {@link unlinkSubject}. */
export interface SubjectLinkInput {
  subjectType: string;
  table: string;
  column: string;
  /** Link a column no foreign key to the subject's key backs (its values taken on trust; verify lists it). */
  unchecked?: boolean;
}

/** `privacy.link_subject`: the column's value identifies a subject of the type. */
export async function linkSubject(db: Executor, input: SubjectLinkInput): Promise<void> {
  await callPrivacyFunction(db, 'link_subject', {
    subject_type: [input.subjectType, 'text'],
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
    unchecked: [input.unchecked, 'boolean'],
  });
}

/** `privacy.unlink_subject`: removes a subject link. True if there was one. */
export async function unlinkSubject(db: Executor, input: SubjectLinkInput): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'unlink_subject', {
    subject_type: [input.subjectType, 'text'],
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
  });
}
