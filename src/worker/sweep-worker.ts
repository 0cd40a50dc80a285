import { PgBoss } from 'pg-boss';
import { requireToolkit } from '../migrate/installed-toolkit.ts';
import { connectTimeoutMs } from '../database/connection-config.ts';
import { openClient } from '../database/open-client.ts';
import { openPool } from '../database/open-pool.ts';
import { describeWorkerError, watchDatabaseOutages } from './database-outage.ts';
import { registerErasureHandlers } from './erasure-handlers.ts';
import { registerSweepHandlers } from './sweep-handlers.ts';
import type { SweepQueueOptions } from './sweep-queue.ts';
import { syncSweepSchedules, type SweepSchedule } from './sweep-schedules.ts';

/** Options of {@link startSweepWorker}. */
export interface SweepWorkerOptions extends SweepQueueOptions {
  /** Connection string of a login that is a member of privacy_sweeper. */
  databaseUrl: string;
  /**
   * The schema of pg-boss's tables (default `integritet_boss`). The worker's login must own it
   * or be able to create it: `create schema integritet_boss authorization <worker login>`.
   */
  schema?: string;
  /** Jobs (tables) swept at once by this process (default 2). */
  concurrency?: number;
  batchSize?: number;
  /** How long one transaction may keep taking quick batches (default 200 ms). */
  lockBudgetMs?: number;
  /** How often the schedules are matched to the policies again (default 300 s). */
  refreshSchedulesSeconds?: number;
  log?: (line: string) => void;
  /**
   * Called once when the worker cannot go on (its database was dropped); it has begun to stop,
   * and the process should exit non-zero. Without it, the error is only logged.
   */
  onFatal?: (error: Error) => void;
  /** Aborting it while the worker connects for the first time gives up at once. */
  signal?: AbortSignal;
}

/** A running worker. */
export interface SweepWorker {
  readonly boss: PgBoss;
  /** Tables scheduled at the last refresh. */
  readonly tables: () => string[];
  /** Their schedules at the last refresh: each table's cron expression and time zone. */
  readonly schedules: () => SweepSchedule[];
  /** Jobs this worker ended since it started, by outcome. */
  readonly jobs: () => { done: number; failed: number };
  /**
   * Stops gracefully: no new jobs; running jobs finish their current batch, queue a follow-up
   * job for the rest and complete; then the connections close.
   */
  stop(): Promise<void>;
}

/**
 * Starts a sweep worker: pg-boss with one cron schedule per retention policy (the policy's
 * cron expression and time zone), the sweep handler, and a periodic refresh of the schedules.
 * It rides out a restart or failover of the server: while the database is unreachable it logs
 * one line per reconnection attempt (with backoff) and carries on once it answers; jobs that were
 * running then are retried within seconds (heartbeats). A dropped database stops it (`onFatal`).
 */
export async function startSweepWorker(options: SweepWorkerOptions): Promise<SweepWorker> {
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 2;
  const schema = options.schema ?? 'integritet_boss';
  // A sweeper may not create schemas: when the DBA made it one, pg-boss must not try to. The first
  // connection also tells a server that never answers (or a stop while waiting for it) early.
  const probe = await openClient(options.databaseUrl, { applicationName: 'integritet worker', signal: options.signal });
  // Without the toolkit there is nothing to sweep: refuse before pg-boss creates its schema.
  const exists = await requireToolkit(probe)
    .then(() => probe.query<{ exists: boolean }>('select pg_catalog.to_regnamespace($1) is not null as exists', [schema]))
    .then((r) => r.rows[0]!.exists)
    .finally(() => probe.end().catch(() => undefined));
  let fatal: Error | undefined;
  const outages = watchDatabaseOutages({
    url: options.databaseUrl,
    log,
    onFatal: (error) => {
      fatal = error;
      if (options.onFatal) options.onFatal(error);
    },
  });
  const report = (what: string) => (error: unknown) => {
    if (!outages.report(error)) log(`${what}: ${describeWorkerError(error)}`);
  };
  const pool = openPool(options.databaseUrl, { max: concurrency + 1, applicationName: 'integritet worker', onIdleError: report('connection error') });
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema,
    createSchema: !exists,
    application_name: 'integritet worker (pg-boss)',
    max: 4,
    connectionTimeoutMillis: connectTimeoutMs(options.databaseUrl),
    // Expiry and heartbeat checks every few seconds, so a job whose worker died is retried soon.
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
  });
  boss.on('error', report('pg-boss'));
  const stopping = new AbortController();
  const jobs = { done: 0, failed: 0 };
  const onJobEnd = (outcome: 'done' | 'failed') => {
    jobs[outcome] += 1;
  };
  let schedules: SweepSchedule[] = [];
  let refresh: NodeJS.Timeout | undefined;
  try {
    await boss.start();
    await registerSweepHandlers(boss, { ...options, pool, concurrency, signal: stopping.signal, log, onJobEnd });
    await registerErasureHandlers(boss, { pool, log, onJobEnd });
    const sync = async () => {
      schedules = await syncSweepSchedules(boss, pool);
    };
    await sync();
    refresh = setInterval(() => {
      sync().catch(report('refreshing schedules failed'));
    }, (options.refreshSchedulesSeconds ?? 300) * 1000);
    refresh.unref();
  } catch (error) {
    outages.close();
    await boss.stop({ graceful: false }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    boss,
    tables: () => schedules.map((s) => s.table),
    schedules: () => schedules.map((s) => ({ ...s })),
    jobs: () => ({ ...jobs }),
    stop: () => (stopped ??= (async () => {
      clearInterval(refresh);
      outages.close();
      stopping.abort();
      // Running sweeps stop after their batch (runSweep gives a stuck one 10 s); erasures are short.
      await boss.stop({ graceful: !fatal, timeout: 30_000 });
      await pool.end().catch(() => undefined);
    })()),
  };
}
