import type { ForeignKeyLink } from './foreign-keys.ts';

/** A tenant column that the foreign keys make evident, and why. */
export interface EvidentTenant {
  /** The referencing column's name, e.g. `store_id`. */
  column: string;
  /** The tenant table, e.g. `public.store`, and its key column. */
  table: string;
  key: string;
  /** How many of the protected tables reference it through a column of that name. */
  tables: number;
}

/**
 * The tenant, where one is evident: the table that the most protected tables reference through
 * a column of the same name (at least two), the one with the fewest rows on a tie (tenants are
 * few: two stores, sixty customers). `rowCount` gives a table's number of rows.
 */
export function evidentTenant(protectedTables: Set<string>, links: ForeignKeyLink[],
                              rowCount: (table: string) => number): EvidentTenant | undefined {
  const referencing = new Map<string, { column: string; table: string; key: string; from: Set<string> }>();
  for (const link of links) {
    if (!protectedTables.has(link.from) || link.from === link.to) continue;
    const id = `${link.column}\u0000${link.to}`;
    const entry = referencing.get(id) ?? { column: link.column, table: link.to, key: link.toColumn, from: new Set<string>() };
    entry.from.add(link.from);
    referencing.set(id, entry);
  }
  const candidates = [...referencing.values()].filter((c) => c.from.size >= 2)
    .sort((a, b) => b.from.size - a.from.size || rowCount(a.table) - rowCount(b.table) || a.table.localeCompare(b.table));
  const best = candidates[0];
  return best && { column: best.column, table: best.table, key: best.key, tables: best.from.size };
}
