// Retention sweep benchmark: `node bench/sweep.ts` (DATABASE_URL, default the local server).
//
//  1. 1M expired rows of a 2M-row table: privacy.sweep() batch by batch vs one hand-written
//     UPDATE (anonymize) or DELETE (delete) of the same rows, each on a fresh identical table.
//     Targets: at least 0.7x (anonymize) and 0.8x (delete) of their throughput. The longest lock
//     one batch held is reported (the longest privacy.sweep() call: its row locks end with it).
//  2. 10k expired rows in a 1M-row and in a 10M-row table: sweep time, target at most 1.2x.
//  3. What the guards cost the application: inserts and updates of current rows.
// Results go to bench/results/sweep.json.
import pg from 'pg';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';
import { createFixTable, openSweepBenchDatabase } from './sweep-database.ts';
import { sweepStep } from '../src/retention/sweep-step.ts';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.SWEEP_BENCH_ROWS ?? 2_000_000);
const EXPIRED = ROWS / 2;
const BATCH = Number(process.env.SWEEP_BENCH_BATCH ?? 10_000);
const SCALE_EXPIRED = 10_000;

interface SweepTiming {
  ms: number;
  rows: number;
  calls: number;
  longestCallMs: number;
  longestStatementMs: number;
}

const log = (line: string) => console.log(line);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Sweeps a table to the end as the worker does: one privacy.sweep() call (one transaction) per batch. */
async function sweepAll(url: string, table: string): Promise<SweepTiming> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const notBefore = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
    const result: SweepTiming = { ms: 0, rows: 0, calls: 0, longestCallMs: 0, longestStatementMs: 0 };
    const started = performance.now();
    let runId: number | null = null;
    for (;;) {
      const callStarted = performance.now();
      const lines = await sweepStep(client, { table, batchSize: BATCH, notBefore });
      const callMs = performance.now() - callStarted;
      result.calls += 1;
      let acted = 0;
      for (const line of lines) {
        if (line.blockedBy === null) acted += line.rows;
        runId = line.runId ?? runId;
      }
      result.rows += acted;
      // Row locks are taken by calls that act on rows (the first call only starts the run and
      // plans batches from the anchor index, locking no row), and end when the call commits.
      if (acted > 0) result.longestCallMs = Math.max(result.longestCallMs, callMs);
      const state = lines.at(-1)?.runState;
      if (state === 'failed') throw new Error(`sweep of ${table} failed`);
      if (state === 'done') break;
    }
    result.ms = performance.now() - started;
    const { rows } = await client.query<{ longest: number }>(
      'select coalesce(max(locked_ms), 0) as longest from privacy.sweep_batch where run_id = $1', [runId]);
    result.longestStatementMs = Number(rows[0]!.longest);
    return result;
  } finally {
    await client.end();
  }
}

async function classifyFixes(client: pg.ClientBase, table: string): Promise<void> {
  await client.query(`
    select privacy.classify_column('${table}', 'device_id', 'not_personal');
    select privacy.classify_column('${table}', 'speed_kmh', 'not_personal');
    select privacy.classify_column('${table}', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('${table}', 'lon', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('${table}', 'note', 'free_text');`);
}

const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const db = await openSweepBenchDatabase(serverUrl);
  const { client } = db;
  const figures: Figure[] = [];
  try {
    const version = (await client.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    log(`sweep benchmark on ${version}: ${ROWS.toLocaleString('en')} rows, ${EXPIRED.toLocaleString('en')} expired, batches of ${BATCH}`);

    // 1. one hand-written statement vs the sweep, on fresh identical tables; the best of two (three
    //    for the quick deletes) rounds of each: the machine is shared, a round can catch other load.
    for (const action of ['anonymize', 'delete'] as const) {
      let hand = Infinity;
      let sweep: SweepTiming | undefined;
      const rounds = action === 'anonymize' ? 2 : 3;
      for (let round = 1; round <= rounds; round++) {
        log(`${action}, round ${round}: building tables …`);
        await createFixTable(client, 'by_hand', ROWS, EXPIRED, true);
        await createFixTable(client, 'by_sweep', ROWS, EXPIRED, false);
        if (action === 'anonymize') await classifyFixes(client, 'by_sweep');
        await client.query(`select privacy.set_retention('by_sweep', anchor => 'recorded_at', keep => '30 days', action => '${action}')`);
        await client.query('vacuum analyze public.by_sweep');
        await client.query('checkpoint');
        let handRows = 0;
        const handMs = await timed(async () => {
          handRows = (await client.query(action === 'anonymize'
            ? `update public.by_hand set lat = privacy.mask_round(lat, '{"digits": 2}'), lon = privacy.mask_round(lon, '{"digits": 2}'),
                      note = null
               where recorded_at < now() - interval '30 days'`
            : `delete from public.by_hand where recorded_at < now() - interval '30 days'`)).rowCount ?? 0;
        });
        await client.query('checkpoint');
        const timing = await sweepAll(db.url, 'by_sweep');
        if (timing.rows !== handRows) throw new Error(`${action}: the sweep did ${timing.rows} rows, the statement ${handRows}`);
        log(`${action}: statement ${(handMs / 1000).toFixed(2)} s (${rate(handRows, handMs)} rows/s), sweep ${(timing.ms / 1000).toFixed(2)} s ` +
            `(${rate(timing.rows, timing.ms)} rows/s) in ${timing.calls} calls, longest lock ${timing.longestCallMs.toFixed(0)} ms`);
        hand = Math.min(hand, handMs);
        if (!sweep || timing.ms < sweep.ms) sweep = timing;
        await client.query(`drop table public.by_hand; select privacy.drop_retention('by_sweep'); drop table public.by_sweep`);
      }
      const statement = action === 'anonymize' ? 'UPDATE' : 'DELETE';
      figures.push(
        { metric: `${action} ${EXPIRED / 1e6}M rows: hand-written ${statement}`, value: round(hand / 1000), unit: 's', note: `best of ${rounds}` },
        { metric: `${action} ${EXPIRED / 1e6}M rows: sweep`, value: round(sweep!.ms / 1000), unit: 's',
          note: `best of ${rounds}; ${sweep!.calls} privacy.sweep() calls, batches of ${BATCH}` },
        { metric: `${action}: sweep throughput / ${statement} throughput`, value: round(hand / sweep!.ms), unit: 'x',
          target: action === 'anonymize' ? '>= 0.70' : '>= 0.80' },
        { metric: `${action}: longest lock held by one batch (privacy.sweep call)`, value: round(sweep!.longestCallMs, 0), unit: 'ms',
          note: `longest statement ${round(sweep!.longestStatementMs, 0)} ms` },
      );
    }

    // 2. cost follows the expired rows, not the table
    const scale: Record<string, number> = {};
    for (const [table, rows] of [['scale_1m', 1_000_000], ['scale_10m', 10_000_000]] as const) {
      log(`building ${table} (${rows.toLocaleString('en')} rows, ${SCALE_EXPIRED.toLocaleString('en')} expired) …`);
      await createFixTable(client, table, rows, SCALE_EXPIRED, false);
      await classifyFixes(client, table);
      await client.query(`select privacy.set_retention('${table}', anchor => 'recorded_at', keep => '30 days', action => 'anonymize')`);
      await client.query(`vacuum analyze public.${table}`);
      await client.query('checkpoint');
      const times: number[] = [];
      for (let run = 0; run < 3; run++) {
        // Start over from the oldest row: the same 10k rows are swept again, at the same cost.
        await client.query(`update privacy.sweep_state set done_below = null where table_name = $1`, [table]);
        const timing = await sweepAll(db.url, table);
        if (timing.rows !== SCALE_EXPIRED) throw new Error(`${table}: swept ${timing.rows} rows`);
        times.push(timing.ms);
      }
      times.sort((a, b) => a - b);
      scale[table] = times[1]!;
      const dryRun = await timed(() => client.query(`select * from privacy.sweep('${table}', dry_run => true)`));
      log(`${table}: sweep of ${SCALE_EXPIRED} expired rows ${times[1]!.toFixed(0)} ms (median of 3), dry run ${dryRun.toFixed(0)} ms`);
      figures.push({ metric: `sweep 10k expired rows in a ${rows / 1e6}M-row table`, value: round(times[1]!, 0), unit: 'ms',
                     note: `dry run ${round(dryRun, 0)} ms` });
    }
    figures.push({ metric: 'sweep of 10k expired rows: 10M-row table / 1M-row table', value: round(scale.scale_10m! / scale.scale_1m!),
                   unit: 'x', target: '<= 1.20' });

    // 3. what the guards cost ordinary writes of current rows
    await client.query(`
      create table public.app_plain (id bigint primary key, recorded_at timestamptz not null, lat float8, lon float8);
      create index on public.app_plain (recorded_at, id);
      create table public.app_guarded (id bigint primary key, recorded_at timestamptz not null, lat float8, lon float8);
      select privacy.classify_column('app_guarded', 'lat', 'location', anonymize => 'null');
      select privacy.set_retention('app_guarded', anchor => 'recorded_at', keep => '30 days', action => 'anonymize');`);
    const writes = async (table: string) => {
      await client.query(`truncate public.${table}`);
      const insert = await timed(() => client.query(
        `insert into public.${table} select g, now() - g * interval '1 second', 59, 18 from generate_series(1, 200000) g`));
      const update = await timed(() => client.query(`update public.${table} set lat = lat + 0.001`));
      return { insert, update };
    };
    const best = { plain: { insert: Infinity, update: Infinity }, guarded: { insert: Infinity, update: Infinity } };
    for (let run = 0; run < 3; run++) {
      for (const kind of ['plain', 'guarded'] as const) {
        const t = await writes(`app_${kind}`);
        best[kind].insert = Math.min(best[kind].insert, t.insert);
        best[kind].update = Math.min(best[kind].update, t.update);
      }
    }
    log(`guards: 200k inserts ${best.guarded.insert.toFixed(0)} ms vs ${best.plain.insert.toFixed(0)} ms, ` +
        `200k updates ${best.guarded.update.toFixed(0)} ms vs ${best.plain.update.toFixed(0)} ms`);
    figures.push(
      { metric: 'guards: 200k inserts of current rows, guarded / plain', value: round(best.guarded.insert / best.plain.insert), unit: 'x' },
      { metric: 'guards: 200k updates of current rows, guarded / plain', value: round(best.guarded.update / best.plain.update), unit: 'x' },
    );

    const file = writeBenchResult({ name: 'sweep', date: new Date().toISOString(), postgres: version, machine: machineDescription(), figures });
    log(`results: ${file}`);
    for (const f of figures) log(`  ${f.metric}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ''}${f.note ? ` — ${f.note}` : ''}`);
  } finally {
    await db.close();
  }
}

await main();
