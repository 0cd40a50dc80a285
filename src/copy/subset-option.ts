import { InvalidDeclarationError } from '../errors/privacy-error.ts';
import type { Subset } from './copy-plan.ts';

const SUBSET = /^\s*([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*:\s*(.+?)\s*$/s;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

/**
 * Parses `--subset` values: `customer: id in (1, 2, 3)` (a WHERE clause over the table's
 * columns) or `customer: 5%` (a stable share of its rows). A table without a schema is in
 * `public`. Throws an error with code `BAD_SUBSET` naming the value it cannot read.
 */
export function parseSubsets(values: string[]): Record<string, Subset> {
  const subsets: Record<string, Subset> = {};
  for (const value of values) {
    const match = SUBSET.exec(value);
    if (!match?.[1] || !match[2]) {
      throw new InvalidDeclarationError(`--subset ${JSON.stringify(value)}: write "table: condition" or "table: 5%"`, { code: 'BAD_SUBSET' });
    }
    const table = match[1].includes('.') ? match[1] : `public.${match[1]}`;
    const percent = PERCENT.exec(match[2]);
    if (percent?.[1] !== undefined) {
      const share = Number(percent[1]);
      if (share > 100) throw new InvalidDeclarationError(`--subset ${JSON.stringify(value)}: a share is at most 100%`, { code: 'BAD_SUBSET' });
      subsets[table] = { percent: share };
    } else {
      subsets[table] = { where: match[2] };
    }
  }
  return subsets;
}
