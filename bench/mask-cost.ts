// Benchmark: what each text mask costs against the simplest SQL a DBA would write by hand for the
// same output, counted in CPU instructions (callgrind, single-user backend: see
// bench/callgrind-cluster.ts; the machine's load does not move the counts).
//
// For each mask: `select max(<expression>) from bench_mask` with the expression the generator
// writes now (privacy.strategy_call: specialised for the declared parameters, sql/181), the call
// of the general function it wrote before (inlined, its jsonb folded), and the hand-written
// expression below, and the raw column: each less the same statement on no rows (backend start,
// parsing, planning and inlining drop out). The
// hand-written expressions give the same output on this data (checked before counting), not on
// every value: `left(name, 1) || repeat(…)` shows the one character of a one-character name.
// Figures: each expression's instructions per row beyond reading the raw column, and the ratio of
// the whole scan (mask included) to the hand-written one's.
//
// Run: node bench/mask-cost.ts [rows]
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { callgrindUnavailable, withCallgrindCluster } from './callgrind-cluster.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 100_000);

interface MaskCase {
  label: string;
  column: string;
  strategy: string;
  params: object;
  /** The simplest SQL for the same output on this data. */
  byHand: string;
}

const CASES: MaskCase[] = [
  { label: 'partial keep_first 1', column: 'name', strategy: 'partial', params: { keep_first: 1 },
    byHand: `left(name, 1) || repeat('*', char_length(name) - 1)` },
  { label: 'partial keep_first 2 keep_last 2', column: 'name', strategy: 'partial', params: { keep_first: 2, keep_last: 2 },
    byHand: `left(name, 2) || repeat('*', char_length(name) - 4) || right(name, 2)` },
  { label: 'phone keep_last 2', column: 'phone', strategy: 'phone', params: { keep_last: 2 },
    byHand: `translate(left(phone, -2), '0123456789', '**********') || right(phone, 2)` },
  { label: 'email keep_domain', column: 'email', strategy: 'email', params: {},
    byHand: `'***@' || split_part(email, '@', -1)` },
  // Not the bare constant '***': max() of a constant reads no column, which is no comparison.
  { label: 'redact', column: 'name', strategy: 'redact', params: {}, byHand: `case when name is not null then '***' end` },
];

const unavailable = callgrindUnavailable();
if (unavailable) {
  console.error(`skipped: ${unavailable}`);
  process.exit(0);
}

await withCallgrindCluster(async (cluster) => {
  await migrateUp(cluster.url);
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  console.error(`loading ${rows} rows …`);
  await client.query(`
    create table public.bench_mask (id bigint primary key, name text not null, email text not null, phone text not null);
    insert into public.bench_mask
      select i, 'Person ' || md5(i::text), 'user' || i || '@example.se', '070-' || lpad((i % 10000000)::text, 7, '0')
      from generate_series(1, ${rows}) i`);
  await client.query('vacuum analyze public.bench_mask');
  const expressions = [];
  for (const c of CASES) {
    const { rows: [e] } = await client.query<{ now: string; before: string }>(`
      select privacy.strategy_call($1, $2::jsonb, $3, 'text', 'mask') as now,
             format('privacy.%I(%s, %L::pg_catalog.jsonb)', 'mask_' || $1, $3,
                    (privacy.strategy_defaults($1) || $2::jsonb)::text) as before`,
      [c.strategy, JSON.stringify(c.params), c.column]);
    // The hand-written expression must give what the masks give, on every row of the data.
    const { rows: [check] } = await client.query<{ differ: number }>(`
      select count(*) filter (where (${e!.now}) is distinct from (${c.byHand}) or (${e!.before}) is distinct from (${c.byHand}))::int as differ
      from public.bench_mask`);
    if (check!.differ !== 0) throw new Error(`${c.label}: the hand-written expression differs on ${check!.differ} rows`);
    expressions.push({ ...c, now: e!.now, before: e!.before });
  }
  const postgresVersion: string = (await client.query('select version() as v')).rows[0].v;
  await client.end();
  cluster.stop();

  // The scan less the same statement on no rows: starting the backend, parsing and planning
  // (inlining the general function is the planner's work, once a statement) drop out.
  const scan = (label: string, expression: string) => {
    console.error(`counting ${label} …`);
    return cluster.instructions(label, [`select max(${expression}) from public.bench_mask`])
      - cluster.instructions(`${label}.planned`, [`select max(${expression}) from public.bench_mask where false`]);
  };
  const raw: Record<string, number> = {};
  for (const column of ['name', 'email', 'phone']) raw[column] = scan(`raw.${column}`, column);

  const perRow = (n: number) => Math.round(n / rows);
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const note = 'callgrind, single-user backend';
  const figures: Figure[] = [];
  for (const e of expressions) {
    const slug = e.label.replace(/\W+/g, '-');
    const now = scan(`${slug}.now`, e.now);
    const before = scan(`${slug}.before`, e.before);
    const byHand = scan(`${slug}.hand`, e.byHand);
    const rawScan = raw[e.column]!;
    figures.push(
      { metric: `${e.label}: mask per row, generated now`, value: perRow(now - rawScan), unit: 'instructions' },
      { metric: `${e.label}: mask per row, general function (before)`, value: perRow(before - rawScan), unit: 'instructions' },
      { metric: `${e.label}: mask per row, by hand: ${e.byHand}`, value: perRow(byHand - rawScan), unit: 'instructions' },
      { metric: `${e.label}: max(mask) scan, generated now / by hand`, value: ratio(now, byHand), unit: '×', target: '<= 1.10', note },
      { metric: `${e.label}: max(mask) scan, general function (before) / by hand`, value: ratio(before, byHand), unit: '×', note },
    );
  }
  const file = writeBenchResult({
    name: 'mask-cost', date: new Date().toISOString(), postgres: postgresVersion.replace(/ on .*$/, ''),
    machine: machineDescription(), figures: figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` })),
  });
  for (const f of figures) console.log(`${f.metric.padEnd(100)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
  console.log(`written to ${file}`);
});
