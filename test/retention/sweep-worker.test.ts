import { setTimeout as sleep } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSweepHandlers, sendSweepJob } from '../../src/worker/sweep-handlers.ts';
import { SWEEP_DEAD_LETTER_QUEUE, SWEEP_QUEUE } from '../../src/worker/sweep-queue.ts';
import { startSweepWorker, type SweepWorker } from '../../src/worker/sweep-worker.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { uniqueName } from '../support/unique-name.ts';

const db = useTestDatabase('base');
let sweeper: LoginRole;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool().query(sql);
  return Number(Object.values(rows[0])[0]);
}

/** A schema for pg-boss owned by the sweeper login: the only thing it may create. */
async function bossSchema(): Promise<string> {
  const schema = uniqueName('boss');
  await db.pool().query(`create schema ${schema} authorization ${sweeper.name}`);
  return schema;
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.fix (id bigint primary key, recorded_at timestamptz not null, lat float8 not null, note text);
    insert into public.fix select g, now() - interval '40 days' - g * interval '1 second', 59.123456, 'note'
      from generate_series(1, 30000) g;
    select privacy.classify_column('fix', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 1}');
    select privacy.set_retention('fix', anchor => 'recorded_at', keep => '30 days', action => 'anonymize',
                                 schedule => '30 2 * * *', time_zone => 'Europe/Stockholm');
    create table public.broken (id bigint primary key, ended_on date, owner_id bigint not null references public.fix);
    insert into public.broken values (1, '2010-01-01', 1);
    select privacy.set_retention('broken', anchor => 'ended_on', keep => '1 year', action => 'anonymize');`);
  sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
});

describe('integritet worker (pg-boss)', () => {
  let worker: SweepWorker;
  let schema: string;
  let extraPool: pg.Pool | undefined;

  beforeAll(async () => {
    schema = await bossSchema();
    worker = await startSweepWorker({ databaseUrl: sweeper.url, schema, timeBudgetSeconds: 0.2, batchSize: 100,
                                      retryLimit: 1, retryDelaySeconds: 1 });
  });
  afterAll(async () => {
    await worker?.stop();
    await extraPool?.end();
  });

  it('schedules one job per policy, with its cron expression and time zone, keyed by table', async () => {
    const schedules = await worker.boss.getSchedules(SWEEP_QUEUE);
    expect(schedules.map((s) => ({ key: s.key, cron: s.cron, timezone: s.timezone, data: s.data })).sort((a, b) => a.key.localeCompare(b.key)))
      .toEqual([
        { key: 'public.broken', cron: '0 3 * * *', timezone: 'UTC', data: { table: 'public.broken' } },
        { key: 'public.fix', cron: '30 2 * * *', timezone: 'Europe/Stockholm', data: { table: 'public.fix' } },
      ]);
  });

  it('runs a long sweep in follow-up jobs within its time budget, with nothing but the table in the payload', async () => {
    expect(await sendSweepJob(worker.boss, 'public.fix')).toEqual(expect.any(String));
    await until('the sweep to finish', async () => (await count(`select count(*) from privacy.ledger where action = 'sweep' and object = 'public.fix'`)) > 0, 60_000);
    expect(await count(`select count(*) from public.fix where lat <> 59.1 or note is not null`)).toBe(0);
    const jobs = await worker.boss.findJobs<{ table: string }>(SWEEP_QUEUE);
    expect(jobs.length).toBeGreaterThan(1);
    for (const job of jobs) expect(job.data).toEqual({ table: 'public.fix' });
    const outputs = jobs.filter((j) => j.state === 'completed').map((j) => j.output as { rows: number; complete: boolean });
    expect(outputs.reduce((n, o) => n + o.rows, 0)).toBe(30000);
    expect(outputs.filter((o) => o.complete)).toHaveLength(1);
  });

  it('keeps one sweep per table queued at a time', async () => {
    await worker.boss.offWork(SWEEP_QUEUE, { wait: true });
    const first = await sendSweepJob(worker.boss, 'public.fix');
    const second = await sendSweepJob(worker.boss, 'public.fix');
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    await worker.boss.deleteQueuedJobs(SWEEP_QUEUE);
  });

  it('keeps completed jobs briefly and sends jobs that keep failing to the dead-letter queue', async () => {
    const queue = await worker.boss.getQueue(SWEEP_QUEUE);
    expect(queue).toMatchObject({ policy: 'stately', deadLetter: SWEEP_DEAD_LETTER_QUEUE, deleteAfterSeconds: 3600,
                                  retryBackoff: true, retryLimit: 1 });
    extraPool = new pg.Pool({ connectionString: sweeper.url, max: 2 });
    extraPool.on('error', () => {});
    await registerSweepHandlers(worker.boss, { pool: extraPool, retryLimit: 1, retryDelaySeconds: 1 });
    await sendSweepJob(worker.boss, 'public.broken');
    const dead = await until('the job in the dead-letter queue', async () => {
      const jobs = await worker.boss.findJobs<{ table: string }>(SWEEP_DEAD_LETTER_QUEUE);
      return jobs.length > 0 && jobs;
    }, 60_000);
    expect(dead[0]!.data).toEqual({ table: 'public.broken' });
    const failed = (await worker.boss.findJobs(SWEEP_QUEUE)).filter((j) => j.state === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.retryCount).toBe(1);
  });
});

describe('an application with its own PgBoss', () => {
  it('registers the sweep handlers on it, and they stop gracefully, handing over the rest', async () => {
    await db.pool().query(`
      create table public.trip (id bigint primary key, ended_at timestamptz not null, driver text);
      insert into public.trip select g, now() - interval '400 days' - g * interval '1 second', 'Driver' from generate_series(1, 20000) g;
      -- A millisecond per row deleted: the whole sweep would take 20 s, so the stop below always
      -- lands while rows are left, however fast the server is.
      create function public.trip_slow_delete() returns trigger language plpgsql as
        'begin perform pg_sleep(0.001); return old; end';
      create trigger trip_slow_delete before delete on public.trip for each row execute function public.trip_slow_delete();
      select privacy.set_retention('trip', anchor => 'ended_at', keep => '1 year', action => 'delete');`);
    const schema = await bossSchema();
    const boss = new PgBoss({ connectionString: sweeper.url, schema, createSchema: false });
    boss.on('error', () => {});
    await boss.start();
    const pool = new pg.Pool({ connectionString: sweeper.url, max: 2 });
    pool.on('error', () => {});
    const stopping = new AbortController();
    try {
      await registerSweepHandlers(boss, { pool, batchSize: 50, signal: stopping.signal });
      await sendSweepJob(boss, 'public.trip');
      await until('the sweep to start', async () => (await count(`select count(*) from public.trip`)) < 20000);
      stopping.abort();
      await boss.stop({ graceful: true, timeout: 30_000 });
    } finally {
      await pool.end();
    }
    const left = await count(`select count(*) from public.trip`);
    expect(left).toBeGreaterThan(0);
    // The job completed with what it did, and queued a follow-up for the rest.
    const reader = new PgBoss({ connectionString: db.url, schema, createSchema: false });
    reader.on('error', () => {});
    await reader.start();
    try {
      const jobs = await reader.findJobs<{ table: string }>(SWEEP_QUEUE);
      expect(jobs.map((j) => j.state).sort()).toEqual(['completed', 'created']);
      expect(jobs.find((j) => j.state === 'completed')!.output).toMatchObject({ complete: false, rows: 20000 - left });
    } finally {
      await reader.stop({ graceful: false });
    }
  });
});
