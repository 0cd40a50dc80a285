// Benchmark: what each built-in read mask costs against the simplest SQL a DBA would write by
// hand for the same output, counted in CPU instructions (callgrind, single-user backend: see
// bench/callgrind-cluster.ts; the machine's load does not move the counts).
//
// For each mask: `select max(<expression>) from bench_mask` with the expression the generator
// writes now (privacy.strategy_call: specialised for the declared parameters, sql/181), the call
// of the general function (inlined, its jsonb folded), and the hand-written expression below,
// and the raw column: each less the same statement on no rows (backend start, parsing, planning
// and inlining drop out). The hand-written expressions give the same output on this data
// (checked before counting); those marked `everyValue` also on every other value, the others
// only here (`left(name, 1) || repeat(…)` shows the one character of a one-character name): each of those
// names a witness, a value it gets wrong, and carries no target, which is against the same output.
// Random masks (noise, geo_noise) are measured against a hand-written draw of the same
// distribution from the same strong source (gen_random_uuid), and are not compared value by value.
// Figures: each expression's instructions per row beyond reading the raw column, and the ratio of
// the whole scan (mask included) to the hand-written one's.
//
// Run: node bench/mask-cost.ts [rows]    MASK_COST_ONLY=<regular expression>: only the masks whose
// label matches, their figures replaced in the results file and the others kept.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { callgrindUnavailable, withCallgrindCluster } from './callgrind-cluster.ts';
import { machineDescription, writeBenchResult, type BenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 100_000);
const only = process.env.MASK_COST_ONLY ? new RegExp(process.env.MASK_COST_ONLY) : undefined;

interface MaskCase {
  label: string;
  column: string;
  type: string;
  strategy: string;
  params: object;
  /** The simplest SQL for the same output on this data ($KEY_IPAD, $KEY_OPAD, $CITIES: filled in from the database). */
  byHand: string;
  /** The hand-written expression gives the same output on every value, not only on this data. */
  everyValue?: boolean;
  /** For a hand-written expression right only on this data: a value on which its output is not the mask's
   *  (checked: the run fails when the two agree on it). Every-value forms of the same mask are checked on it too. */
  witness?: string;
  /** A random mask: same distribution, not the same values. */
  random?: boolean;
}

// A strong uniform in [0, 1) by hand: 48 bits of one gen_random_uuid().
const uniform = `(('x' || substr(encode(uuid_send(gen_random_uuid()), 'hex'), 1, 12))::bit(48)::bigint)::float8 / 281474976710656`;

const CASES: MaskCase[] = [
  { label: 'partial keep_first 1', column: 'name', type: 'text', strategy: 'partial', params: { keep_first: 1 },
    byHand: `left(name, 1) || repeat('*', char_length(name) - 1)`, witness: 'Å' },
  { label: 'partial keep_first 1, every value', column: 'name', type: 'text', strategy: 'partial', params: { keep_first: 1 }, everyValue: true,
    byHand: `case when char_length(name) > 1 then left(name, 1) || repeat('*', char_length(name) - 1) else repeat('*', char_length(name)) end` },
  { label: 'partial keep_first 2 keep_last 2', column: 'name', type: 'text', strategy: 'partial', params: { keep_first: 2, keep_last: 2 },
    byHand: `left(name, 2) || repeat('*', char_length(name) - 4) || right(name, 2)`, witness: 'Ola' },
  { label: 'partial keep_first 2 keep_last 2, every value', column: 'name', type: 'text', strategy: 'partial', params: { keep_first: 2, keep_last: 2 },
    everyValue: true,
    byHand: `case when char_length(name) > 4 then left(name, 2) || repeat('*', char_length(name) - 4) || right(name, 2) else repeat('*', char_length(name)) end` },
  { label: 'phone keep_last 2', column: 'phone', type: 'text', strategy: 'phone', params: { keep_last: 2 },
    byHand: `translate(left(phone, -2), '0123456789', '**********') || right(phone, 2)`, witness: '070-123 45 6-7' },
  { label: 'phone keep_last 2, every value', column: 'phone', type: 'text', strategy: 'phone', params: { keep_last: 2 }, everyValue: true,
    byHand: `regexp_replace(phone, '[0-9](?=(?:[^0-9]*[0-9]){2})', '*', 'g')` },
  { label: 'email keep_domain', column: 'email', type: 'text', strategy: 'email', params: {},
    byHand: `'***@' || split_part(email, '@', -1)`, witness: 'anna.svensson' },
  { label: 'email keep_domain, every value', column: 'email', type: 'text', strategy: 'email', params: {}, everyValue: true,
    byHand: `case when strpos(email, '@') > 0 then '***@' || split_part(email, '@', -1) when email is not null then '***' end` },
  // Not the bare constant '***': max() of a constant reads no column, which is no comparison.
  { label: 'redact', column: 'name', type: 'text', strategy: 'redact', params: {}, everyValue: true,
    byHand: `case when name is not null then '***' end` },
  { label: 'generalize date to year', column: 'born', type: 'date', strategy: 'generalize', params: { unit: 'year' }, everyValue: true,
    byHand: `date_trunc('year', born::timestamp)::date` },
  { label: 'generalize timestamptz to month in Europe/Stockholm', column: 'seen', type: 'timestamptz', strategy: 'generalize',
    params: { unit: 'month', time_zone: 'Europe/Stockholm' }, everyValue: true, byHand: `date_trunc('month', seen, 'Europe/Stockholm')` },
  { label: 'generalize numeric step 100', column: 'amount', type: 'numeric', strategy: 'generalize', params: { step: 100 }, everyValue: true,
    byHand: `floor(amount / 100) * 100` },
  { label: 'generalize integer step 10', column: 'age', type: 'integer', strategy: 'generalize', params: { step: 10 },
    byHand: `age / 10 * 10` },
  { label: 'generalize bigint step 1000', column: 'big', type: 'bigint', strategy: 'generalize', params: { step: 1000 },
    byHand: `big / 1000 * 1000` },
  { label: 'round numeric 1 digit', column: 'amount', type: 'numeric', strategy: 'round', params: { digits: 1 }, everyValue: true,
    byHand: `round(amount, 1)` },
  { label: 'round double precision 3 digits', column: 'lat', type: 'float8', strategy: 'round', params: { digits: 3 }, everyValue: true,
    byHand: `round(lat::numeric, 3)::float8` },
  { label: 'time hour (UTC)', column: 'seen', type: 'timestamptz', strategy: 'time', params: { unit: 'hour' },
    byHand: `date_trunc('hour', seen)` },
  { label: 'time quarter_hour', column: 'seen', type: 'timestamptz', strategy: 'time', params: { unit: 'quarter_hour' },
    byHand: `date_bin('15 minutes', seen, timestamptz '2000-01-01 00:00+00')` },
  { label: 'time day in Europe/Stockholm', column: 'seen', type: 'timestamptz', strategy: 'time', params: { unit: 'day', time_zone: 'Europe/Stockholm' },
    everyValue: true, byHand: `date_trunc('day', seen, 'Europe/Stockholm')` },
  { label: 'hash sha256', column: 'name', type: 'text', strategy: 'hash', params: {}, byHand: `encode(sha256(convert_to(name, 'UTF8')), 'hex')` },
  { label: 'hash md5', column: 'name', type: 'text', strategy: 'hash', params: { algorithm: 'md5' }, everyValue: true, byHand: `md5(name)` },
  // By hand with the key's pads in the statement, which no reader may ever have: what the HMAC
  // costs with nothing around it. The masked view reads the pads once per statement from
  // privacy.pseudonym_pad (sql/131), which its owner alone may read.
  { label: 'pseudonym length 16', column: 'name', type: 'text', strategy: 'pseudonym', params: {},
    byHand: `left(encode(sha256($KEY_OPAD || sha256($KEY_IPAD || convert_to(name, 'UTF8'))), 'hex'), 16)` },
  { label: 'fake city', column: 'name', type: 'text', strategy: 'fake', params: { kind: 'city' },
    byHand: `($CITIES)[('x' || substr(md5(name), 1, 8))::bit(32)::bigint % cardinality($CITIES) + 1]` },
  { label: 'noise numeric ratio 0.1', column: 'amount', type: 'numeric', strategy: 'noise', params: { ratio: 0.1 }, random: true,
    byHand: `amount + abs(amount) * 0.1 * ((${uniform}) * 2 - 1)::numeric` },
  { label: 'grid latitude 1000 m', column: 'lat', type: 'float8', strategy: 'grid', params: { axis: 'lat', meters: 1000 }, everyValue: true,
    byHand: `least(greatest((floor(lat / (1000 / 111195.0::float8)) + 0.5) * (1000 / 111195.0::float8), -90), 90)` },
  { label: 'geo_grid latitude 1000 m', column: 'lat', type: 'float8', strategy: 'geo_grid', params: { axis: 'lat', pair_column: 'lon', meters: 1000 },
    byHand: `least(greatest((floor(lat / (1000 / 111132.952548::float8)) + 0.5) * (1000 / 111132.952548::float8), -90), 90)` },
  // Laplace noise of scale √2/ε m: ln(u1/u2) of two strong uniforms, which is what an inlined
  // expression needs (each use of a draw draws anew); the mask draws once (sql/510).
  { label: 'geo_noise latitude epsilon 0.01', column: 'lat', type: 'float8', strategy: 'geo_noise',
    params: { axis: 'lat', pair_column: 'lon', epsilon: 0.01 }, random: true,
    byHand: `lat + greatest(least(141.4213562373095 * ln((1 - ${uniform}) / (1 - ${uniform})) / 111195, 90 - lat), -90 - lat)` },
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
    create table public.bench_mask (id bigint primary key, name text not null, email text not null, phone text not null,
      born date not null, seen timestamptz not null, amount numeric not null, age integer not null, big bigint not null,
      lat double precision not null, lon double precision not null);
    insert into public.bench_mask
      select i, 'Person ' || md5(i::text), 'user' || i || '@example.se', '070-' || lpad((i % 10000000)::text, 7, '0'),
             date '1940-01-01' + ((i * 7919) % 25000)::integer, timestamptz '2026-01-01' + (i * 7919 % 31536000) * interval '1 second',
             ((i * 7919) % 10000000) / 100.0, (i * 7919) % 100, (i * 7919) % 100000000,
             55.4 + ((i * 7919) % 135000) / 10000.0, 11.2 + ((i * 104729) % 125000) / 10000.0
      from generate_series(1::bigint, ${rows}) i`);
  await client.query('vacuum analyze public.bench_mask');
  // What the hand-written expressions need from the database: the key's pads, the list of cities.
  const { rows: [fill] } = await client.query<{ ipad: string; opad: string; cities: string }>(`
    select format('%L::bytea', p.inner_pad) as ipad, format('%L::bytea', p.outer_pad) as opad,
           format('%L::text[]', privacy.fake_word_list('sv', 'city')) as cities
    from privacy.pseudonym_pad p`);
  const expressions = [];
  for (const c of CASES.filter((m) => !only || only.test(m.label))) {
    const byHand = c.byHand.replaceAll('$KEY_IPAD', fill!.ipad).replaceAll('$KEY_OPAD', fill!.opad).replaceAll('$CITIES', fill!.cities);
    const { rows: [e] } = await client.query<{ now: string; before: string }>(`
      select privacy.strategy_call($1, $2::jsonb, $3, $4::regtype, 'mask') as now,
             format('privacy.%I(%s, %L::pg_catalog.jsonb%s)', 'mask_' || $1, $3,
                    (privacy.strategy_defaults($1) || $2::jsonb)::text,
                    case when $2::jsonb ? 'pair_column' then format(', %I, NULL::text', $2::jsonb ->> 'pair_column') else '' end) as before`,
      [c.strategy, JSON.stringify(c.params), c.column, c.type]);
    if (!c.random) {
      // The hand-written expression must give what the masks give, on every row of the data.
      const { rows: [check] } = await client.query<{ differ: number }>(`
        select count(*) filter (where (${e!.now}) is distinct from (${byHand}) or (${e!.before}) is distinct from (${byHand}))::int as differ
        from public.bench_mask`);
      if (check!.differ !== 0) throw new Error(`${c.label}: the hand-written expression differs on ${check!.differ} rows`);
    }
    // Where the hand-written expression is right only on this data, show a value it gets wrong; an
    // every-value form of the same mask must get that value right.
    let witnessNote: string | undefined;
    for (const w of CASES.filter((o) => o.strategy === c.strategy && o.column === c.column && o.witness
                                        && JSON.stringify(o.params) === JSON.stringify(c.params) && (o === c || c.everyValue))) {
      const { rows: [out] } = await client.query<{ mask: string | null; hand: string | null }>(
        `select (${e!.now}) as mask, (${byHand}) as hand from (select $1::${c.type} as ${c.column}) w`, [w.witness]);
      if (c.everyValue && out!.mask !== out!.hand) throw new Error(`${c.label}: gives ${out!.hand} on ${w.witness}, the mask ${out!.mask}`);
      if (!c.everyValue) {
        if (out!.mask === out!.hand) throw new Error(`${c.label}: the witness ${w.witness} gives the mask's own output`);
        witnessNote = `not the same output: on '${w.witness}' the mask gives '${out!.mask}', this '${out!.hand}'`;
      }
    }
    expressions.push({ ...c, byHand, now: e!.now, before: e!.before, witnessNote });
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
  for (const column of new Set(expressions.map((c) => c.column))) raw[column] = scan(`raw.${column}`, column);

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
      { metric: `${e.label}: mask per row, by hand: ${e.byHand.length > 160 ? `${e.byHand.slice(0, 160)}…` : e.byHand}`,
        value: perRow(byHand - rawScan), unit: 'instructions',
        note: e.random ? 'the same distribution' : e.everyValue ? 'the same output on every value'
          : `the same output on this data; ${e.witnessNote}` },
      // The target is against an expression with the mask's output: one that differs on some value
      // is reported beside it, without the target.
      { metric: `${e.label}: max(mask) scan, generated now / by hand`, value: ratio(now, byHand), unit: '×',
        target: e.witnessNote ? undefined : '<= 1.10', note },
      { metric: `${e.label}: max(mask) scan, general function (before) / by hand`, value: ratio(before, byHand), unit: '×', note },
    );
  }
  let measured = figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` }));
  const previousFile = join(dirname(fileURLToPath(import.meta.url)), 'results', 'mask-cost.json');
  if (only && existsSync(previousFile)) {
    // The masks not measured this time keep their figures, in the order of CASES.
    const previous = JSON.parse(readFileSync(previousFile, 'utf8')) as BenchResult;
    const labelOf = (metric: string) => CASES.find((c) => metric.startsWith(`${c.label}: `))?.label;
    const all = [...previous.figures.filter((f) => !only.test(labelOf(f.metric) ?? '')), ...measured];
    const order = (f: Figure) => CASES.findIndex((c) => c.label === labelOf(f.metric));
    measured = all.map((f, i) => ({ f, i })).sort((a, b) => order(a.f) - order(b.f) || a.i - b.i).map((x) => x.f);
  }
  const file = writeBenchResult({
    name: 'mask-cost', date: new Date().toISOString(), postgres: postgresVersion.replace(/ on .*$/, ''),
    machine: machineDescription(), figures: measured,
  });
  for (const f of figures) console.log(`${f.metric.padEnd(100)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
  console.log(`written to ${file}`);
});
