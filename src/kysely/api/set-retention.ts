import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';

/** The statutory minimums installed with the toolkit; others may be registered in SQL. */
export type KnownStatutoryMinimum = 'bookkeeping';

/** Arguments of {@link setRetention}. */
export interface SetRetentionInput {
  table: string;
  /** A date or timestamp column the keep period runs from. */
  anchor: string;
  /** A positive PostgreSQL interval: `'90 days'`, `'3 years'`, `'P1Y6M'`. */
  keep: string;
  action: 'anonymize' | 'delete';
  /** A statutory minimum the rows are kept for whatever `keep` says. */
  minimum?: KnownStatutoryMinimum | (string & {}) | null;
  /** The date column the minimum runs from; required with `minimum`. */
  minimumAnchor?: string | null;
  /** Five-field cron expression of the sweep (default `0 3 * * *`). */
  schedule?: string;
  /** Time zone of the schedule (default `UTC`). */
  timeZone?: string;
}

/** `privacy.set_retention`: how long rows are kept after their anchor date, and what happens then. */
export async function setRetention(db: Executor, input: SetRetentionInput): Promise<void> {
  await callPrivacyFunction(db, 'set_retention', {
    table_name: [input.table, 'text'],
    anchor: [input.anchor, 'text'],
    keep: [input.keep, 'text'],
    action: [input.action, 'text'],
    minimum: [input.minimum ?? null, 'text'],
    minimum_anchor: [input.minimumAnchor ?? null, 'text'],
    schedule: [input.schedule, 'text'],
    time_zone: [input.timeZone, 'text'],
  });
}
