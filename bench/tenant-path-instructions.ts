// Benchmark: what a tenant one foreign key away costs a read, counted in CPU instructions
// (callgrind, single-user backend: see bench/callgrind-cluster.ts; the machine's load does not
// move the counts).
//
// Three copies of the same rentals (`rows` of them, over 10,000 customers; one tenant holds 999
// of every 1000 customers, as in bench-person.ts), every column not personal, so that only the
// tenant check differs:
//   * own:  protected with the tenant as a column of the row (tenant_column);
//   * path: protected with the tenant one join away (tenant_via => '{customer_id}', sql/206):
//           its policy looks the customer up by key, and the customer, protected itself, adds
//           its own policy (the same tenant, and its restricted rows) to that lookup;
//   * hand: the same EXISTS written by hand as a row-level security policy, on an unprotected
//           copy of the customers, read by a plain role with the tenant in a setting;
//   * definer: the other way considered for sql/206, a SECURITY DEFINER SQL function that
//           returns a customer's tenant (its owner bypasses the customer's policy), called in a
//           hand-written policy as `tenant_of_customer(customer_id) = tenant`: not inlined (definer);
//   * in: `customer_id in (select the tenant's customers)` as a hand-written policy: uncorrelated,
//           so hashed once per statement, key lookups included.
// Per key lookup (a loop of 1200 less one of 200, over 1000) and per full scan (less a backend
// that runs `select 1`). Run: node bench/tenant-path-instructions.ts [rows]
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { lookupLoop } from './bench-person.ts';
import { callgrindUnavailable, withCallgrindCluster } from './callgrind-cluster.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 100_000);
const customers = 10_000;
const short = 200;
const long = 1200;

const unavailable = callgrindUnavailable();
if (unavailable) {
  console.error(`skipped: ${unavailable}`);
  process.exit(0);
}

await withCallgrindCluster(async (cluster) => {
  await migrateUp(cluster.url);
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  console.error(`loading ${rows} rentals of ${customers} customers …`);
  const rental = (name: string, customer: string) => `
    create table public.${name} (
      id bigint primary key, customer_id bigint not null references public.${customer}, tenant_id int not null,
      rented_at timestamptz not null, amount numeric(10, 2) not null);
    insert into public.${name}
      select i, c, case when c % 1000 = 0 then 2 else 1 end, '2026-01-01'::timestamptz + i * interval '1 minute', (i % 10000) / 100.0
      from generate_series(1, ${rows}) i, lateral (select 1 + (i * 7919) % ${customers} as c) k;`;
  await client.query(`
    create table public.bench_customer (id bigint primary key, tenant_id int not null, city text not null);
    insert into public.bench_customer
      select i, case when i % 1000 = 0 then 2 else 1 end, (array['Malmö', 'Lund', 'Umeå', 'Kiruna'])[1 + i % 4]
      from generate_series(1, ${customers}) i;
    create table public.bench_customer_hand (like public.bench_customer including all);
    insert into public.bench_customer_hand select * from public.bench_customer;
    ${rental('bench_rental_own', 'bench_customer')}
    ${rental('bench_rental_path', 'bench_customer')}
    ${rental('bench_rental_hand', 'bench_customer_hand')}
    ${rental('bench_rental_definer', 'bench_customer_hand')}
    ${rental('bench_rental_in', 'bench_customer_hand')}
    select privacy.classify_column('bench_customer', c, 'not_personal') from unnest(array['id', 'tenant_id', 'city']) c;
    select privacy.protect_table('bench_customer', tenant_column => 'tenant_id');
    select privacy.classify_column(t, c, 'not_personal')
      from unnest(array['bench_rental_own', 'bench_rental_path']) t,
           unnest(array['id', 'customer_id', 'tenant_id', 'rented_at', 'amount']) c;
    select privacy.protect_table('bench_rental_own', tenant_column => 'tenant_id');
    select privacy.protect_table('bench_rental_path', tenant_column => 'tenant_id', tenant_via => '{customer_id}');
    create role bench_app in role privacy_masked;
    create role bench_hand;
    grant select on public.bench_rental_hand, public.bench_customer_hand to bench_hand;
    alter table public.bench_rental_hand enable row level security;
    create policy by_hand on public.bench_rental_hand for select to bench_hand
      using (exists (select from public.bench_customer_hand p
                     where p.id = bench_rental_hand.customer_id
                       and p.tenant_id = (select current_setting('bench.tenant', true)::int)));
    create function public.tenant_of_customer(customer bigint) returns int
      language sql stable security definer set search_path = pg_catalog, pg_temp
      as $$ select p.tenant_id from public.bench_customer_hand p where p.id = customer $$;
    grant select on public.bench_rental_in to bench_hand;
    alter table public.bench_rental_in enable row level security;
    create policy by_in on public.bench_rental_in for select to bench_hand
      using (customer_id in (select p.id from public.bench_customer_hand p
                             where p.tenant_id = (select current_setting('bench.tenant', true)::int)));
    grant select on public.bench_rental_definer to bench_hand;
    alter table public.bench_rental_definer enable row level security;
    create policy by_definer on public.bench_rental_definer for select to bench_hand
      using (public.tenant_of_customer(customer_id) = (select current_setting('bench.tenant', true)::int));`);
  await client.query('vacuum analyze');
  const postgresVersion: string = (await client.query('select version() as v')).rows[0].v;
  await client.end();
  cluster.stop();

  const sides = {
    own: { role: 'bench_app', tenant: [`select privacy.set_tenant('1')`], from: 'masked.bench_rental_own' },
    path: { role: 'bench_app', tenant: [`select privacy.set_tenant('1')`], from: 'masked.bench_rental_path' },
    hand: { role: 'bench_hand', tenant: [`set bench.tenant = '1'`], from: 'public.bench_rental_hand' },
    definer: { role: 'bench_hand', tenant: [`set bench.tenant = '1'`], from: 'public.bench_rental_definer' },
    in: { role: 'bench_hand', tenant: [`set bench.tenant = '1'`], from: 'public.bench_rental_in' },
  };
  const perLookup: Record<string, number> = {};
  const scan: Record<string, number> = {};
  for (const [name, side] of Object.entries(sides)) {
    console.error(`counting ${name} …`);
    const count = (label: string, statement: string) =>
      cluster.instructions(`${name}.${label}`, [`set role ${side.role}`, 'begin', ...side.tenant, statement, 'commit']);
    const lookup = `select * from ${side.from} where id = $ID`;
    perLookup[name] = Math.round((count(`lookups.${long}`, lookupLoop(lookup, long, rows))
                                  - count(`lookups.${short}`, lookupLoop(lookup, short, rows))) / (long - short));
    scan[name] = count('scan', `select count(*), sum(amount), max(rented_at) from ${side.from}`) - count('baseline', 'select 1');
  }

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const note = 'callgrind, single-user backend (no parallel workers)';
  const figures: Figure[] = [
    { metric: 'pk lookup, tenant column on the row (masked view)', value: perLookup.own!, unit: 'instructions' },
    { metric: 'pk lookup, tenant one join away (masked view)', value: perLookup.path!, unit: 'instructions' },
    { metric: 'pk lookup, the same EXISTS as a hand-written policy', value: perLookup.hand!, unit: 'instructions' },
    { metric: 'pk lookup, a definer function returning the tenant, in a hand-written policy', value: perLookup.definer!, unit: 'instructions' },
    { metric: 'pk lookup, the tenant\'s customers IN a hand-written policy (uncorrelated: hashed per statement)', value: perLookup.in!, unit: 'instructions' },
    { metric: 'full scan, tenant column on the row (masked view)', value: Math.round(scan.own! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, tenant one join away (masked view)', value: Math.round(scan.path! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, the same EXISTS as a hand-written policy', value: Math.round(scan.hand! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, a definer function returning the tenant, in a hand-written policy', value: Math.round(scan.definer! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, the tenant\'s customers IN a hand-written policy (uncorrelated: hashed per statement)', value: Math.round(scan.in! / 1e6), unit: 'M instructions' },
    { metric: 'tenant one join away / on the row, pk lookup', value: ratio(perLookup.path!, perLookup.own!), unit: '×', note },
    { metric: 'tenant one join away / on the row, full scan', value: ratio(scan.path!, scan.own!), unit: '×', note },
    { metric: 'tenant one join away / hand-written EXISTS, pk lookup', value: ratio(perLookup.path!, perLookup.hand!), unit: '×', note },
    { metric: 'tenant one join away / hand-written EXISTS, full scan', value: ratio(scan.path!, scan.hand!), unit: '×', note },
  ];
  const file = writeBenchResult({
    name: 'tenant-path-instructions', date: new Date().toISOString(), postgres: postgresVersion.replace(/ on .*$/, ''),
    machine: machineDescription(), figures: figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` })),
  });
  for (const f of figures) console.log(`${f.metric.padEnd(56)} ${String(f.value).padStart(10)} ${f.unit}`);
  console.log(`written to ${file}`);
});
