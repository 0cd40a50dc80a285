import type pg from 'pg';
import { openClient } from '../database/open-client.ts';
import { redactUrl } from '../database/redact-url.ts';
import { withDatabase } from '../kysely/with-database.ts';
import { migrateUp } from '../migrate/migrator.ts';
import { applyPolicy } from '../policy/apply-policy.ts';
import { pullPolicy } from '../policy/pull-policy.ts';
import type { Policy } from '../policy/policy-types.ts';
import { assertCopySupport } from './copy-support-check.ts';
import { readCopyPlan, type CopyTable, type Subset } from './copy-plan.ts';
import { silentProgress, type CopyProgress } from './copy-progress.ts';
import { finishTarget, prepareTarget, removeDangling, runStatements } from './copy-target.ts';
import { openSourceSnapshot, type SourceSnapshot } from './source-snapshot.ts';
import { streamTable } from './stream-table.ts';

/** Options of {@link copyDatabase}. */
export interface CopyOptions {
  /** Connection string of the target: an empty database (or one an interrupted copy left). */
  to: string;
  /** Subsets by qualified table name (`public.customer`): see parseSubsets. */
  subsets?: Record<string, Subset>;
  /** Tables copied at once, each by a connection of its own into the same snapshot. Default 2. */
  jobs?: number;
  /** Retention is judged as of this instant (rows past their period stay behind). Default now. */
  asOf?: Date;
  progress?: CopyProgress;
}

/** What a copy did. */
export interface CopyResult {
  /** `restarted` when the target held an interrupted copy, which was removed first. */
  target: 'empty' | 'restarted';
  tables: { table: string; rows: number; protected: boolean }[];
  /** Rows removed because the parent they referenced stayed behind (a cycle of foreign keys). */
  dangling: number;
}

/**
 * Copies the source database into an empty target for development and tests: the schema, and
 * the rows that may lawfully leave the source, anonymized (sql/700-copy.sql), read in one
 * snapshot by several connections and streamed with COPY; the toolkit is installed in the target
 * meanwhile, and the source's catalog applied to it last, so the copy stays protected. The ledger of the source records
 * the copy (rows per table, never values). A copy that fails or is interrupted leaves a target
 * marked unfinished, which the next copy into it starts again.
 */
export async function copyDatabase(sourceUrl: string, options: CopyOptions): Promise<CopyResult> {
  const progress = options.progress ?? silentProgress;
  const target = await connect(options.to);
  let snapshot: SourceSnapshot | undefined;
  let installing: Promise<Policy> | undefined;
  try {
    const prepared = await prepareTarget(target, redactUrl(sourceUrl));
    // The toolkit goes into the target on a connection of its own while the schema and the rows
    // are copied: its steps touch only its own schemas, and its ~100 transactions (each a commit
    // and a round trip) would otherwise come after the rows, one by one. The source's catalog is
    // applied once the rows, constraints and indexes are in.
    installing = installToolkit(sourceUrl, options.to);
    installing.catch(() => undefined); // awaited below, or settled in `finally`
    snapshot = await openSourceSnapshot(sourceUrl);
    await assertCopySupport(snapshot.main);
    progress.step('reading the source');
    const plan = await readCopyPlan(snapshot.main, options.subsets ?? {}, options.asOf ?? new Date());

    progress.step(`making the schema (${plan.pre.length} objects)`);
    await inTransaction(target, () => runStatements(target, plan.pre, true));

    progress.step(`copying ${plan.tables.length} tables`);
    const copied = await copyRows(snapshot, options.to, plan.tables, options.jobs ?? 2, progress);
    // Where the source's unique fakes stopped: the target's own fakes continue after them, so a
    // sweep in the copy never draws a value the copy already holds.
    const { rows: [draws] } = await snapshot.main.query<{ at: string | null }>(
      `select case when pg_catalog.to_regclass('privacy.fake_draw') is not null
                   then pg_catalog.pg_sequence_last_value('privacy.fake_draw')::text end as at`);
    await snapshot.close();
    snapshot = undefined;

    progress.step('constraints, indexes and triggers');
    const dangling = await inTransaction(target, async () => {
      const removed = await removeDangling(target, plan.dangling);
      await runStatements(target, plan.post, true);
      for (const statement of plan.sequences) await target.query(statement);
      return removed;
    });

    progress.step('installing integritet with the source\'s catalog');
    const policy = await installing;
    await withDatabase(options.to, (db) => applyPolicy(db, policy));
    if (draws?.at) await target.query(`select pg_catalog.setval('privacy.fake_draw', $1::bigint)`, [draws.at]);
    await finishTarget(target);

    const rows = Object.fromEntries(copied.map((t) => [t.table, t.rows]));
    const source = await connect(sourceUrl);
    try {
      await source.query('select privacy.record_copy($1, $2)', [redactUrl(options.to), JSON.stringify(rows)]);
    } finally {
      await source.end();
    }
    return { target: prepared, tables: copied, dangling };
  } finally {
    progress.end();
    await snapshot?.close();
    // A copy that failed still waits for the install under way: it leaves the target marked
    // unfinished, never with a step of the toolkit still running in it.
    await installing?.catch(() => undefined);
    await target.end();
  }
}

/** Installs the toolkit in the target and reads the source's catalog as a policy. */
async function installToolkit(sourceUrl: string, targetUrl: string): Promise<Policy> {
  const [, pulled] = await Promise.all([migrateUp(targetUrl), withDatabase(sourceUrl, (db) => pullPolicy(db))]);
  return pulled.policy;
}

/** Streams every table with `jobs` pairs of connections, biggest tables first. */
async function copyRows(snapshot: SourceSnapshot, targetUrl: string, tables: CopyTable[], jobs: number,
                        progress: CopyProgress): Promise<CopyResult['tables']> {
  const queue = [...tables];
  const done: CopyResult['tables'] = [];
  const worker = async (): Promise<void> => {
    const reader = await snapshot.reader();
    const writer = await connect(targetUrl);
    try {
      for (let table = queue.shift(); table; table = queue.shift()) {
        const name = table.name;
        const estimated = table.estimatedRows;
        const rows = await streamTable(reader, writer, table, (n) => progress.rows(name, n, estimated));
        progress.tableDone(name, rows);
        done.push({ table: name, rows, protected: table.protected });
      }
    } catch (error) {
      queue.length = 0; // the other connections stop after their table
      throw error;
    } finally {
      await writer.end();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tables.length)) }, worker));
  return done.sort((a, b) => a.table.localeCompare(b.table));
}

function connect(url: string): Promise<pg.Client> {
  return openClient(url, { applicationName: 'integritet copy' });
}

async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query('set local check_function_bodies = off');
    // The toolkit is being installed beside this DDL: its event trigger, once there, has nothing
    // to keep in step yet (no table is protected before the catalog is applied), so it is told
    // to stand aside rather than left to run or not depending on which finished first.
    await client.query(`select pg_catalog.set_config('privacy.syncing', 'on', true)`);
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
