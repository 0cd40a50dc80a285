import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['bin/integritet.js', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: db.url } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The day forecast: one month into next year, so that a bookkeeping minimum ending on 1 January
// ends in between whatever day the tests run on.
let at: string;

beforeAll(async () => {
  at = (await db.pool().query(`select (date_trunc('year', current_date) + interval '13 months')::date::text as at`)).rows[0].at;
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    insert into public.customer select g, 'Customer ' || g from generate_series(1, 4) g;
    -- Ledger entries: a year's keep, never before Bokföringslagen allows.
    create table public.entry (id bigint primary key, booked_on date not null, customer_id bigint references public.customer);
    insert into public.entry values
      (1, (date_trunc('year', current_date) - interval '9 years' + interval '30 days')::date, 1),  -- minimum over long ago
      (2, (date_trunc('year', current_date) - interval '7 years' + interval '30 days')::date, 1),  -- minimum ends on 1 January
      (3, (date_trunc('year', current_date) - interval '6 years' + interval '30 days')::date, 1);  -- a year later
    -- Visits: a year's keep, no minimum; customer 2 held until ten days from now, customer 3 open-ended.
    create table public.visit (id bigint primary key, customer_id bigint not null references public.customer, visited_on date not null);
    insert into public.visit values
      (1, 1, current_date - 800), (2, 1, current_date - 360), (3, 2, current_date - 800), (4, 3, current_date - 800);
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'visit', 'customer_id');
    select privacy.link_subject('customer', 'entry', 'customer_id');
    select privacy.set_retention('entry', anchor => 'booked_on', keep => '1 year', action => 'delete',
                                 minimum => 'bookkeeping', minimum_anchor => 'booked_on');
    select privacy.set_retention('visit', anchor => 'visited_on', keep => '1 year', action => 'delete');
    select privacy.place_hold('customer', '2', 'custom', until => current_date + 10, note => 'test');
    select privacy.place_hold('customer', '3', 'legal_claim', review_on => current_date + 30, note => 'test');`);
});

describe('the retention forecast', () => {
  it('says what a future day would delete and why: due now, the keep period, a minimum or a hold that ends', async () => {
    const { rows } = await db.pool().query(`select relation, action, reason, row_count::int, until::text
                                            from privacy.retention_forecast($1) order by relation, action, reason`, [at]);
    const nextYearEnd = (await db.pool().query(`select (date_trunc('year', current_date) + interval '2 years' - interval '1 day')::date::text as d`)).rows[0].d;
    expect(rows).toEqual([
      { relation: 'public.entry', action: 'delete', reason: 'due now', row_count: 1, until: null },
      { relation: 'public.entry', action: 'delete', reason: 'minimum:bookkeeping ends', row_count: 1, until: null },
      { relation: 'public.entry', action: 'kept', reason: 'minimum:bookkeeping', row_count: 1, until: nextYearEnd },
      { relation: 'public.visit', action: 'delete', reason: 'due now', row_count: 1, until: null },
      { relation: 'public.visit', action: 'delete', reason: 'hold:custom ends', row_count: 1, until: null },
      { relation: 'public.visit', action: 'delete', reason: 'keep period ends', row_count: 1, until: null },
      { relation: 'public.visit', action: 'kept', reason: 'hold:legal_claim', row_count: 1, until: null },
    ]);
  });

  it('counts the rows an erasure kept back that the day releases, and changes nothing', async () => {
    await db.pool().query(`select * from privacy.erase_subject('customer', '2', 'test: Art. 17')`);
    const before = (await db.pool().query(`select (select count(*) from public.visit) + (select count(*) from public.entry) as n`)).rows[0].n;
    const { rows } = await db.pool().query(`select relation, action, reason, row_count::int from privacy.retention_forecast($1)
                                            where action = 'release'`, [at]);
    // The customer's own row, and the visit: both kept by the hold until it ends.
    expect(rows).toEqual([{ relation: 'public.customer', action: 'release', reason: 'hold:custom', row_count: 1 },
                          { relation: 'public.visit', action: 'release', reason: 'hold:custom', row_count: 1 }]);
    expect((await db.pool().query(`select (select count(*) from public.visit) + (select count(*) from public.entry) as n`)).rows[0].n).toBe(before);
  });

  it('refuses a day in the past', async () => {
    await expect(db.pool().query(`select * from privacy.retention_forecast(current_date - 1)`)).rejects.toMatchObject({ code: 'PV011' });
  });

  it('integritet sweep --dry-run --at prints it; --at without --dry-run is refused', () => {
    const run = cli(['sweep', '--dry-run', '--at', at]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/public\.entry\s+would delete\s+minimum:bookkeeping ends\s+1/);
    expect(run.stdout).toMatch(/public\.visit\s+kept\s+hold:legal_claim\s+1/);
    const refused = cli(['sweep', '--at', at]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--dry-run');
  });
});
