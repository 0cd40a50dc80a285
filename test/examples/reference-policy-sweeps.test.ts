// The reference policy sweeps cleanly on any date: every table of examples/tracking with personal
// columns has retention, and no sweep of any table fails on the schema's own constraints. The
// data is generated as of its default date (2026-06-30) and swept today; sweeping a year or ten
// years later is the same as sweeping today data generated one or ten years earlier, which is
// what is done (the database's clock cannot be moved).
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { installTrackingSchema, seedTracking } from '../../examples/tracking/seed.ts';
import { runSweep } from '../../src/retention/run-sweep.ts';
import type { SweepSummary } from '../../src/retention/sweep-summary.ts';
import { applyReferencePolicy, REFERENCE_POLICY } from '../subjects/subject-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const DEFAULT_AS_OF = new Date('2026-06-30T12:00:00Z');

function yearsBefore(date: Date, years: number): Date {
  const earlier = new Date(date);
  earlier.setUTCFullYear(date.getUTCFullYear() - years);
  return earlier;
}

describe.each([
  ['today', 0],
  ['a year from now', 1],
  ['ten years from now', 10],
])('the reference schema swept %s', (_when, years) => {
  const db = useTestDatabase('base');
  let summary: SweepSummary;

  beforeAll(async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await installTrackingSchema(client);
      await seedTracking(client, { scale: 0.05, seed: 1, asOf: yearsBefore(DEFAULT_AS_OF, years) });
    } finally {
      await client.end();
    }
    await applyReferencePolicy(db);
    summary = await runSweep(db.url, { erasures: false });
  }, 120_000);

  it('every table with personal columns has a retention policy, and each one is swept: done, none failed', () => {
    expect(summary.tables.map((t) => t.table).sort()).toEqual([
      'public."position"', 'public.admin_user', 'public.contact_person', 'public.customer', 'public.device',
      'public.invoice', 'public.payment', 'public.trip', 'public.vehicle',
    ]);
    expect(summary.tables.filter((t) => t.state !== 'done').map((t) => [t.table, t.state, t.error?.message])).toEqual([]);
    expect(summary.failed).toBe(false);
  });

  it('anonymized rows hold fakes that pass the schema, and no value a statutory minimum keeps was touched', async () => {
    const { rows } = await db.pool().query<{ fakes: number; real: number }>(`
      select count(*) filter (where org_number ~ '^0[0-9]{5}-[0-9]{4}$')::int as fakes,
             count(*) filter (where name is not null and org_number !~ '^0')::int as real
      from public.customer`);
    expect(rows[0]!.fakes + rows[0]!.real).toBeGreaterThan(0);
    // Bookkeeping: an invoice still under its minimum keeps its billing name.
    const kept = await db.pool().query<{ n: number }>(`
      select count(*)::int as n from public.invoice
      where privacy.minimum_ends('bookkeeping', fiscal_year_end) > current_date and billing_name = 'anonymized'`);
    expect(kept.rows[0]!.n).toBe(0);
  });

  if (years === 10) {
    it('lint --strict finds nothing in the reference schema and its policy', () => {
      const run = spawnSync(process.execPath, ['src/cli/main.ts', 'lint', '--strict', '--policy', REFERENCE_POLICY, '--database-url', db.url],
                            { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    });
  }
});
