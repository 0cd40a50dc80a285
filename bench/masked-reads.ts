// Benchmark: the cost of masked reads on a 1M-row protected table.
//   (a) mechanism cost: a restricted role reading through the masked view, against an unrestricted
//       role running the same mask expressions by hand on the base table (same rows: its tenant);
//   (b) price of masking: against plain raw reads of the same rows.
// The unrestricted role is a login like the application's, not a superuser: the executor checks
// EXECUTE on every function of a plan each time it runs one, except for superusers, which would
// make a superuser baseline ~25% faster on key lookups for a reason that has nothing to do with
// the mechanism. It bypasses row-level security and reads the table and privacy.restricted_row.
// Key lookups are measured twice: in a server-side loop (the mechanism's cost per statement,
// nothing else) and through the driver as an application sends them (prepared statement, one
// round trip each).
// Run: node bench/masked-reads.ts [rows]   (DATABASE_URL selects the server; default embedded)
import pg from 'pg';
import { benchLoginRole, openBenchDatabase } from './bench-database.ts';
import { machineDescription, medianMs, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const lookups = 20_000;
const driverLookupCount = 5_000;
const db = await openBenchDatabase();
try {
  const { client } = db;
  console.error(`loading ${rows} rows …`);
  await client.query(`
    create table public.bench_person (
      id bigint primary key, tenant_id int not null, name text not null, email text not null,
      phone text not null, city text not null, amount numeric(10, 2) not null);
    insert into public.bench_person
      select i, case when i % 1000 = 0 then 2 else 1 end,
             'Person ' || md5(i::text), 'user' || i || '@example.se', '070-' || lpad((i % 10000000)::text, 7, '0'),
             (array['Malmö', 'Lund', 'Umeå', 'Kiruna'])[1 + i % 4], (i % 100000) / 100.0
      from generate_series(1, ${rows}) i;
    select privacy.classify_column('bench_person', c, 'not_personal') from unnest(array['id', 'tenant_id', 'city', 'amount']) c;
    select privacy.classify_column('bench_person', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
    select privacy.classify_column('bench_person', 'email', 'contact', mask => 'email');
    select privacy.classify_column('bench_person', 'phone', 'contact', mask => 'phone');
    select privacy.protect_table('bench_person', tenant_column => 'tenant_id');`);
  await client.query('vacuum analyze public.bench_person');
  const viewSql: string = (await client.query(`select privacy.masked_view_sql('public', 'bench_person') as s`)).rows[0].s;
  const byHand = `${viewSql} where t.tenant_id = 1`;
  const aggregate = (from: string) => `select count(*), max(name), max(email), max(phone), sum(amount) from ${from}`;

  const role = await benchLoginRole(db, 'privacy_masked');
  const app = new pg.Client({ connectionString: role.url });
  await app.connect();
  const unrestricted = await benchLoginRole(db, 'privacy_unmasked');
  await client.query(`alter role ${unrestricted.name} bypassrls`);
  await client.query(`grant select on public.bench_person, privacy.restricted_row to ${unrestricted.name}`);
  const staff = new pg.Client({ connectionString: unrestricted.url });
  await staff.connect();
  const inTenant = async (text: string) => {
    await app.query('begin');
    await app.query(`select privacy.set_tenant('1')`);
    await app.query(text);
    await app.query('commit');
  };
  const driverLookups = (c: pg.Client, name: string, text: string) => async () => {
    await c.query('begin');
    if (c === app) await c.query(`select privacy.set_tenant('1')`);
    for (let i = 1; i <= driverLookupCount; i++) await c.query({ name, text, values: [((i * 7919) % rows) + 1] });
    await c.query('commit');
  };
  const lookupLoop = (select: string) => `do $$ declare r record; begin
      for i in 1..${lookups} loop ${select.replace('$ID', `(i * 7919 % ${rows}) + 1`)} into r; end loop; end $$`;

  console.error('full scans …');
  const scanMasked = await medianMs(5, () => inTenant(aggregate('bench_person')));
  const scanByHand = await medianMs(5, () => staff.query(aggregate(`(${byHand}) v`)));
  const scanRaw = await medianMs(5, () => staff.query(aggregate('public.bench_person where tenant_id = 1')));

  console.error('primary-key lookups …');
  const lookupMasked = await medianMs(3, () => inTenant(lookupLoop('select * from masked.bench_person where id = $ID')));
  const lookupByHand = await medianMs(3, () => staff.query(lookupLoop(`select * from (${viewSql} where t.tenant_id = 1 and t.id = $ID) v`)));
  const lookupRaw = await medianMs(3, () => staff.query(lookupLoop('select * from public.bench_person where tenant_id = 1 and id = $ID')));

  console.error('primary-key lookups through the driver …');
  const driverMasked = await medianMs(5, driverLookups(app, 'masked', 'select * from masked.bench_person where id = $1'));
  const driverByHand = await medianMs(5, driverLookups(staff, 'by_hand', `select * from (${viewSql} where t.tenant_id = 1 and t.id = $1) v`));
  await app.end();
  await staff.end();
  await role.drop();
  await unrestricted.drop();

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const figures: Figure[] = [
    { metric: 'full scan, masked view (restricted role)', value: Math.round(scanMasked), unit: 'ms' },
    { metric: 'full scan, same masks by hand (unrestricted login)', value: Math.round(scanByHand), unit: 'ms' },
    { metric: 'full scan, raw', value: Math.round(scanRaw), unit: 'ms' },
    { metric: `${lookups} pk lookups, masked view`, value: Math.round(lookupMasked), unit: 'ms' },
    { metric: `${lookups} pk lookups, masks by hand`, value: Math.round(lookupByHand), unit: 'ms' },
    { metric: `${lookups} pk lookups, raw`, value: Math.round(lookupRaw), unit: 'ms' },
    { metric: '(a) mechanism cost, full scan', value: ratio(scanMasked, scanByHand), unit: '×', target: '<= 1.10' },
    { metric: '(a) mechanism cost, pk lookup', value: ratio(lookupMasked, lookupByHand), unit: '×', target: '<= 1.05',
      note: 'server-side loop' },
    { metric: `${driverLookupCount} pk lookups through the driver, masked view`, value: Math.round(driverMasked), unit: 'ms' },
    { metric: `${driverLookupCount} pk lookups through the driver, masks by hand`, value: Math.round(driverByHand), unit: 'ms' },
    { metric: '(a) mechanism cost, pk lookup through the driver', value: ratio(driverMasked, driverByHand), unit: '×',
      note: 'prepared statement, one round trip each' },
    { metric: '(b) price of masking, full scan', value: ratio(scanMasked, scanRaw), unit: '×',
      note: 'PostgreSQL Anonymizer documents 1.2–1.3× for dynamic masking' },
    { metric: '(b) price of masking, pk lookup', value: ratio(lookupMasked, lookupRaw), unit: '×' },
  ];
  const file = writeBenchResult({
    name: 'masked-reads', date: new Date().toISOString(), postgres: db.server.serverVersion,
    machine: machineDescription(), figures: figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` })),
  });
  for (const f of figures) console.log(`${f.metric.padEnd(45)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
  console.log(`written to ${file}`);
} finally {
  await db.close();
}
