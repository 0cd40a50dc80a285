import { callPrivacyTableFunction, type Executor } from '../../client/call-privacy.ts';
import type { RestrictionLine } from '../../subjects/subject-reports.ts';

/** Arguments of {@link restrictSubject}. */
export interface RestrictSubjectInput {
  subjectType: string;
  subjectId: string | number | bigint;
  /** Why (Art. 18(1)(a)–(d), the request): recorded in the ledger, so no personal data. */
  reason: string;
}

/** Arguments of {@link unrestrictSubject}. */
export interface UnrestrictSubjectInput {
  subjectType: string;
  subjectId: string | number | bigint;
}

const toLines = (rows: { relation: string; row_count: string | number }[]): RestrictionLine[] =>
  rows.map((r) => ({ relation: r.relation, rows: Number(r.row_count) }));

/**
 * `privacy.restrict_subject`: the subject's rows are kept but disappear from masked reads
 * (GDPR Art. 18). Covers the rows there are now; calling it again adds rows written since.
 * Returns the rows newly restricted per table.
 */
export async function restrictSubject(db: Executor, input: RestrictSubjectInput): Promise<RestrictionLine[]> {
  return toLines(await callPrivacyTableFunction(db, 'restrict_subject', {
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
    reason: [input.reason, 'text'],
  }));
}

/**
 * `privacy.unrestrict_subject`: lifts the subject's restriction (rows an erasure keeps back
 * stay restricted). Returns the rows lifted per table.
 */
export async function unrestrictSubject(db: Executor, input: UnrestrictSubjectInput): Promise<RestrictionLine[]> {
  return toLines(await callPrivacyTableFunction(db, 'unrestrict_subject', {
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
  }));
}
