import type pg from 'pg';
import { toPrivacyError } from '../../src/errors/privacy-error.ts';
import { sweepStep } from '../../src/retention/sweep-step.ts';
import type { SweepLine } from '../../src/retention/sweep-summary.ts';

/**
 * A keep period that makes `instant` the cutoff of a sweep run now: rows anchored before it have
 * expired. Test data has fixed dates while the clock moves on, so periods are computed, not fixed.
 */
export async function keepUntil(db: pg.ClientBase | pg.Pool, instant: string): Promise<string> {
  const { rows } = await db.query<{ keep: string }>(
    `select (pg_catalog.justify_hours(now() - $1::timestamptz))::text as keep`, [instant]);
  return rows[0]!.keep;
}

/** Everything a sweep or a declaration can change, as one comparable string. */
export async function retentionFootprint(db: pg.ClientBase | pg.Pool, tables: string[] = []): Promise<string> {
  const parts = [
    'select count(*) from privacy.retention_policy', 'select count(*) from privacy.hold',
    'select count(*) from privacy.hold_event', 'select count(*) from privacy.ledger',
    'select count(*) from privacy.sweep_run', 'select count(*) from privacy.sweep_batch',
    'select count(*) from privacy.retention_pending', `select coalesce(string_agg(done_below::text, ','), '') from privacy.sweep_state`,
    ...tables.map((t) => `select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${t} as x`),
  ];
  const { rows } = await db.query<{ footprint: string }>(
    `select concat_ws(' / ', ${parts.map((p) => `(${p})`).join(', ')}) as footprint`);
  return rows[0]!.footprint;
}

/** The error a statement fails with, as the toolkit's error class; fails the test if it succeeds. */
export async function failureOf(db: pg.ClientBase | pg.Pool, sql: string, values: unknown[] = []): Promise<Error & { code?: string; object?: string }> {
  try {
    await db.query(sql, values);
  } catch (error) {
    return toPrivacyError(error) as Error & { code?: string };
  }
  throw new Error(`expected an error from: ${sql}`);
}

/** Calls privacy.sweep() until the table's run is done; returns every line it gave. */
export async function sweepToEnd(client: pg.ClientBase, table: string, batchSize = 1000): Promise<SweepLine[]> {
  const notBefore = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
  const lines: SweepLine[] = [];
  for (let i = 0; i < 10_000; i++) {
    const step = await sweepStep(client, { table, batchSize, notBefore });
    lines.push(...step);
    const state = step.at(-1)?.runState;
    if (state === 'done' || state === 'failed') return lines;
  }
  throw new Error(`sweep of ${table} did not end`);
}

/** Rows acted on (anonymized or deleted one by one) in sweep lines. */
export function actedRows(lines: SweepLine[]): number {
  return lines.filter((l) => l.blockedBy === null && !l.action.endsWith('_partition')).reduce((n, l) => n + l.rows, 0);
}

/** Rows kept back, per reason, in sweep lines. */
export function keptRows(lines: SweepLine[]): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const l of lines) if (l.blockedBy !== null) kept[l.blockedBy] = (kept[l.blockedBy] ?? 0) + l.rows;
  return kept;
}

/**
 * A plain table of GPS fixes for sweeps: `rows` fixes one minute apart, the oldest first, ending
 * `endsDaysAgo` days ago; lat/lon are personal (rounded when anonymized), the rest not personal.
 */
export async function createFixes(db: pg.ClientBase | pg.Pool, table: string, rows: number, endsDaysAgo = 0): Promise<void> {
  await db.query(`
    create table public.${table} (
      id          bigint primary key,
      device_id   integer not null,
      recorded_at timestamptz not null,
      lat         double precision not null,
      lon         double precision not null,
      speed_kmh   real,
      note        text
    );
    insert into public.${table}
      select g, g % 50, date_trunc('minute', now()) - interval '${endsDaysAgo} days' - (${rows} - g) * interval '1 minute',
             59 + (g % 1000) / 1000.0 + 0.000123, 18 + (g % 777) / 1000.0 + 0.000456, g % 120, 'driver ' || g
      from generate_series(1, ${rows}) as g;
    analyze public.${table};
    select privacy.classify_column('${table}', 'device_id', 'not_personal');
    select privacy.classify_column('${table}', 'speed_kmh', 'not_personal');
    select privacy.classify_column('${table}', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('${table}', 'lon', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('${table}', 'note', 'free_text');`);
}
