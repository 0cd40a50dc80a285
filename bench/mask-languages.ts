// Benchmark: phone and email, the two masks that stay above 1.1× the hand-written SQL
// (bench/mask-cost.ts), written as PL/pgSQL functions instead: what a trusted procedural
// language gives where plain SQL cannot get closer, counted in CPU instructions (callgrind,
// single-user backend, as bench/mask-cost.ts). plv8 and C are not measured: neither may be a
// requirement of the install.
//
// What plain SQL cannot shave off (per row, 20k rows, PostgreSQL 15; see the results file):
// phone's test that its last keep_last characters are digits costs at least right(value, n)
// and one comparison on it, about 880 instructions with nothing tested at all
// (`right(phone, 2) ~~ '%'`), 1.14× the hand-written expression on its own; email's test that
// there is an @ costs a LIKE, about 390. The hand-written expressions skip these tests, which is
// why they are wrong on other values (a separator among the last digits, no @).
//
// Run: node bench/mask-languages.ts [rows]
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { callgrindUnavailable, withCallgrindCluster } from './callgrind-cluster.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 20_000);

// The same output as privacy.mask_phone for keep_last 2 (digits are one byte in every server
// encoding), and as privacy.mask_email with its domain kept.
const FUNCTIONS = `
  create function public.phone_plpgsql(v text, keep integer) returns text language plpgsql immutable strict parallel safe as $$
  declare
    b bytea := pg_catalog.convert_to(v, pg_catalog.getdatabaseencoding());
    seen integer := 0;
    c integer;
  begin
    for i in reverse pg_catalog.length(b) - 1 .. 0 loop
      c := pg_catalog.get_byte(b, i);
      if c >= 48 and c <= 57 then
        if seen >= keep then b := pg_catalog.set_byte(b, i, 42); end if;
        seen := seen + 1;
      end if;
    end loop;
    return pg_catalog.convert_from(b, pg_catalog.getdatabaseencoding());
  end $$;
  create function public.email_plpgsql(v text) returns text language plpgsql immutable strict parallel safe as $$
  begin
    if pg_catalog.strpos(v, '@') > 0 then return '***@' || pg_catalog.split_part(v, '@', -1); end if;
    return '***';
  end $$;`;

const CASES = [
  { label: 'phone keep_last 2', column: 'phone', strategy: 'phone', params: { keep_last: 2 }, plpgsql: 'public.phone_plpgsql(phone, 2)',
    byHand: `translate(left(phone, -2), '0123456789', '**********') || right(phone, 2)` },
  { label: 'email keep_domain', column: 'email', strategy: 'email', params: {}, plpgsql: 'public.email_plpgsql(email)',
    byHand: `'***@' || split_part(email, '@', -1)` },
  // The floor of phone's test in plain SQL: taking the last two characters and comparing them with anything.
  { label: 'phone: the hand-written expression and the cheapest test of its last two characters', column: 'phone', strategy: '', params: {},
    plpgsql: '', byHand: `case when right(phone, 2) ~~ '%' then translate(left(phone, -2), '0123456789', '**********') || right(phone, 2) end` },
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
    create table public.bench_mask (id bigint primary key, email text not null, phone text not null);
    insert into public.bench_mask
      select i, 'user' || i || '@example.se', '070-' || lpad((i % 10000000)::text, 7, '0') from generate_series(1, ${rows}) i`);
  await client.query('vacuum analyze public.bench_mask');
  await client.query(FUNCTIONS);
  const expressions = [];
  for (const c of CASES) {
    const generated = c.strategy === '' ? '' : (await client.query<{ e: string }>(
      `select privacy.strategy_call($1, $2::jsonb, $3, 'text', 'mask') as e`, [c.strategy, JSON.stringify(c.params), c.column])).rows[0]!.e;
    if (generated !== '') {
      const { rows: [check] } = await client.query<{ differ: number }>(`
        select count(*) filter (where (${generated}) is distinct from (${c.byHand}) or (${c.plpgsql}) is distinct from (${c.byHand}))::int as differ
        from public.bench_mask`);
      if (check!.differ !== 0) throw new Error(`${c.label}: the expressions differ on ${check!.differ} rows`);
    }
    expressions.push({ ...c, generated });
  }
  const postgresVersion: string = (await client.query('select version() as v')).rows[0].v;
  await client.end();
  cluster.stop();

  const scan = (label: string, expression: string) => {
    console.error(`counting ${label} …`);
    return cluster.instructions(label, [`select max(${expression}) from public.bench_mask`])
      - cluster.instructions(`${label}.planned`, [`select max(${expression}) from public.bench_mask where false`]);
  };
  const perRow = (n: number) => Math.round(n / rows);
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const note = 'callgrind, single-user backend';
  const figures: Figure[] = [];
  for (const e of expressions) {
    const slug = e.label.replace(/\W+/g, '-');
    const raw = scan(`${slug}.raw`, e.column);
    const byHand = scan(`${slug}.hand`, e.byHand);
    if (e.generated === '') {
      figures.push({ metric: `${e.label}, per row beyond the raw column: ${e.byHand}`, value: perRow(byHand - raw), unit: 'instructions' });
      continue;
    }
    const generated = scan(`${slug}.generated`, e.generated);
    const plpgsql = scan(`${slug}.plpgsql`, e.plpgsql);
    figures.push(
      { metric: `${e.label}: SQL as generated, per row beyond the raw column`, value: perRow(generated - raw), unit: 'instructions' },
      { metric: `${e.label}: PL/pgSQL function, per row beyond the raw column`, value: perRow(plpgsql - raw), unit: 'instructions' },
      { metric: `${e.label}: by hand, per row beyond the raw column: ${e.byHand}`, value: perRow(byHand - raw), unit: 'instructions' },
      { metric: `${e.label}: max(mask) scan, SQL as generated / by hand`, value: ratio(generated, byHand), unit: '×', note },
      { metric: `${e.label}: max(mask) scan, PL/pgSQL / by hand`, value: ratio(plpgsql, byHand), unit: '×', note },
    );
  }
  const file = writeBenchResult({
    name: 'mask-languages', date: new Date().toISOString(), postgres: postgresVersion.replace(/ on .*$/, ''),
    machine: machineDescription(), figures: figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` })),
  });
  for (const f of figures) console.log(`${f.metric.padEnd(110)} ${String(f.value).padStart(8)} ${f.unit}`);
  console.log(`written to ${file}`);
});
