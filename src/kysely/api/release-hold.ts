import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link releaseHold}. */
export interface ReleaseHoldInput {
  holdId: string | number | bigint;
}

/** `privacy.release_hold`: ends a hold in force (it stays on record). */
export async function releaseHold(db: Executor, input: ReleaseHoldInput): Promise<void> {
  await callPrivacyFunction(db, 'release_hold', { hold_id: [String(input.holdId), 'bigint'] });
}
