import type { ForeignKeyLink } from './foreign-keys.ts';

/**
 * The tables to propose for protection: those with personal columns, and every table linked to
 * one by a foreign key, directly or through other linked tables (a payment or a rental names its
 * customer, so its rows are personal data even when no column of its own looks like it).
 * Returns, for each linked table, the personal table its link runs to (for the evidence).
 */
export function linkedToSubjects(personal: Set<string>, links: ForeignKeyLink[]): Map<string, string> {
  const linked = new Map<string, string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const link of links) {
      if (personal.has(link.from) || linked.has(link.from) || link.from === link.to) continue;
      if (personal.has(link.to) || linked.has(link.to)) {
        linked.set(link.from, link.to);
        grew = true;
      }
    }
  }
  return linked;
}
