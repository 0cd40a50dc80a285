import { sql } from 'kysely';
import { InvalidDeclarationError, toPrivacyError } from '../../errors/privacy-error.ts';
import type { RequestOutcome, SubjectRequest, SubjectRequestKind } from '../../subjects/subject-reports.ts';
import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';
import { day, type Day } from './place-hold.ts';

/** Arguments of {@link receiveSubjectRequest}. */
export interface ReceiveSubjectRequestInput {
  kind: SubjectRequestKind;
  subjectType: string;
  subjectId: string | number | bigint;
  /** The day it was received (default today): the one-month deadline counts from it. */
  receivedOn?: Day;
  /** Free text; may hold personal data, so it stays with the request and never reaches the ledger. */
  note?: string | null;
}

/** `privacy.receive_subject_request`: records a request with its one-month deadline (Art. 12(3)). Returns its id. */
export async function receiveSubjectRequest(db: Executor, input: ReceiveSubjectRequestInput): Promise<string> {
  const id = await callPrivacyFunction<string | number>(db, 'receive_subject_request', {
    kind: [input.kind, 'text'],
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
    received_on: [day(input.receivedOn, 'receivedOn') ?? undefined, 'date'],
    note: [input.note ?? null, 'text'],
  });
  return String(id);
}

/**
 * `privacy.process_subject_request`: carries a request out — an erasure, a restriction, or an
 * export for access and portability (returned as `export`). A privacy_sweeper member may process
 * erasure requests only. A failure is recorded and returned with status `failed` (and its SQLSTATE).
 */
export async function processSubjectRequest(db: Executor, input: { requestId: string | number | bigint }): Promise<RequestOutcome> {
  const outcome = await callPrivacyFunction<RequestOutcome>(db, 'process_subject_request', {
    request_id: [String(input.requestId), 'bigint'],
  });
  return { ...outcome, request: String(outcome.request) };
}

/** Arguments of {@link extendSubjectRequest}. */
export interface ExtendSubjectRequestInput {
  requestId: string | number | bigint;
  /** 1 or 2: at most three months from receipt in all. */
  months: 1 | 2;
  /** Why (the subject must be told within the first month). */
  because: string;
}

/** `privacy.extend_subject_request`: a later deadline, at most three months from receipt. Returns it (`YYYY-MM-DD`). */
export async function extendSubjectRequest(db: Executor, input: ExtendSubjectRequestInput): Promise<string> {
  if (!Number.isInteger(input.months)) throw new InvalidDeclarationError('months must be 1 or 2', { code: 'PV408' });
  try {
    const { rows } = await sql<{ deadline: string }>`
      select privacy.extend_subject_request(${String(input.requestId)}::bigint, ${input.months}::integer,
                                            ${input.because}::text)::text as deadline`.execute(db);
    return rows[0]!.deadline;
  } catch (error) {
    throw toPrivacyError(error);
  }
}

/** Arguments of {@link closeSubjectRequest}. */
export interface CloseSubjectRequestInput {
  requestId: string | number | bigint;
  /** `done`: answered otherwise; `refused`: manifestly unfounded or excessive (Art. 12(5)). */
  status: 'done' | 'refused';
  because: string;
}

/** `privacy.close_subject_request`: closes a request without processing it here. */
export async function closeSubjectRequest(db: Executor, input: CloseSubjectRequestInput): Promise<void> {
  await callPrivacyFunction(db, 'close_subject_request', {
    request_id: [String(input.requestId), 'bigint'],
    status: [input.status, 'text'],
    because: [input.because, 'text'],
  });
}

/** Which requests {@link listSubjectRequests} returns. */
export interface ListSubjectRequestsInput {
  /** `open` (default): not done or refused; `overdue`: open and past the deadline; `all`. */
  which?: 'open' | 'overdue' | 'all';
}

/**
 * The requests in `privacy.subject_request` (overdue ones through `privacy.overdue_subject_request`),
 * earliest deadline first. Needs privacy_admin.
 */
export async function listSubjectRequests(db: Executor, input: ListSubjectRequestsInput = {}): Promise<SubjectRequest[]> {
  const which = input.which ?? 'open';
  const filter = which === 'all' ? sql`true`
    : which === 'overdue' ? sql`r.id in (select o.id from privacy.overdue_subject_request o)`
    : sql`r.status not in ('done', 'refused')`;
  try {
    const { rows } = await sql<{
      id: string; kind: SubjectRequestKind; subject_type: string; subject_id: string; received_on: string; deadline: string;
      status: SubjectRequest['status']; attempts: number; days_overdue: number | null; outcome: Record<string, unknown> | null;
    }>`
      select r.id::text as id, r.kind, r.subject_type, r.subject_id, r.received_on::text as received_on,
             r.deadline::text as deadline, r.status, r.attempts,
             case when r.status not in ('done', 'refused') then current_date - r.deadline end as days_overdue, r.outcome
      from privacy.subject_request r
      where ${filter}
      order by r.deadline, r.id`.execute(db);
    return rows.map((r) => ({
      id: r.id, kind: r.kind, subjectType: r.subject_type, subjectId: r.subject_id, receivedOn: r.received_on,
      deadline: r.deadline, status: r.status, attempts: r.attempts, daysOverdue: r.days_overdue, outcome: r.outcome,
    }));
  } catch (error) {
    throw toPrivacyError(error);
  }
}
