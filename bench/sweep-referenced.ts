// Retention sweep of a table that other tables reference: `node bench/sweep-referenced.ts`
// (DATABASE_URL, default the local server).
//
// The shape of the rental schema's customer and its payments: `customer` (the swept table, its
// expired rows deleted) is referenced by a foreign key from every monthly partition of
// `payment`, which has an index on the referencing column. Every deleted customer makes
// PostgreSQL check the partitioned table for payments of it, in the sweep as in a hand-written
// DELETE. Expired customers have no payments left (theirs expired before them). The sweep,
// batch by batch as the worker runs it, is compared with one hand-written DELETE of the same rows
// on a fresh identical database; the best of three rounds of each. Target: at least 0.8× its
// throughput. Timed on a shared machine: indicative.
// Results go to bench/results/sweep-referenced.json.
import pg from 'pg';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';
import { openSweepBenchDatabase } from './sweep-database.ts';
import { sweepStep } from '../src/retention/sweep-step.ts';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CUSTOMERS = Number(process.env.SWEEP_BENCH_ROWS ?? 200_000);
const EXPIRED = CUSTOMERS / 2;
const PAYMENTS_EACH = 5;
const BATCH = Number(process.env.SWEEP_BENCH_BATCH ?? 10_000);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** customer (half of it expired) and payment, partitioned by month, each partition referencing customer. */
async function createSchema(client: pg.ClientBase, prefix: string): Promise<void> {
  await client.query(`
    create table public.${prefix}_customer (id bigint primary key, name text not null, last_active timestamptz not null);
    insert into public.${prefix}_customer
      select g, 'customer ' || g,
             case when g <= ${EXPIRED} then now() - interval '400 days' - g * interval '1 second'
                  else now() - (g % 300) * interval '1 day' end
      from generate_series(1, ${CUSTOMERS}) g;
    create table public.${prefix}_payment (id bigint not null, customer_id bigint not null, paid_at timestamptz not null,
                                           amount numeric not null) partition by range (paid_at);`);
  for (let month = 0; month < 12; month++) {
    await client.query(`
      create table public.${prefix}_payment_${month} partition of public.${prefix}_payment
        for values from (date_trunc('month', now()) - interval '${11 - month} months')
                    to (date_trunc('month', now()) - interval '${10 - month} months')`);
  }
  await client.query(`
    insert into public.${prefix}_payment
      select g, ${EXPIRED} + 1 + g % ${CUSTOMERS - EXPIRED},
             date_trunc('month', now()) - interval '11 months' + (g % 330) * interval '1 day', (g % 1000) / 10.0
      from generate_series(1, ${(CUSTOMERS - EXPIRED) * PAYMENTS_EACH}) g;
    create index on public.${prefix}_payment (customer_id);
    alter table public.${prefix}_payment add foreign key (customer_id) references public.${prefix}_customer (id);`);
  await client.query(`vacuum analyze public.${prefix}_customer`);
  await client.query(`vacuum analyze public.${prefix}_payment`);
}

/** Sweeps a table to the end as the worker does: one privacy.sweep() call (one transaction) per batch. */
async function sweepAll(url: string, table: string): Promise<{ ms: number; rows: number; calls: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const notBefore = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
    let rows = 0;
    let calls = 0;
    const started = performance.now();
    for (;;) {
      const lines = await sweepStep(client, { table, batchSize: BATCH, notBefore });
      calls += 1;
      for (const line of lines) if (line.blockedBy === null) rows += line.rows;
      const state = lines.at(-1)?.runState;
      if (state === 'failed') throw new Error(`sweep of ${table} failed`);
      if (state === 'done') break;
    }
    return { ms: performance.now() - started, rows, calls };
  } finally {
    await client.end();
  }
}

const db = await openSweepBenchDatabase(serverUrl);
const { client } = db;
const figures: Figure[] = [];
try {
  const version = (await client.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
  console.log(`on ${version}: ${CUSTOMERS} customers (${EXPIRED} expired), ${(CUSTOMERS - EXPIRED) * PAYMENTS_EACH} payments in 12 partitions`);
  let hand = Infinity;
  let sweep = { ms: Infinity, rows: 0, calls: 0 };
  for (let round = 1; round <= 3; round++) {
    await createSchema(client, 'by_hand');
    await createSchema(client, 'by_sweep');
    await client.query(`select privacy.set_retention('by_sweep_customer', anchor => 'last_active', keep => '365 days', action => 'delete')`);
    await client.query('vacuum analyze public.by_sweep_customer');
    await client.query('checkpoint');
    let handRows = 0;
    const handMs = await timed(async () => {
      handRows = (await client.query(`delete from public.by_hand_customer where last_active < now() - interval '365 days'`)).rowCount ?? 0;
    });
    await client.query('checkpoint');
    const timing = await sweepAll(db.url, 'by_sweep_customer');
    if (timing.rows !== handRows) throw new Error(`the sweep deleted ${timing.rows} rows, the statement ${handRows}`);
    console.log(`round ${round}: DELETE ${(handMs / 1000).toFixed(2)} s, sweep ${(timing.ms / 1000).toFixed(2)} s in ${timing.calls} calls`);
    hand = Math.min(hand, handMs);
    if (timing.ms < sweep.ms) sweep = timing;
    await client.query(`drop table public.by_hand_payment, public.by_hand_customer;
                        select privacy.drop_retention('by_sweep_customer');
                        drop table public.by_sweep_payment, public.by_sweep_customer`);
  }
  figures.push(
    { metric: `delete ${EXPIRED} expired customers referenced from 12 payment partitions: hand-written DELETE`, value: Number((hand / 1000).toFixed(2)),
      unit: 's', note: 'best of 3' },
    { metric: `delete ${EXPIRED} expired customers referenced from 12 payment partitions: sweep`, value: Number((sweep.ms / 1000).toFixed(2)),
      unit: 's', note: `best of 3; ${sweep.calls} privacy.sweep() calls, batches of ${BATCH}` },
    { metric: 'delete of a referenced table: sweep throughput / DELETE throughput', value: Number((hand / sweep.ms).toFixed(2)), unit: 'x',
      target: '>= 0.80', note: 'timed on a shared machine' },
  );
  const file = writeBenchResult({ name: 'sweep-referenced', date: new Date().toISOString(), postgres: version, machine: machineDescription(), figures });
  for (const f of figures) console.log(`  ${f.metric}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ''}`);
  console.log(`results: ${file}`);
} finally {
  await db.close();
}
