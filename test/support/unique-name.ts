import { randomBytes } from 'node:crypto';

/**
 * A database or role name that no other test file, worker or concurrent run will pick:
 * `prefix` plus 10 random hex digits (lowercase, so it never needs quoting in psql).
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
