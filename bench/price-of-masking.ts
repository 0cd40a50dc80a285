// Benchmark: the price of masking on the read benchmark (public.bench_person, bench/bench-person.ts),
// mask by mask, and what masks compiled in C would give through a masked view, counted in CPU
// instructions (callgrind, single-user backend: bench/callgrind-cluster.ts).
//
// Per mask (partial keep_first 1, email, phone keep_last 2): `select max(<expression>)` over the
// table, less the same statement on no rows (parsing and planning drop out), less the raw
// column's scan: the instructions a row the mask adds, for the expression the generator writes
// (privacy.strategy_call) and for the same mask in C (bench/price-of-masking/c_masks.c), with the
// functions its own instructions go to. Then the read benchmark's statements (bench/masked-reads-
// instructions.ts) as a privacy_masked login: a full scan and primary-key lookups of the masked
// view, of a masked view whose three masks are the C functions (registered as custom strategies
// on a copy of the table), and of the raw table.
//
// The C file is built with PGXS (pg_config, the server's development headers) into the
// benchmark's own temporary cluster and loaded by its path: nothing of the install needs it.
// Its output is checked against the SQL masks on every row before anything is counted.
//
// Run: node bench/price-of-masking.ts [rows]   (writes bench/results/price-of-masking.md)
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { createBenchPerson, lookupLoop } from './bench-person.ts';
import { callgrindUnavailable, withCallgrindCluster } from './callgrind-cluster.ts';
import { machineDescription } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 100_000);
const here = dirname(fileURLToPath(import.meta.url));
const short = 200;
const long = 1200;

const MASKS = [
  { label: 'partial keep_first 1', column: 'name', strategy: 'partial', params: { keep_first: 1 }, c: 'bench_c.c_mask_partial(name, 1)' },
  { label: 'email keep_domain', column: 'email', strategy: 'email', params: {}, c: 'bench_c.c_mask_email(email)' },
  { label: 'phone keep_last 2', column: 'phone', strategy: 'phone', params: { keep_last: 2 }, c: 'bench_c.c_mask_phone(phone, 2)' },
];

const unavailable = callgrindUnavailable();
if (unavailable) {
  console.error(`skipped: ${unavailable}`);
  process.exit(0);
}

await withCallgrindCluster(async (cluster) => {
  // The C masks, built where the server (which may run as another user) can read them.
  const build = join(cluster.dir, 'c_masks');
  execFileSync('mkdir', ['-p', build]);
  copyFileSync(join(here, 'price-of-masking', 'c_masks.c'), join(build, 'c_masks.c'));
  writeFileSync(join(build, 'Makefile'), 'MODULES = c_masks\nPG_CONFIG ?= pg_config\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n');
  execFileSync('make', ['-s', '-C', build, 'c_masks.so', ...(process.env.PG_CONFIG ? [`PG_CONFIG=${process.env.PG_CONFIG}`] : [])], { stdio: 'pipe' });
  execFileSync('chmod', ['-R', 'a+rX', build]);
  const library = join(build, 'c_masks.so');

  await migrateUp(cluster.url);
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  console.error(`loading ${rows} rows …`);
  await createBenchPerson(client, rows);
  await client.query(`
    create schema bench_c;
    create function bench_c.c_mask_partial(text, integer) returns text language c immutable strict parallel safe as '${library}', 'c_mask_partial';
    create function bench_c.c_mask_email(text) returns text language c immutable strict parallel safe as '${library}', 'c_mask_email';
    create function bench_c.c_mask_phone(text, integer) returns text language c immutable strict parallel safe as '${library}', 'c_mask_phone';
    -- The custom strategies a masked view calls: inlined, each is the C call with its constant.
    create function bench_c.partial(value text, params jsonb) returns text language sql immutable parallel safe
      as $$ select bench_c.c_mask_partial(value, 1) $$;
    create function bench_c.email(value text, params jsonb) returns text language sql immutable parallel safe
      as $$ select bench_c.c_mask_email(value) $$;
    create function bench_c.phone(value text, params jsonb) returns text language sql immutable parallel safe
      as $$ select bench_c.c_mask_phone(value, 2) $$;
    grant usage on schema bench_c to privacy_masked, privacy_view_owner;
    grant execute on all functions in schema bench_c to privacy_masked, privacy_view_owner;
    select privacy.register_strategy('partial_c', 'bench_c.partial', 'mask', '{}', 'partial keep_first 1, in C');
    select privacy.register_strategy('email_c', 'bench_c.email', 'mask', '{}', 'email, in C');
    select privacy.register_strategy('phone_c', 'bench_c.phone', 'mask', '{}', 'phone keep_last 2, in C');
    create table public.bench_person_c (like public.bench_person including all);
    insert into public.bench_person_c select * from public.bench_person;
    select privacy.classify_column('bench_person_c', c, 'not_personal') from unnest(array['id', 'tenant_id', 'city', 'amount']) c;
    select privacy.classify_column('bench_person_c', 'name', 'identifier', mask => 'partial_c');
    select privacy.classify_column('bench_person_c', 'email', 'contact', mask => 'email_c');
    select privacy.classify_column('bench_person_c', 'phone', 'contact', mask => 'phone_c');
    select privacy.protect_table('bench_person_c', tenant_column => 'tenant_id');
    create role bench_app in role privacy_masked;
    create role bench_staff bypassrls in role privacy_unmasked;
    grant select on public.bench_person, privacy.hidden_row to bench_staff;`);
  await client.query('vacuum analyze public.bench_person_c');

  const masks = [];
  for (const m of MASKS) {
    const { rows: [e] } = await client.query<{ sql: string }>(
      `select privacy.strategy_call($1, $2::jsonb, $3, 'text'::regtype, 'mask') as sql`, [m.strategy, JSON.stringify(m.params), m.column]);
    const { rows: [check] } = await client.query<{ differ: number }>(
      `select count(*) filter (where (${e!.sql}) is distinct from ${m.c})::int as differ from public.bench_person`);
    if (check!.differ !== 0) throw new Error(`${m.label}: the C mask differs from the SQL mask on ${check!.differ} rows`);
    masks.push({ ...m, sql: e!.sql });
  }
  const { rows: [views] } = await client.query<{ differ: number }>(`
    select count(*)::int as differ from masked.bench_person p join masked.bench_person_c c using (id)
    where (p.name, p.email, p.phone) is distinct from (c.name, c.email, c.phone)`);
  if (views!.differ !== 0) throw new Error(`the masked views differ on ${views!.differ} rows`);
  const postgresVersion: string = (await client.query('select version() as v')).rows[0].v;
  await client.end();
  cluster.stop();

  // Every backend loads the C library first, so that loading it is no part of any difference.
  const load = `load '${library}'`;
  const scan = (label: string, expression: string) => {
    console.error(`counting ${label} …`);
    return cluster.instructions(label, [load, `select max(${expression}) from public.bench_person`])
      - cluster.instructions(`${label}.planned`, [load, `select max(${expression}) from public.bench_person where false`]);
  };
  const perRow = (n: number) => Math.round(n / rows);
  const maskRows: string[] = [];
  const profiles: string[] = [];
  for (const m of masks) {
    const slug = m.label.replace(/\W+/g, '-');
    const raw = scan(`${slug}.raw`, m.column);
    const sql = scan(`${slug}.sql`, m.sql);
    const c = scan(`${slug}.c`, m.c);
    maskRows.push(`| ${m.label} | ${perRow(sql - raw)} | ${perRow(c - raw)} | ${Math.round((sql / c) * 100) / 100} × | \`${m.sql.length > 140 ? `${m.sql.slice(0, 140)}…` : m.sql}\` |`);
    for (const [side, label] of [['SQL', `${slug}.sql`], ['C', `${slug}.c`]] as const) {
      const top = cluster.selfCost(label, 8).map((f) => `${f.fn} ${Math.round(f.instructions / rows)}`).join(', ');
      profiles.push(`| ${m.label} | ${side} | ${top} |`);
    }
  }

  // The read benchmark's statements, as the application's restricted login would run them.
  const count = (label: string, role: string, tenant: boolean, statement: string) => cluster.instructions(label,
    [load, `set role ${role}`, 'begin', ...(tenant ? [`select privacy.set_tenant('1')`] : []), statement, 'commit']);
  const sides = [
    { name: 'masked view, SQL masks', role: 'bench_app', tenant: true, from: 'masked.bench_person', lookup: 'select * from masked.bench_person where id = $ID' },
    { name: 'masked view, C masks', role: 'bench_app', tenant: true, from: 'masked.bench_person_c', lookup: 'select * from masked.bench_person_c where id = $ID' },
    { name: 'raw table', role: 'bench_staff', tenant: false, from: 'public.bench_person where tenant_id = 1',
      lookup: 'select * from public.bench_person where tenant_id = 1 and id = $ID' },
  ];
  const results: Record<string, { scan: number; lookup: number }> = {};
  const baseline = count('select-1', 'bench_staff', false, 'select 1');
  for (const side of sides) {
    console.error(`counting ${side.name} …`);
    const slug = side.name.replace(/\W+/g, '-');
    results[side.name] = {
      scan: count(`${slug}.scan`, side.role, side.tenant, `select count(*), max(name), max(email), max(phone), sum(amount) from ${side.from}`) - baseline,
      lookup: Math.round((count(`${slug}.long`, side.role, side.tenant, lookupLoop(side.lookup, long, rows))
                          - count(`${slug}.short`, side.role, side.tenant, lookupLoop(side.lookup, short, rows))) / (long - short)),
    };
  }
  const raw = results['raw table']!;
  const readRows = sides.map((s) => {
    const r = results[s.name]!;
    return `| ${s.name} | ${Math.round(r.scan / 1e6)} M | ${Math.round((r.scan / raw.scan) * 100) / 100} × | ${r.lookup} | ${Math.round((r.lookup / raw.lookup) * 100) / 100} × |`;
  });

  const file = join(here, 'results', 'price-of-masking.md');
  writeFileSync(file, `# Price of masking: the read benchmark's masks, in SQL and in C

Generated by \`node bench/price-of-masking.ts ${rows}\` on ${new Date().toISOString().slice(0, 10)}: ${postgresVersion.replace(/ on .*$/, '')},
${machineDescription()}. CPU instructions counted by callgrind in a single-user backend (no
parallel workers); ${rows} rows of \`public.bench_person\` (bench/bench-person.ts). The C masks
(bench/price-of-masking/c_masks.c) give the same output as the SQL masks on every row (checked).
Functions shown as an address are static functions of the server binary, which has no symbols for them.

## Each mask, instructions a row beyond reading the raw column

\`select max(<mask>) from public.bench_person\`, less the same statement on no rows and less \`max(<column>)\`.

| mask | SQL (generated) | C | SQL / C (whole scan) | the SQL the masked view holds |
|---|---|---|---|---|
${maskRows.join('\n')}

## Where they go: the functions with the most instructions of their own over the whole backend (its start included), divided by the rows

| mask | as | function and its instructions a row |
|---|---|---|
${profiles.join('\n')}

## Through a masked view: the read benchmark's statements

A full scan (\`count(*)\`, \`max\` of the three masked columns, \`sum(amount)\`) less a backend that
runs \`select 1\`, and a primary-key lookup (the difference of ${long} and ${short} lookups in a PL/pgSQL loop,
a lookup), as a \`privacy_masked\` login for the views (tenant set) and an unrestricted one for the raw table.

| read | full scan | / raw | pk lookup (instructions) | / raw |
|---|---|---|---|---|
${readRows.join('\n')}
`);
  console.log(`written to ${file}`);
});
