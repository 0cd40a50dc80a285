import type { Selectable } from 'kysely';

/** `privacy.statutory_minimum`: periods the law requires a record to be kept. */
export interface StatutoryMinimumTable {
  name: string;
  law: string;
  description: string;
  /** The period, as PostgreSQL's interval. */
  period: string | null;
  /** `anchor`, `end_of_calendar_year`, `end_of_fiscal_year` or `end_of_calendar_year_of_fiscal_year`. */
  counts_from: string;
  /** `minimum` (a retention policy can name it) or `limitation` (holds follow it); migration 0014 on. */
  kind: string;
  /** Section as cited, the version of the law, and where the citation comes from (migration 0014). */
  citation: string | null;
  version: string | null;
  source: string | null;
}

/** A row of `privacy.statutory_minimum`. */
export type StatutoryMinimum = Selectable<StatutoryMinimumTable>;
