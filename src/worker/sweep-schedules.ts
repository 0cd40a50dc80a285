import type { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';
import { SWEEP_QUEUE, sweepJobKey } from './sweep-queue.ts';

/** A table's sweep schedule as the catalog declares it. */
export interface SweepSchedule {
  table: string;
  /** Five-field cron expression. */
  cron: string;
  timeZone: string;
}

/** The sweep schedules of every table with a retention policy (`privacy.sweep_schedules()`). */
export async function readSweepSchedules(pool: pg.Pool): Promise<SweepSchedule[]> {
  try {
    const { rows } = await pool.query<{ table_name: string; schedule: string; time_zone: string }>(
      'select table_name, schedule, time_zone from privacy.sweep_schedules()');
    return rows.map((r) => ({ table: r.table_name, cron: r.schedule, timeZone: r.time_zone }));
  } catch (error) {
    throw toPrivacyError(error);
  }
}

/**
 * Makes pg-boss's schedules of the sweep queue match the policies: one per table, with the
 * policy's cron expression and time zone; schedules of tables without a policy are removed.
 * Returns the tables scheduled.
 */
export async function syncSweepSchedules(boss: PgBoss, pool: pg.Pool): Promise<SweepSchedule[]> {
  const wanted = await readSweepSchedules(pool);
  const keys = new Set(wanted.map((s) => sweepJobKey(s.table)));
  for (const schedule of wanted) {
    const key = sweepJobKey(schedule.table);
    await boss.schedule(SWEEP_QUEUE, schedule.cron, { table: schedule.table }, {
      tz: schedule.timeZone, key, singletonKey: key,
    });
  }
  for (const existing of await boss.getSchedules(SWEEP_QUEUE)) {
    if (!keys.has(existing.key)) await boss.unschedule(SWEEP_QUEUE, existing.key);
  }
  return wanted;
}
