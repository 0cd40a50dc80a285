import type { Selectable } from 'kysely';

/** `privacy.statutory_minimum`: periods the law requires a record to be kept. */
export interface StatutoryMinimumTable {
  name: string;
  law: string;
  description: string;
}

/** A row of `privacy.statutory_minimum`. */
export type StatutoryMinimum = Selectable<StatutoryMinimumTable>;
