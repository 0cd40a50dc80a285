// Several sweep workers on one table: `node bench/workers.ts [rows]` (DATABASE_URL, default the
// local server).
//
// One table of `rows` GPS fixes (default 1M), half of them expired, is swept to the end by 1, 2
// and 4 workers at once, each on its own connection calling privacy.sweep() batch by batch as
// `integritet worker` and `integritet sweep` do; the batches are claimed with advisory locks, so
// the workers share one run without waiting for each other. Each count runs on a fresh identical
// table, twice, the best taken. Reported: rows anonymized per second, and the speed-up over one
// worker. Timed, so only indicative on a shared machine: the figure that matters is how it scales
// with the server's cores (the workers' work is the server's).
// Results go to bench/results/workers.json.
import { cpus } from 'node:os';
import pg from 'pg';
import { sweepStep } from '../src/retention/sweep-step.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';
import { createFixTable, openSweepBenchDatabase } from './sweep-database.ts';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.argv[2] ?? process.env.WORKERS_BENCH_ROWS ?? 1_000_000);
const EXPIRED = ROWS / 2;
const BATCH = 10_000;
const WORKER_COUNTS = [1, 2, 4];
const ROUNDS = 2;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** One worker: privacy.sweep() calls until the run is done; returns the rows it anonymized. */
async function worker(url: string, table: string, notBefore: Date): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let rows = 0;
    for (;;) {
      const lines = await sweepStep(client, { table, batchSize: BATCH, notBefore });
      for (const line of lines) if (line.blockedBy === null) rows += line.rows;
      const state = lines.at(-1)?.runState;
      if (state === 'failed') throw new Error(`sweep of ${table} failed`);
      if (state === 'done' || lines.length === 0) return rows;
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const db = await openSweepBenchDatabase(serverUrl);
  const { client } = db;
  const figures: Figure[] = [];
  try {
    const version = (await client.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    console.log(`workers benchmark on ${version}: ${ROWS.toLocaleString('en')} rows, ${EXPIRED.toLocaleString('en')} expired, ` +
                `batches of ${BATCH}, ${cpus().length} cores`);
    const best = new Map<number, number>();
    for (let r = 1; r <= ROUNDS; r++) {
      for (const count of WORKER_COUNTS) {
        await createFixTable(client, 'fix', ROWS, EXPIRED, false);
        await client.query(`
          select privacy.classify_column('fix', c, 'not_personal') from unnest(array['id', 'device_id', 'recorded_at', 'speed_kmh']) c;
          select privacy.classify_column('fix', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
          select privacy.classify_column('fix', 'lon', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
          select privacy.classify_column('fix', 'note', 'free_text');
          select privacy.set_retention('fix', anchor => 'recorded_at', keep => '30 days', action => 'anonymize');`);
        await client.query('vacuum analyze public.fix');
        await client.query('checkpoint');
        const notBefore = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
        const started = performance.now();
        const done = await Promise.all(Array.from({ length: count }, () => worker(db.url, 'fix', notBefore)));
        const ms = performance.now() - started;
        const rows = done.reduce((a, b) => a + b, 0);
        if (rows !== EXPIRED) throw new Error(`${count} workers anonymized ${rows} rows, expected ${EXPIRED}`);
        const left = (await client.query<{ n: number }>(`select count(*)::int as n from public.fix where note is not null and recorded_at < now() - interval '30 days'`)).rows[0]!.n;
        if (left !== 0) throw new Error(`${count} workers left ${left} expired rows`);
        const rate = rows / (ms / 1000);
        console.log(`round ${r}, ${count} worker${count > 1 ? 's' : ''}: ${(ms / 1000).toFixed(2)} s, ${Math.round(rate)} rows/s ` +
                    `(rows per worker: ${done.join(', ')})`);
        best.set(count, Math.max(best.get(count) ?? 0, rate));
        await client.query(`select privacy.drop_retention('fix'); drop table public.fix`);
      }
    }
    const one = best.get(1)!;
    for (const count of WORKER_COUNTS) {
      figures.push({ metric: `sweep throughput, ${count} worker${count > 1 ? 's' : ''} on one table (anonymize, ${EXPIRED / 1e6}M of ${ROWS / 1e6}M rows)`,
                     value: Math.round(best.get(count)!), unit: 'rows/s', note: `best of ${ROUNDS}; timed on ${cpus().length} cores` });
    }
    for (const count of WORKER_COUNTS.filter((c) => c > 1)) {
      figures.push({ metric: `sweep speed-up, ${count} workers / 1`, value: round(best.get(count)! / one), unit: 'x',
                     note: `timed on ${cpus().length} cores, indicative` });
    }
    const file = writeBenchResult({ name: 'workers', date: new Date().toISOString(), postgres: version, machine: machineDescription(), figures });
    console.log(`written to ${file}`);
  } finally {
    await db.close();
  }
}

await main();
