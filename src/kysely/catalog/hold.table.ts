import type { ColumnType, Selectable } from 'kysely';

/**
 * `privacy.hold`: legal holds on a subject. `subject_id` and `note` may be personal data: read
 * them only where a person needs them, never into logs or reports.
 */
export interface HoldTable {
  /** bigint, which `pg` returns as a string. */
  id: ColumnType<string, never, never>;
  subject_type: string;
  subject_id: string;
  reason: 'debt' | 'legal_claim' | 'custom';
  /** `date`, which `pg` returns as a Date at local midnight: select `until::text` for the day. */
  until: Date | null;
  review_on: Date | null;
  note: string | null;
  placed_at: ColumnType<Date, never, never>;
  placed_by: ColumnType<string, never, never>;
  released_at: Date | null;
  released_by: string | null;
}

/** A row of `privacy.hold`. */
export type Hold = Selectable<HoldTable>;
