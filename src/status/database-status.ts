import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationError } from '../errors/privacy-error.ts';
import { listSubjectRequests } from '../kysely/api/subject-requests.ts';
import { openKysely } from '../kysely/open-kysely.ts';
import { migrationStatus } from '../migrate/migrator.ts';
import { packageRoot } from '../package-root.ts';
import { callPrivacyTableFunction } from '../client/call-privacy.ts';
import type { SubjectRequest } from '../subjects/subject-reports.ts';

/** The latest sweep run of one table with a retention policy (`privacy.retention_status()`). */
export interface RetentionStatus {
  /** `schema.table`, quoted as SQL quotes it. */
  table: string;
  action: 'anonymize' | 'delete';
  /** The keep period, e.g. `90 days`. */
  keep: string;
  /** Cron expression and time zone of its scheduled sweeps. */
  schedule: string;
  timeZone: string;
  /** The latest run; null when the table was never swept (or its runs were purged, after a month). */
  lastRun: {
    id: string; state: 'running' | 'done' | 'failed'; startedAt: Date; finishedAt: Date | null; rows: number;
    /** Why it failed (SQLSTATE and constraint or column, never a value), and what to do; failed runs only. */
    error?: { message: string | null; hint: string | null };
  } | null;
  /** When the latest run that finished without failure ended. */
  lastDoneAt: Date | null;
  /** Rows a sweep will look at again: kept back by a minimum, hold or reference, or anchored late. */
  rowsQueued: number;
}

/** The privacy state of a database: what `integritet status` prints. */
export interface DatabaseStatus {
  /** This integritet's version. */
  version: string;
  /** False when the toolkit is not installed in the database; nothing else was read then. */
  installed: boolean;
  /** The latest versioned migration applied, e.g. `0006-location`. */
  schemaVersion: string | null;
  /** Migrations and definitions this version has that the database lacks or has changed: `integritet migrate up`. */
  toApply: string[];
  /** Objects of the toolkit that are missing or differ from what its definitions installed: `integritet migrate up` repairs them. */
  damaged: string[];
  /** `privacy.status()`: counts by area and item, in its order, e.g. `summary.requests.overdue`. */
  summary: Record<string, Record<string, number>>;
  /** `area.item` of the counts that need someone now (`privacy.status()` sets `alert`), e.g. `requests.overdue`. */
  alerts: string[];
  retention: RetentionStatus[];
  /** Open subject requests past their deadline, earliest deadline first. */
  overdueRequests: SubjectRequest[];
}

/**
 * Reads the privacy state of the database at `url` in one snapshot: migrations, the counts of
 * `privacy.status()`, the latest sweep of each table, and the overdue subject requests. Only
 * reads; needs privacy_admin. Waits while a migration runs, so it never sees half of one.
 */
export async function readDatabaseStatus(url: string): Promise<DatabaseStatus> {
  const migrations = await migrationStatus(url);
  const applied = migrations.filter((m) => m.kind === 'versioned' && m.state === 'applied');
  const status: DatabaseStatus = {
    version: (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version,
    installed: applied.length > 0,
    schemaVersion: applied.at(-1)?.name ?? null,
    toApply: migrations.filter((m) => m.state !== 'applied').map((m) => m.name),
    damaged: migrations.flatMap((m) => m.problems ?? []),
    summary: {},
    alerts: [],
    retention: [],
    overdueRequests: [],
  };
  if (!status.installed) return status;

  const db = openKysely(url, { max: 1 });
  try {
    // Repeatable read: the overdue requests listed are the ones counted.
    await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
      const lines = await callPrivacyTableFunction<{ area: string; item: string; value: string; alert: boolean }>(trx, 'status', {});
      for (const line of lines) {
        (status.summary[line.area] ??= {})[line.item] = Number(line.value);
        if (line.alert) status.alerts.push(`${line.area}.${line.item}`);
      }
      const tables = await callPrivacyTableFunction<{
        relation: string; action: 'anonymize' | 'delete'; keep: string; schedule: string; time_zone: string; last_run: string | null;
        last_run_state: 'running' | 'done' | 'failed' | null; last_run_started: Date | null; last_run_finished: Date | null;
        last_run_rows: string | null; last_done: Date | null; rows_queued: string;
      }>(trx, 'retention_status', {}, `relation, action, keep::text as keep, schedule, time_zone, last_run, last_run_state,
                                       last_run_started, last_run_finished, last_run_rows, last_done, rows_queued`);
      status.retention = tables.map((t) => ({
        table: t.relation, action: t.action, keep: t.keep, schedule: t.schedule, timeZone: t.time_zone,
        lastRun: t.last_run === null ? null : {
          id: t.last_run, state: t.last_run_state!, startedAt: t.last_run_started!, finishedAt: t.last_run_finished,
          rows: Number(t.last_run_rows ?? 0),
        },
        lastDoneAt: t.last_done, rowsQueued: Number(t.rows_queued),
      }));
      for (const table of status.retention) {
        if (table.lastRun?.state !== 'failed') continue;
        const [failure] = await callPrivacyTableFunction<{ error: string | null; hint: string | null }>(
          trx, 'sweep_failure', { run_id: [table.lastRun.id, 'bigint'] }, 'error, hint');
        table.lastRun.error = { message: failure?.error ?? null, hint: failure?.hint ?? null };
      }
      status.overdueRequests = await listSubjectRequests(trx, { which: 'overdue' });
    });
  } catch (error) {
    if (status.damaged.length > 0) {
      throw new MigrationError(`the toolkit in this database is damaged (${status.damaged.join(', ')}): run \`integritet migrate up\``,
        { code: 'TOOLKIT_DAMAGED', cause: error });
    }
    // A database whose toolkit predates this version may lack privacy.status() (42883).
    if (status.toApply.length > 0 && (error as { code?: string }).code === '42883') {
      throw new MigrationError(`the toolkit in this database is older than integritet ${status.version}: run \`integritet migrate up\``,
        { code: 'MIGRATION_PENDING', cause: error });
    }
    throw error;
  } finally {
    await db.destroy();
  }
  return status;
}
