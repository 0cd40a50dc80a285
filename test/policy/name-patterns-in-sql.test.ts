import { describe, expect, it } from 'vitest';
import { kindFromName, NAME_PATTERNS } from '../../src/policy/discover/column-name-patterns.ts';
import { useTestDatabase } from '../support/test-database.ts';

// verify (in SQL) names unprotected tables by the same column-name evidence discover (in
// TypeScript) uses: if one list changes without the other, they would disagree on what is personal.
const db = useTestDatabase('base');

describe('the column-name patterns of discover and of verify', () => {
  it('are the same list, in the same order', async () => {
    const { rows } = await db.pool().query<{ pattern: string; kind: string }>(
      'select pattern, kind from privacy.column_name_pattern() order by ord');
    expect(rows.map((r) => [r.pattern, r.kind])).toEqual(NAME_PATTERNS.map(([pattern, kind]) => [pattern.source, kind]));
  });

  it('judge names alike, camelCase included', async () => {
    const names = ['email', 'lastLoginIp', 'first_name', 'customer_id', 'amount_sek', 'Personnummer', 'home_address',
                   'address_line2', 'zip', 'user_token', 'allergies', 'registration_number', 'id'];
    const { rows } = await db.pool().query<{ name: string; kind: string | null }>(
      'select n as name, privacy.column_kind_by_name(n) as kind from unnest($1::text[]) n', [names]);
    expect(rows.map((r) => [r.name, r.kind ?? undefined])).toEqual(names.map((n) => [n, kindFromName(n)?.kind]));
  });
});
