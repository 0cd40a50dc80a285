// Benchmark: the cost of masked reads on a 1M-row protected table.
//   (a) mechanism cost: a restricted role reading through the masked view, against an unrestricted
//       role running the same mask expressions by hand on the base table (same rows: its tenant);
//   (b) price of masking: against plain raw reads of the same rows.
// The unrestricted role is a login like the application's, not a superuser: the executor checks
// EXECUTE on every function of a plan each time it runs one, except for superusers, which would
// make a superuser baseline ~25% faster on key lookups for a reason that has nothing to do with
// the mechanism. It bypasses row-level security and reads the table and privacy.hidden_row.
// Key lookups are measured twice: in a server-side loop (the mechanism's cost per statement,
// nothing else) and through the driver as an application sends them (prepared statement, one
// round trip each). Scans and lookups are run in pairs, masked and by hand one right after the
// other, and each ratio is the median of the pairs' ratios: the speed of a shared virtual machine
// drifts by more than the few percent measured here. Even so these ratios move from run to run
// there; bench/masked-reads-instructions.ts counts the same reads in instructions, which do not.
// Run: node bench/masked-reads.ts [rows]   (DATABASE_URL selects the server; default embedded)
import pg from 'pg';
import { benchLoginRole, openBenchDatabase } from './bench-database.ts';
import { createBenchPerson, lookupLoop, maskedViewSql } from './bench-person.ts';
import { machineDescription, medianMs, pairedMs, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const scanPairs = 9;
const lookups = 2_000;      // per server-side loop
const lookupPairs = 41;
const driverLookupCount = 1_000;
const driverPairs = 21;
const db = await openBenchDatabase();
try {
  const { client } = db;
  console.error(`loading ${rows} rows …`);
  await createBenchPerson(client, rows);
  const viewSql = await maskedViewSql(client);
  const byHand = `${viewSql} and t.tenant_id = 1`;
  const aggregate = (from: string) => `select count(*), max(name), max(email), max(phone), sum(amount) from ${from}`;

  const role = await benchLoginRole(db, 'privacy_masked');
  const app = new pg.Client({ connectionString: role.url });
  await app.connect();
  const unrestricted = await benchLoginRole(db, 'privacy_unmasked');
  await client.query(`alter role ${unrestricted.name} bypassrls`);
  await client.query(`grant select on public.bench_person, privacy.hidden_row to ${unrestricted.name}`);
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
  const loop = (select: string) => lookupLoop(select, lookups, rows);

  console.error('full scans …');
  const scan = await pairedMs(scanPairs, () => inTenant(aggregate('bench_person')), () => staff.query(aggregate(`(${byHand}) v`)));
  const [scanMasked, scanByHand] = [scan.aMs, scan.bMs];
  const scanRaw = await medianMs(5, () => staff.query(aggregate('public.bench_person where tenant_id = 1')));

  console.error('primary-key lookups …');
  const lookup = await pairedMs(lookupPairs, () => inTenant(loop('select * from masked.bench_person where id = $ID')),
    () => staff.query(loop(`select * from (${viewSql} and t.tenant_id = 1 and t.id = $ID) v`)));
  const lookupRaw = await medianMs(9, () => staff.query(loop('select * from public.bench_person where tenant_id = 1 and id = $ID')));

  console.error('primary-key lookups through the driver …');
  const driver = await pairedMs(driverPairs, driverLookups(app, 'masked', 'select * from masked.bench_person where id = $1'),
    driverLookups(staff, 'by_hand', `select * from (${viewSql} and t.tenant_id = 1 and t.id = $1) v`));
  await app.end();
  await staff.end();
  await role.drop();
  await unrestricted.drop();

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const figures: Figure[] = [
    { metric: 'full scan, masked view (restricted role)', value: Math.round(scanMasked), unit: 'ms' },
    { metric: 'full scan, same masks by hand (unrestricted login)', value: Math.round(scanByHand), unit: 'ms' },
    { metric: 'full scan, raw', value: Math.round(scanRaw), unit: 'ms' },
    { metric: `${lookups} pk lookups, masked view`, value: Math.round(lookup.aMs), unit: 'ms' },
    { metric: `${lookups} pk lookups, masks by hand`, value: Math.round(lookup.bMs), unit: 'ms' },
    { metric: `${lookups} pk lookups, raw`, value: Math.round(lookupRaw), unit: 'ms' },
    { metric: '(a) mechanism cost, full scan', value: Math.round(scan.ratio * 1000) / 1000, unit: '×', target: '<= 1.10',
      note: `median of ${scanPairs} paired runs` },
    { metric: '(a) mechanism cost, pk lookup', value: Math.round(lookup.ratio * 1000) / 1000, unit: '×', target: '<= 1.05',
      note: `server-side loop; median of ${lookupPairs} paired runs` },
    { metric: `${driverLookupCount} pk lookups through the driver, masked view`, value: Math.round(driver.aMs), unit: 'ms' },
    { metric: `${driverLookupCount} pk lookups through the driver, masks by hand`, value: Math.round(driver.bMs), unit: 'ms' },
    { metric: '(a) mechanism cost, pk lookup through the driver', value: Math.round(driver.ratio * 1000) / 1000, unit: '×',
      note: `prepared statement, one round trip each; median of ${driverPairs} paired runs` },
    { metric: '(b) price of masking, full scan', value: ratio(scanMasked, scanRaw), unit: '×',
      note: 'PostgreSQL Anonymizer documents 1.2–1.3× for dynamic masking' },
    { metric: '(b) price of masking, pk lookup', value: ratio(lookup.aMs, lookupRaw), unit: '×' },
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
