import type { Policy } from './policy-types.ts';
import { tableKey } from './table-names.ts';
import type { SubjectExport } from '../subjects/subject-reports.ts';

/** `public."position"` (as SQL's format('%I.%I') writes it) → schema and table. */
export function parseRelation(relation: string): { schema: string; table: string } {
  const parts: string[] = [];
  let rest = relation;
  while (rest.length > 0) {
    if (rest.startsWith('"')) {
      let end = 1;
      let name = '';
      for (; end < rest.length; end++) {
        if (rest[end] === '"') {
          if (rest[end + 1] === '"') { name += '"'; end++; continue; }
          break;
        }
        name += rest[end];
      }
      parts.push(name);
      rest = rest.slice(end + 1);
    } else {
      const dot = rest.indexOf('.');
      parts.push(dot < 0 ? rest : rest.slice(0, dot));
      rest = dot < 0 ? '' : rest.slice(dot);
    }
    if (rest.startsWith('.')) rest = rest.slice(1);
  }
  return parts.length === 1 ? { schema: 'public', table: parts[0]! } : { schema: parts[0]!, table: parts[1]! };
}

/**
 * The export with each table's purpose and legal basis from the policy file: the catalog does not
 * store them, and Art. 15(1)(a) asks for the purposes. Tables the policy does not name keep null.
 */
export function withPurposes(document: SubjectExport, policy: Policy): SubjectExport {
  return {
    ...document,
    tables: document.tables.map((t) => {
      const declared = policy.tables?.[tableKey(parseRelation(t.table))];
      if (!declared) return t;
      const bases = declared.legalBasis === undefined ? undefined
        : Array.isArray(declared.legalBasis) ? [...declared.legalBasis] : [declared.legalBasis];
      return { ...t, purpose: declared.purpose ?? t.purpose, ...(bases ? { legal_basis: bases } : {}) };
    }),
  };
}
