// Benchmark: data subjects' rights on the reference tracking schema at scale.
//   export   privacy.export_subject() of one subject with 1k rows in all its tables;
//            target p95 <= 50 ms
//   erasure  privacy.erase_subject() of one such subject (each run another subject,
//            committed); target p95 <= 100 ms
// in a database of 10M position rows (examples/tracking/seed.ts at scale 100, ~5000 customers),
// with the reference policy applied (every table protected, linked and under its retention).
// Run: node bench/subject-rights.ts [scale]   (DATABASE_URL selects the server; default embedded)
// Results go to bench/results/subject-rights.json.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from '../examples/tracking/seed.ts';
import { openKysely } from '../src/kysely/open-kysely.ts';
import { applyPolicy } from '../src/policy/apply-policy.ts';
import { loadPolicy } from '../src/policy/load-policy.ts';
import { openBenchDatabase } from './bench-database.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const scale = Number(process.argv[2] ?? process.env.SUBJECT_BENCH_SCALE ?? 100);
const SUBJECTS = Number(process.env.SUBJECT_BENCH_RUNS ?? 40);
const TARGET_ROWS = 1000;
const POLICY = new URL('../examples/tracking/integritet.config.ts', import.meta.url).pathname;
const log = (line: string) => console.error(line);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

const db = await openBenchDatabase();
try {
  const { client } = db;
  let started = performance.now();
  log(`seeding the tracking schema at scale ${scale} …`);
  await installTrackingSchema(client);
  const seeded = await seedTracking(client, { scale });
  log(`  ${JSON.stringify(seeded.rows)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  started = performance.now();
  const kysely = openKysely(db.url);
  await applyPolicy(kysely, await loadPolicy(POLICY));
  await kysely.destroy();
  await client.query('vacuum analyze');
  log(`policy applied and analyzed in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  // Subjects whose rows, over every table, come closest to TARGET_ROWS: customers (every table
  // of the schema) and devices (the device, its positions and trips); and customers of median size.
  const { rows: customers } = await client.query<{ id: string; total: number }>(`
    select c.id::text, (1 + (select count(*) from public.contact_person x where x.customer_id = c.id)
               + (select count(*) from public.admin_user x where x.customer_id = c.id)
               + (select count(*) from public.vehicle x where x.customer_id = c.id)
               + (select count(*) from public.device x where x.customer_id = c.id)
               + (select count(*) from public.position x where x.customer_id = c.id)
               + (select count(*) from public.trip x where x.customer_id = c.id)
               + (select count(*) from public.invoice x where x.customer_id = c.id)
               + (select count(*) from public.payment x where x.customer_id = c.id))::int as total
    from public.customer c`);
  const { rows: devices } = await client.query<{ id: string; total: number }>(`
    select d.id::text, (1 + (select count(*) from public.position x where x.device_id = d.id)
                          + (select count(*) from public.trip x where x.device_id = d.id))::int as total
    from public.device d`);
  const closest = (all: { id: string; total: number }[], to: number, taken = new Set<string>()) =>
    all.filter((s) => !taken.has(s.id)).sort((a, b) => Math.abs(a.total - to) - Math.abs(b.total - to) || Number(a.id) - Number(b.id))
      .slice(0, SUBJECTS);
  const sizes = customers.map((c) => c.total).sort((a, b) => a - b);
  const nearTarget = closest(customers, TARGET_ROWS);
  // Each group is named by the rows its subjects really have: the seed's customers are small
  // (about 250 rows) or large (about 2,900), none has 1k. The targets (set for a subject of 1k
  // rows) are checked on the groups whose subjects have at least that many rows.
  const medianRows = (subjects: { total: number }[]) => percentile(subjects.map((s) => s.total).sort((a, b) => a - b), 0.5);
  const group = (type: string, why: string, subjects: { id: string; total: number }[]) =>
    ({ type, subjects, label: `${type} of ${medianRows(subjects)} rows (${why})`, checked: medianRows(subjects) >= TARGET_ROWS });
  const groups = [
    group('customer', `closest to ${TARGET_ROWS}`, nearTarget),
    group('device', `closest to ${TARGET_ROWS}`, closest(devices, TARGET_ROWS)),
    group('customer', 'median size', closest(customers, percentile(sizes, 0.5), new Set(nearTarget.map((s) => s.id)))),
  ];
  for (const g of groups) {
    const totals = g.subjects.map((s) => s.total).sort((a, b) => a - b);
    log(`${g.label}: ${g.subjects.length} subjects of ${totals[0]}–${totals.at(-1)} rows`);
  }

  const role = `bench_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await client.query(`create role ${role} login password '${password}' in role privacy_admin`);
  await client.query(`grant connect on database ${db.name} to ${role}`);
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const figures: Figure[] = [];
  try {
    // Warm-up: the session's plans and the catalog caches, as in a pooled connection.
    const warm = groups[0]!.subjects[0]!.id;
    await admin.query(`select privacy.export_subject('customer', $1)::text`, [warm]);
    await admin.query('begin');
    await admin.query(`select * from privacy.erase_subject('customer', $1, 'warm-up')`, [warm]);
    await admin.query('rollback');

    for (const g of groups) {
      log(`${g.label}: exports, then erasures …`);
      const exportMs: number[] = [];
      let exportBytes = 0;
      for (const s of g.subjects) {
        const t0 = performance.now();
        const { rows } = await admin.query<{ document: string }>(`select privacy.export_subject($1, $2)::text as document`, [g.type, s.id]);
        exportMs.push(performance.now() - t0);
        exportBytes += rows[0]!.document.length;
      }
      const eraseMs: number[] = [];
      const outcomes: Record<string, number> = {};
      for (const s of g.subjects) {
        const t0 = performance.now();
        const { rows } = await admin.query<{ outcome: string; row_count: string }>(
          `select outcome, row_count from privacy.erase_subject($1, $2, 'benchmark')`, [g.type, s.id]);
        eraseMs.push(performance.now() - t0);
        for (const r of rows) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + Number(r.row_count);
      }
      const again = performance.now();
      const { rows: nothing } = await admin.query(`select * from privacy.erase_subject($1, $2, 'benchmark')`, [g.type, g.subjects[0]!.id]);
      const againMs = performance.now() - again;
      if (nothing.length !== 0) throw new Error('a second erasure found something left to do');
      exportMs.sort((a, b) => a - b);
      eraseMs.sort((a, b) => a - b);
      const totals = g.subjects.map((s) => s.total).sort((a, b) => a - b);
      const note = `${g.subjects.length} subjects, ${percentile(totals, 0.5)} rows each (median), ${seeded.rows.position!.toLocaleString('en')} positions`;
      const checked = g.checked;
      figures.push(
        { metric: `export one ${g.label}, p50`, value: round(percentile(exportMs, 0.5)), unit: 'ms', note },
        { metric: `export one ${g.label}, p95`, value: round(percentile(exportMs, 0.95)), unit: 'ms', ...(checked ? { target: '<= 50' } : {}), note },
        { metric: `export size, ${g.label}`, value: Math.round(exportBytes / g.subjects.length / 1024), unit: 'KiB' },
        { metric: `erase one ${g.label}, p50`, value: round(percentile(eraseMs, 0.5)), unit: 'ms', note },
        { metric: `erase one ${g.label}, p95`, value: round(percentile(eraseMs, 0.95)), unit: 'ms', ...(checked ? { target: '<= 100' } : {}), note },
        { metric: `erase the same ${g.label} again (nothing left to do)`, value: round(againMs), unit: 'ms' },
        { metric: `rows erased, ${g.label}`, value: (outcomes.deleted ?? 0) + (outcomes.anonymized ?? 0), unit: 'rows',
          note: `${outcomes.deleted ?? 0} deleted, ${outcomes.anonymized ?? 0} anonymized, ${outcomes.restricted ?? 0} restricted (bookkeeping)` },
      );
    }
    const postgres = (await client.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    for (const f of figures) log(`${f.metric.padEnd(62)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
    const file = writeBenchResult({ name: 'subject-rights', date: new Date().toISOString(), postgres, machine: machineDescription(), figures });
    log(`written to ${file}`);
  } finally {
    await admin.end();
    await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`);
    await client.query(`drop owned by ${role}; drop role ${role}`);
  }
} finally {
  await db.close();
}
