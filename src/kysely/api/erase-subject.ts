import { sql } from 'kysely';
import { InvalidDeclarationError, toPrivacyError } from '../../errors/privacy-error.ts';
import { callPrivacyTableFunction, type Executor } from '../../client/call-privacy.ts';
import { erasureLines, type ErasureLine } from '../../subjects/subject-reports.ts';

/** Arguments of {@link eraseSubject}. */
export interface EraseSubjectInput {
  subjectType: string;
  subjectId: string | number | bigint;
  /** Why (e.g. the request and its date): recorded in the ledger, so no personal data. */
  reason: string;
}

const LINE_COLUMNS = 'relation, outcome, row_count, kept_by, until::text as until, changed, unchanged';

/**
 * `privacy.erase_subject`: anonymizes or deletes every row of the subject as its table's rules
 * say, in one transaction, and restricts what a statutory minimum or a hold keeps (erased when
 * that ends). Returns what this call changed, per table; nothing the second time.
 */
export async function eraseSubject(db: Executor, input: EraseSubjectInput): Promise<ErasureLine[]> {
  return erasureLines(await callPrivacyTableFunction(db, 'erase_subject', {
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
    reason: [input.reason, 'text'],
  }, LINE_COLUMNS));
}

/** What {@link eraseDue} erased for one subject. */
export interface DueErasureLine extends ErasureLine {
  subjectType: string;
  /** The erasure request the rows were kept back for, if any. */
  requestId: string | null;
}

/**
 * `privacy.erase_due`: erases the rows erasures kept back once nothing keeps them (the minimum
 * ended, the hold ended or was released). The erasure worker runs it; privacy_sweeper may.
 */
export async function eraseDue(db: Executor, input: { maxSubjects?: number } = {}): Promise<DueErasureLine[]> {
  const max = input.maxSubjects ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new InvalidDeclarationError(`maxSubjects must be a whole number of at least 1, not ${max}`, { code: 'PV011' });
  let rows: { subject_type: string; request_id: string | null; relation: string; outcome: string; row_count: string; kept_by: string | null;
              until: string | null; changed: string[] | null; unchanged: { column: string; why: string }[] | null }[];
  try {
    ({ rows } = await sql<(typeof rows)[number]>`
      select subject_type, request_id::text as request_id, ${sql.raw(LINE_COLUMNS)}
      from privacy.erase_due(max_subjects => ${max}::integer)`.execute(db));
  } catch (error) {
    throw toPrivacyError(error);
  }
  const lines = erasureLines(rows);
  return rows.map((r, i) => ({ ...lines[i]!, subjectType: r.subject_type, requestId: r.request_id }));
}
