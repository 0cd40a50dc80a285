import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { sendSweepJob } from '../../src/worker/sweep-handlers.ts';
import { privateClusterAvailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.ts';
import { stackFrames, startCli, type CliProcess } from './cli-process.ts';

// The worker against a server that crashes, stays down a while, or loses the worker's database:
// it rides out the first two (one line per reconnection attempt, then carries on, and the job
// that was running is done soon after), and says so and exits non-zero on the third.

let cluster: PrivateCluster;
const sweeper = { name: `sweeper_${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('hex') };
const running: CliProcess[] = [];

function sweeperUrl(database: string): string {
  const url = new URL(cluster.urlOf(database));
  url.username = sweeper.name;
  url.password = sweeper.password;
  return url.toString();
}

async function query<T extends pg.QueryResultRow>(database: string, sql: string): Promise<T[]> {
  const client = new pg.Client(cluster.urlOf(database));
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A database with the toolkit, 3 000 expired rows to anonymize, and a pg-boss schema for the sweeper. */
async function appDatabase(name: string): Promise<void> {
  await query('postgres', `create database ${name}`);
  await migrateUp(cluster.urlOf(name));
  await query(name, `
    grant connect on database ${name} to ${sweeper.name};
    create schema boss authorization ${sweeper.name};
    create table public.fix (id bigint primary key, recorded_at timestamptz not null, lat float8 not null);
    insert into public.fix select g, now() - interval '40 days', 59.123456 from generate_series(1, 3000) g;
    select privacy.classify_column('fix', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 1}');
    select privacy.set_retention('fix', anchor => 'recorded_at', keep => '30 days', action => 'anonymize',
                                 schedule => '30 2 * * *', time_zone => 'UTC');`);
}

function startWorker(database: string): CliProcess {
  const worker = startCli(['worker', '--schema', 'boss', '--batch-size', '100'], sweeperUrl(database));
  running.push(worker);
  return worker;
}

/** Queues a sweep of public.fix through pg-boss, as the cron would. */
async function queueSweep(database: string): Promise<void> {
  const boss = new PgBoss({ connectionString: cluster.urlOf(database), schema: 'boss', supervise: false, schedule: false, migrate: false });
  boss.on('error', () => {});
  await boss.start();
  try {
    await sendSweepJob(boss, 'public.fix');
  } finally {
    await boss.stop({ graceful: false });
  }
}

async function anonymized(database: string): Promise<number> {
  const [row] = await query<{ n: number }>(database, 'select count(*)::int as n from public.fix where lat = 59.1');
  return row!.n;
}

beforeAll(async () => {
  if (!privateClusterAvailable) return;
  cluster = await startPrivateCluster();
  // Without a lock timeout the sweep waits for a lock the test holds: the job is surely running
  // when the server goes down.
  await query('postgres', `create role ${sweeper.name} login password '${sweeper.password}'`);
  await appDatabase('app'); // the install makes the group role privacy_sweeper
  await query('postgres', `grant privacy_sweeper to ${sweeper.name}; alter role ${sweeper.name} set privacy.sweep_lock_timeout = '0'`);
}, 180_000);

afterAll(async () => {
  for (const worker of running) worker.child.kill('SIGKILL');
});

describe.skipIf(!privateClusterAvailable)('integritet worker when the server goes away', () => {
  it('rides out a crash and a server down for seconds: one line per reconnection attempt, then the interrupted sweep is done', async () => {
    const worker = startWorker('app');
    await worker.waitForLine(/worker started/);
    const holder = new pg.Client(cluster.urlOf('app'));
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('begin; lock table public.fix in access exclusive mode');
    await queueSweep('app');
    for (let waited = 0; ; waited += 100) {
      const waiting = await query('app', `select 1 from pg_stat_activity where wait_event_type = 'Lock' and usename = '${sweeper.name}'`);
      if (waiting.length > 0) break;
      if (waited > 60_000) throw new Error(`the sweep never started:\n${worker.stdout()}`);
      await sleep(100);
    }

    await cluster.stop('immediate');
    const downAt = Date.now();
    await sleep(7_000);
    await cluster.start();
    await holder.end().catch(() => undefined);

    await worker.waitForLine(/database reachable again/, 60_000);
    await worker.waitForLine(/sweep public\.fix: 3000 rows anonymized/, 60_000);
    const resumedAfterMs = Date.now() - downAt;
    expect(await anonymized('app')).toBe(3000);
    expect(worker.child.exitCode).toBeNull();

    const log = worker.stdout() + worker.stderr();
    expect(log).not.toContain('[object Object]');
    expect(stackFrames(log), log).toEqual([]);
    const outage = log.split('\n').filter((l) => /database (unreachable|still unreachable)/.test(l));
    // 7 s down, probes 1, 2, 4 s apart: a handful of lines, not one per poll of every connection.
    expect(outage.length, log).toBeGreaterThanOrEqual(2);
    expect(outage.length, log).toBeLessThanOrEqual(6);
    expect(log.split('\n').filter((l) => / pg-boss: /.test(l)), log).toEqual([]);
    expect(log).toMatch(/sweep public\.fix failed \(job [^)]+\): .+; retried with backoff/);
    // The job's old expiry was 900 s; a heartbeat 10 s late gets it retried within seconds.
    expect(resumedAfterMs).toBeLessThan(90_000);

    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code, log).toBe(0);
    expect(exit.stdout).toMatch(/worker stopped: [1-9]\d* jobs? done, [1-9]\d* failed since it started/);
  }, 240_000);

  it('a job whose worker was killed is taken up by another worker within seconds, not after its expiry', async () => {
    await appDatabase('second');
    const first = startWorker('second');
    await first.waitForLine(/worker started/);
    const holder = new pg.Client(cluster.urlOf('second'));
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('begin; lock table public.fix in access exclusive mode');
    await queueSweep('second');
    for (let waited = 0; ; waited += 100) {
      const waiting = await query('second', `select 1 from pg_stat_activity where wait_event_type = 'Lock' and usename = '${sweeper.name}'`);
      if (waiting.length > 0) break;
      if (waited > 60_000) throw new Error(`the sweep never started:\n${first.stdout()}`);
      await sleep(100);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    await holder.query('rollback');
    await holder.end();

    const second = startWorker('second');
    await second.waitForLine(/sweep public\.fix: 3000 rows anonymized/, 120_000);
    expect(Date.now() - killedAt).toBeLessThan(90_000);
    expect(await anonymized('second')).toBe(3000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 240_000);

  it('with its database dropped, the worker says so and exits non-zero', async () => {
    await appDatabase('gone');
    const worker = startWorker('gone');
    await worker.waitForLine(/worker started/);
    await query('postgres', 'drop database gone with (force)');
    const exit = await Promise.race([worker.exited, sleep(60_000).then(() => undefined)]);
    expect(exit, `${worker.stdout()}\n${worker.stderr()}`).toBeDefined();
    expect(exit!.code).toBe(1);
    expect(exit!.stdout).toMatch(/database gone does not exist any more .*: stopping/);
    expect(exit!.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^integritet: database "gone" does not exist/)]);
    expect(stackFrames(exit!.stdout + exit!.stderr)).toEqual([]);
  }, 180_000);
});
