import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/retention/run-sweep.ts';
import { useTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The same data in two databases: one swept without interruption, the other by a sweep process
// killed with SIGKILL at random moments and started again.
const reference = useTestDatabase('base');
const killed = useTestDatabase('base');

const ROWS = 120_000;

// One "now" for both databases, so that their rows are equal to the microsecond.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();

async function install(db: TestDatabase): Promise<void> {
  // Fixes of 8 customers; the expired ones are 40 to 96 days old, the current ones under 7 days
  // (the 30-day cutoff falls in the gap, so both databases sweep the same rows whenever they run).
  // Customer 3 is under a legal hold; a quarter of the fixes carry a fiscal year that bookkeeping
  // still keeps.
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    insert into public.customer select g, 'Customer ' || g from generate_series(1, 8) g;
    create table public.fix (id bigint primary key, customer_id bigint not null references public.customer,
                             recorded_at timestamptz not null, lat float8 not null, lon float8 not null,
                             fiscal_year_end date not null, note text);
    insert into public.fix
      select g, 1 + g % 8,
             case when g % 4 = 0 then '${NOW}'::timestamptz - (g % 10000) * interval '1 minute'
                  else '${NOW}'::timestamptz - interval '40 days' - g * interval '1 minute' end,
             59.000123 + g % 997 / 1000.0, 18.000456 + g % 991 / 1000.0,
             case when g % 5 = 0 then (date_trunc('year', now()) - interval '1 day')::date else '2010-12-31' end,
             'note ' || g
      from generate_series(1, ${ROWS}) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'fix', 'customer_id');
    select privacy.classify_column('fix', 'customer_id', 'not_personal');
    select privacy.classify_column('fix', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('fix', 'lon', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.set_retention('fix', anchor => 'recorded_at', keep => '30 days', action => 'anonymize',
                                 minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');
    select privacy.place_hold('customer', '3', 'legal_claim', review_on => current_date + 30);`);
}

async function one<T>(pool: pg.Pool, sql: string): Promise<T> {
  const { rows } = await pool.query(sql);
  return Object.values(rows[0] ?? {})[0] as T;
}

const TABLE_HASH = `select md5(string_agg(f::text, '|' order by id)) from public.fix f`;
const PROTECTED = `from public.fix where customer_id = 3 or fiscal_year_end > '2010-12-31'`;
const HALF_DONE = `select count(*)::int from public.fix
  where (lat = round(lat::numeric, 2)::float8) <> (lon = round(lon::numeric, 2)::float8)
     or (lat = round(lat::numeric, 2)::float8) <> (note is null)`;

function sweepProcess(db: TestDatabase) {
  return spawn(process.execPath, ['bin/integritet.js', 'sweep', '--table', 'fix', '--batch-size', '200', '--lock-budget', '20',
                                  '--database-url', db.url],
               { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('a sweep worker killed with SIGKILL at random moments', () => {
  let protectedBefore: string;

  beforeAll(async () => {
    await Promise.all([install(reference), install(killed)]);
    protectedBefore = await one(killed.pool(), `select md5(string_agg(f::text, '|' order by id)) ${PROTECTED.replace('from public.fix', 'from public.fix f')}`);
    const summary = await runSweep(reference.url, { table: 'fix', batchSize: 200, lockBudgetMs: 20 });
    expect(summary.tables[0]!.rows).toBeGreaterThan(10_000);
  }, 240_000);

  it('ends, once restarted, in exactly the state of an uninterrupted run', async () => {
    let kills = 0;
    for (let attempt = 0; kills < 12 && attempt < 60; attempt++) {
      const before = await one<string>(killed.pool(), `select count(*) from privacy.sweep_batch where state = 'done'`);
      const child = sweepProcess(killed);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Wait until it is sweeping (the CLI takes a second or two to start), then kill it at a
      // random moment: in a batch, between batches, while planning or finishing.
      for (let waited = 0; waited < 10_000 && child.exitCode === null; waited += 25) {
        const now = await one<string>(killed.pool(), `select count(*) from privacy.sweep_batch where state = 'done'`);
        if (Number(now) > Number(before)) break;
        await sleep(25);
      }
      // Within 200 ms: the whole sweep takes a few seconds, and the test wants at least 10 kills
      // that each cut it off somewhere in the middle.
      await sleep(Math.random() * 200);
      const running = child.exitCode === null;
      child.kill('SIGKILL');
      await exited;
      const after = await one<string>(killed.pool(), `select count(*) from privacy.sweep_batch where state = 'done'`);
      const done = await one<string>(killed.pool(), `select count(*) from privacy.sweep_run where phase not in ('done', 'failed')`);
      if (running && Number(after) > Number(before) && Number(done) > 0) kills += 1;
      // Nothing may ever be half-anonymized, at any moment.
      expect(await one(killed.pool(), HALF_DONE)).toBe(0);
      if (Number(done) === 0 && Number(after) > 0) break;
    }
    console.log(`${kills} kills in the middle of the sweep`);
    expect(kills).toBeGreaterThanOrEqual(10);

    const last = spawnSync(process.execPath, ['bin/integritet.js', 'sweep', '--table', 'fix', '--json', '--database-url', killed.url],
                           { encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ complete: true, failed: false });

    expect(await one(killed.pool(), TABLE_HASH)).toBe(await one(reference.pool(), TABLE_HASH));
    expect(await one(killed.pool(), HALF_DONE)).toBe(0);
    expect(await one(killed.pool(), `select md5(string_agg(f::text, '|' order by id)) ${PROTECTED.replace('from public.fix', 'from public.fix f')}`))
      .toBe(protectedBefore);
    // Counted once each, however often the work was cut off.
    const anonymized = `select sum((detail->>'anonymized')::int)::int from privacy.ledger where action = 'sweep'`;
    expect(await one(killed.pool(), anonymized)).toBe(await one(reference.pool(), anonymized));
  }, 180_000);
});
