import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';
import { day, type Day } from './place-hold.ts';

/** Arguments of {@link placeDebtHold}. */
export interface PlaceDebtHoldInput {
  subjectType: string;
  subjectId: string | number | bigint;
  /** The day the claim arose. */
  aroseOn: Day;
  /** Whether the debtor is a consumer (3 years' limitation rather than 10). */
  consumer: boolean;
  note?: string | null;
}

/** `privacy.place_debt_hold`: a hold that lasts until the claim is time-barred. Returns the hold id. */
export async function placeDebtHold(db: Executor, input: PlaceDebtHoldInput): Promise<string> {
  const id = await callPrivacyFunction<string | number>(db, 'place_debt_hold', {
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
    arose_on: [day(input.aroseOn, 'aroseOn'), 'date'],
    consumer: [input.consumer, 'boolean'],
    note: [input.note ?? null, 'text'],
  });
  return String(id);
}

/** Arguments of {@link recordDebtEvent}. */
export interface RecordDebtEventInput {
  holdId: string | number | bigint;
  event: 'reminder' | 'payment' | 'acknowledgement';
  /** When it happened; default today. */
  occurredOn?: Day;
}

/** `privacy.record_debt_event`: restarts a debt's limitation; returns the hold's new end (`YYYY-MM-DD`). */
export async function recordDebtEvent(db: Executor, input: RecordDebtEventInput): Promise<string> {
  return callPrivacyFunction<string>(db, 'record_debt_event', {
    hold_id: [String(input.holdId), 'bigint'],
    event: [input.event, 'text'],
    occurred_on: [day(input.occurredOn, 'occurredOn') ?? undefined, 'date'],
  }, 'text');
}
