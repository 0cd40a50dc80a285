import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { formatLint } from '../../src/policy/lint/format-lint.ts';
import { lintDatabase } from '../../src/policy/lint/lint-database.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { changed, kyselyFor } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');
const EXAMPLE = new URL('../../examples/tracking/integritet.config.ts', import.meta.url).pathname;

describe('lint', () => {
  let policy: Policy;
  let owner: ReturnType<typeof kyselyFor>;
  beforeAll(async () => {
    policy = await loadPolicy(EXAMPLE);
    owner = kyselyFor(db.url);
  });

  it('on a database nobody has classified: every table with personal-looking columns is unprotected', async () => {
    const result = await lintDatabase(owner);
    const unprotected = result.findings.filter((f) => f.rule === 'unprotected-personal-table').map((f) => f.object).sort();
    expect(unprotected).toEqual(['public.admin_user', 'public.contact_person', 'public.customer', 'public.device',
      'public.invoice', 'public.payment', 'public.position', 'public.trip', 'public.vehicle']);
    const customer = result.findings.find((f) => f.object === 'public.customer' && f.rule === 'unprotected-personal-table')!;
    expect(customer.message).toMatch(/email \(name looks like email\)/);
    expect(result.summary.errors).toBeGreaterThanOrEqual(9);
  });

  it('after the example policy: nothing is left, every personal table has retention', async () => {
    await applyPolicy(owner, policy);
    const result = await lintDatabase(owner, { policy });
    expect(result.findings.map((f) => `${f.severity} ${f.rule} ${f.object}`).sort()).toEqual([]);
    expect(formatLint(result)).toBe('No findings.');
  });

  it('a column added later is unclassified: personal by default, and an error', async () => {
    await sql`alter table public.vehicle add column colour text`.execute(owner);
    try {
      const result = await lintDatabase(owner);
      expect(result.findings).toContainEqual(expect.objectContaining({
        rule: 'unclassified-column', severity: 'error', object: 'public.vehicle.colour',
      }));
    } finally {
      await sql`alter table public.vehicle drop column colour`.execute(owner);
    }
  });

  it('reports drift from the policy file, with paths, and a policy that does not fit', async () => {
    const drifted = changed(policy, (p) => {
      p.tables.trip.columns.purpose.category = 'special';
      p.tables.vehicle.columns.colour = { category: 'not_personal' };
    });
    const invalid = await lintDatabase(owner, { policy: drifted });
    expect(invalid.findings).toContainEqual(expect.objectContaining({
      rule: 'policy-invalid', path: 'tables.vehicle.columns.colour', message: expect.stringMatching(/no column "colour"/),
    }));
    delete drifted.tables.vehicle.columns.colour;
    const result = await lintDatabase(owner, { policy: drifted });
    expect(result.findings).toContainEqual(expect.objectContaining({
      rule: 'policy-drift', severity: 'error', object: 'public.trip.purpose', path: 'tables.trip.columns.purpose',
      message: 'differs from the policy: category (column)',
    }));
  });

  it('reports declarations of columns that no longer exist', async () => {
    await sql`create table public.lint_scratch (id bigint primary key, colour text)`.execute(owner);
    await sql`select privacy.classify_column('lint_scratch', 'colour', 'not_personal')`.execute(owner);
    await sql`alter table public.lint_scratch drop column colour`.execute(owner);
    const result = await lintDatabase(owner);
    expect(result.findings).toContainEqual(expect.objectContaining({ rule: 'stale-declaration', object: 'public.lint_scratch.colour' }));
    await sql`select privacy.declassify_column('lint_scratch', 'colour')`.execute(owner);
    await sql`drop table public.lint_scratch`.execute(owner);
  });
});
