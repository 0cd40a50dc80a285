// Benchmark: what the toolkit's triggers cost on the write path of GPS positions.
//   plain: a copy of the position table with no trigger;
//   toolkit: the position table under the reference policy (protected, 90-day retention and its
//            guards) with write rules capping coordinates to 5 decimals (a BEFORE trigger),
//            inserted by the owner: current positions with 7 decimals, as GPS receivers report
//            them, so that the rule changes every row;
//   masked view: the application inserting through masked.position (INSTEAD OF trigger).
// Run: node bench/write-path.ts [rows]   (DATABASE_URL selects the server; default embedded)
import pg from 'pg';
import { benchLoginRole, openBenchDatabase } from './bench-database.ts';
import { machineDescription, medianMs, writeBenchResult, type Figure } from './bench-result.ts';
import { installTrackingSchema, seedTracking } from '../examples/tracking/seed.ts';
import { openKysely } from '../src/kysely/open-kysely.ts';
import { applyPolicy } from '../src/policy/apply-policy.ts';
import { loadPolicy } from '../src/policy/load-policy.ts';

const rows = Number(process.argv[2] ?? 200_000);
const db = await openBenchDatabase();
try {
  const { client } = db;
  await installTrackingSchema(client);
  await seedTracking(client, { scale: 0.2 });
  const device = (await client.query('select customer_id, id from device order by id limit 1')).rows[0];
  // The reference policy (classification, masks, tenant, 90-day retention with its guards), and
  // write rules capping coordinates to 5 decimals (about 1 m).
  const kysely = openKysely(db.url);
  await applyPolicy(kysely, await loadPolicy(new URL('../examples/tracking/integritet.config.ts', import.meta.url).pathname));
  await kysely.destroy();
  await client.query(`
    create table public.position_plain (like public.position including defaults including constraints including identity)
      partition by range (recorded_at);
    create table public.position_plain_all partition of public.position_plain default;
    select privacy.set_write_rule('position', 'lat', 'cap_precision', '{"digits": 5}');
    select privacy.set_write_rule('position', 'lon', 'cap_precision', '{"digits": 5}');`);
  const insert = (table: string) => `
    insert into ${table} (customer_id, device_id, recorded_at, lat, lon, speed_kmh, heading, ignition)
    select ${device.customer_id}, ${device.id}, now() - make_interval(secs => i),
           59.3 + ((i::bigint * 7919) % 1000000) / 10000000.0, 18.0 + ((i::bigint * 104729) % 1000000) / 10000000.0, 50, i % 360, true
    from generate_series(1, ${rows}) i`;
  const timed = async (c: pg.Client, table: string, cleanup: string) => medianMs(3, async () => {
    await c.query('begin');
    if (table.startsWith('masked')) await c.query(`select privacy.set_tenant('${device.customer_id}')`);
    await c.query(insert(table));
    await c.query('rollback');
    void cleanup;
  });

  console.error(`inserting ${rows} positions …`);
  const plain = await timed(client, 'public.position_plain', '');
  const toolkit = await timed(client, 'public.position', '');
  await client.query(`alter table public.position disable trigger user`);
  const noTriggers = await timed(client, 'public.position', '');
  await client.query(`alter table public.position enable trigger user`);

  const role = await benchLoginRole(db, 'privacy_masked');
  const app = new pg.Client({ connectionString: role.url });
  await app.connect();
  const viaView = await timed(app, 'masked.position', '');
  await app.end();
  await role.drop();

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const figures: Figure[] = [
    { metric: `insert ${rows} positions: plain table`, value: Math.round(plain), unit: 'ms' },
    { metric: `insert ${rows} positions: position, triggers disabled`, value: Math.round(noTriggers), unit: 'ms',
      note: 'same table (foreign key, indexes), no toolkit trigger' },
    { metric: `insert ${rows} positions: position with the toolkit's triggers`, value: Math.round(toolkit), unit: 'ms' },
    { metric: `insert ${rows} positions: application through masked.position`, value: Math.round(viaView), unit: 'ms' },
    { metric: 'write-path trigger overhead (triggers / triggers disabled)', value: ratio(toolkit, noTriggers), unit: '×', target: '<= 1.2' },
    { metric: 'application through the masked view / owner with triggers', value: ratio(viaView, toolkit), unit: '×' },
  ];
  const file = writeBenchResult({
    name: 'write-path', date: new Date().toISOString(), postgres: db.server.serverVersion,
    machine: machineDescription(), figures,
  });
  for (const f of figures) console.log(`${f.metric.padEnd(70)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
  console.log(`written to ${file}`);
} finally {
  await db.close();
}
