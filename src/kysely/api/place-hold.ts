import { InvalidDeclarationError } from '../../errors/privacy-error.ts';
import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** A calendar day: `'2030-12-31'`, or a Date (its UTC day). */
export type Day = string | Date;

/** Arguments of {@link placeHold}. `note` may hold personal data: it stays in the hold, never the ledger. */
export interface PlaceHoldInput {
  subjectType: string;
  subjectId: string | number | bigint;
  reason: 'debt' | 'legal_claim' | 'custom';
  /** The day the hold ends (a debt's limitation date). */
  until?: Day | null;
  /** The day it is to be reviewed (an open-ended legal claim). */
  reviewOn?: Day | null;
  note?: string | null;
}

/** `YYYY-MM-DD` of a day given as text or Date; null when not given. */
export function day(value: Day | null | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new InvalidDeclarationError(`${what} is an invalid Date`, { code: 'PV011' });
    }
    return value.toISOString().slice(0, 10);
  }
  return value;
}

/** `privacy.place_hold`: nothing linked to the subject is swept or erased while it holds. Returns the hold id. */
export async function placeHold(db: Executor, input: PlaceHoldInput): Promise<string> {
  const id = await callPrivacyFunction<string | number>(db, 'place_hold', {
    subject_type: [input.subjectType, 'text'],
    subject_id: [String(input.subjectId), 'text'],
    reason: [input.reason, 'text'],
    until: [day(input.until, 'until'), 'date'],
    review_on: [day(input.reviewOn, 'reviewOn'), 'date'],
    note: [input.note ?? null, 'text'],
  });
  return String(id);
}
