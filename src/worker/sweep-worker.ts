import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { requireToolkit } from '../migrate/installed-toolkit.ts';
import { registerErasureHandlers } from './erasure-handlers.ts';
import { registerSweepHandlers } from './sweep-handlers.ts';
import type { SweepQueueOptions } from './sweep-queue.ts';
import { syncSweepSchedules } from './sweep-schedules.ts';

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
}

/** A running worker. */
export interface SweepWorker {
  readonly boss: PgBoss;
  /** Tables scheduled at the last refresh. */
  readonly tables: () => string[];
  /**
   * Stops gracefully: no new jobs; running jobs finish their current batch, queue a follow-up
   * job for the rest and complete; then the connections close.
   */
  stop(): Promise<void>;
}

/**
 * Starts a sweep worker: pg-boss with one cron schedule per retention policy (the policy's
 * cron expression and time zone), the sweep handler, and a periodic refresh of the schedules.
 */
export async function startSweepWorker(options: SweepWorkerOptions): Promise<SweepWorker> {
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 2;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: concurrency + 1, application_name: 'integritet worker' });
  pool.on('error', (error) => log(`connection error: ${error.message}`));
  const schema = options.schema ?? 'integritet_boss';
  // Without the toolkit there is nothing to sweep: refuse before pg-boss creates its schema.
  // A sweeper may not create schemas: when the DBA made it one, pg-boss must not try to.
  const exists = await requireToolkit(pool)
    .then(() => pool.query<{ exists: boolean }>('select pg_catalog.to_regnamespace($1) is not null as exists', [schema]))
    .then((r) => r.rows[0]!.exists, async (error: unknown) => {
      await pool.end();
      throw error;
    });
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema,
    createSchema: !exists,
    application_name: 'integritet worker (pg-boss)',
    max: 4,
  });
  boss.on('error', (error) => log(`pg-boss: ${error instanceof Error ? error.message : String(error)}`));
  const stopping = new AbortController();
  let tables: string[] = [];
  let refresh: NodeJS.Timeout | undefined;
  try {
    await boss.start();
    await registerSweepHandlers(boss, { ...options, pool, concurrency, signal: stopping.signal, log });
    await registerErasureHandlers(boss, { pool, log });
    const sync = async () => {
      tables = (await syncSweepSchedules(boss, pool)).map((s) => s.table);
    };
    await sync();
    refresh = setInterval(() => {
      sync().catch((error: unknown) => log(`refreshing schedules failed: ${error instanceof Error ? error.message : String(error)}`));
    }, (options.refreshSchedulesSeconds ?? 300) * 1000);
    refresh.unref();
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    boss,
    tables: () => tables,
    stop: () => (stopped ??= (async () => {
      clearInterval(refresh);
      stopping.abort();
      await boss.stop({ graceful: true, timeout: 60_000 });
      await pool.end();
    })()),
  };
}
