import type { ColumnType, Selectable } from 'kysely';

/** `privacy.ledger`: the append-only audit trail. Holds names of objects and counts, never values. */
export interface LedgerTable {
  id: ColumnType<string, never, never>;
  at: ColumnType<Date, never, never>;
  actor: ColumnType<string, never, never>;
  acting_role: ColumnType<string, never, never>;
  action: string;
  object: string;
  detail: Record<string, unknown>;
}

/** A row of `privacy.ledger`. */
export type LedgerEntry = Selectable<LedgerTable>;
