import type { Selectable } from 'kysely';

/** `privacy.category`: the categories a column can be classified into. Written only by migrations. */
export interface CategoryTable {
  name: string;
  /** False only for `not_personal`: the one category restricted roles read as stored. */
  personal: boolean;
  description: string;
}

/** A row of `privacy.category`. */
export type Category = Selectable<CategoryTable>;
