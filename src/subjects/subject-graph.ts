import { callPrivacyFunction, callPrivacyTableFunction, type Executor } from '../client/call-privacy.ts';

/** One line of `privacy.subject_graph()`: a link of a subject type to a table, checked against the real foreign keys. */
export interface SubjectGraphLine {
  subjectType: string;
  /** `schema.table`, quoted as SQL quotes it. */
  relation: string;
  /** The linked column (`customer_id`), or a foreign key's columns and parent (`device_id → public.device`); null for a finding about an unlinked table. */
  link: string | null;
  /** The constraint that backs the link; null for a column link no foreign key backs, and for the subject's own key. */
  foreignKey: string | null;
  /** 0: the subject's own table, 1: linked by a column, n: through n - 1 foreign keys. */
  depth: number | null;
  /** What is wrong or missing; null when all is well. */
  finding: string | null;
}

/** `privacy.subject_graph`: every link of every subject type (or of one), with what is wrong or missing. */
export async function readSubjectGraph(db: Executor, input: { subjectType?: string } = {}): Promise<SubjectGraphLine[]> {
  const rows = await callPrivacyTableFunction<{
    subject_type: string; relation: string; link: string | null; foreign_key: string | null; depth: number | null; finding: string | null;
  }>(db, 'subject_graph', { type_name: [input.subjectType, 'text'] });
  return rows.map((r) => ({
    subjectType: r.subject_type, relation: r.relation, link: r.link, foreignKey: r.foreign_key, depth: r.depth, finding: r.finding,
  }));
}

/** Arguments of {@link linkSubjectThrough} and {@link unlinkSubjectThrough}. */
export interface SubjectPathInput {
  subjectType: string;
  /** The table whose rows belong to the subject through a foreign key. */
  table: string;
  /** The table that foreign key references, itself linked to the subject. */
  parentTable: string;
  /** The constraint's name, when the table has several foreign keys to the parent. */
  foreignKey?: string;
}

/** `privacy.link_subject_through`: rows belong to a subject when the row they reference by a real foreign key does. */
export async function linkSubjectThrough(db: Executor, input: SubjectPathInput): Promise<void> {
  await callPrivacyFunction(db, 'link_subject_through', {
    subject_type: [input.subjectType, 'text'],
    table_name: [input.table, 'text'],
    parent_table: [input.parentTable, 'text'],
    foreign_key: [input.foreignKey, 'text'],
  });
}

/** `privacy.unlink_subject_through`: removes a path link. True if there was one. */
export async function unlinkSubjectThrough(db: Executor, input: Omit<SubjectPathInput, 'foreignKey'>): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'unlink_subject_through', {
    subject_type: [input.subjectType, 'text'],
    table_name: [input.table, 'text'],
    parent_table: [input.parentTable, 'text'],
  });
}
