// The application's latency while the toolkit changes the schema behind a long transaction:
// `node bench/maintenance-latency.ts [hold seconds]` (DATABASE_URL, default the local server).
//
// The tracking schema (examples/tracking, scale 1) under its reference policy, and an
// application of 4 clients on loopback, each running transactions back to back as a restricted
// login: set_tenant(), a read of the tenant's vehicles and of one device's latest positions
// through the masked views, an insert of a position through masked.position. First its latency
// alone (the baseline), then while, one after the other, each of
//
//   integritet apply      a policy change (vehicle.vin masked with one character less),
//   integritet sync       after a column was added to vehicle behind the event trigger's back,
//   integritet migrate up re-applying sql/430 (its history row made stale), which regenerates the
//                         masked views that changed (vehicle's, after another column),
//
// runs while one more application transaction holds a read lock on vehicle and position for 30 s
// (idle in transaction after its reads). Each command waits for that transaction to end, trying
// again with backoff; what counts is what the application's other transactions see meanwhile:
// p50 and p99 of their latency, and the longest wait of one of their statements in a lock queue
// (pg_stat_activity sampled every 20 ms). Target: p99 within 2x the baseline's.
// Timed on loopback, so only indicative on a shared machine.
// Results go to bench/results/maintenance-latency.json.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from '../examples/tracking/seed.ts';
import { openKysely } from '../src/kysely/open-kysely.ts';
import { applyPolicy } from '../src/policy/apply-policy.ts';
import { loadPolicy } from '../src/policy/load-policy.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';
import { openSweepBenchDatabase } from './sweep-database.ts';

const here = dirname(fileURLToPath(import.meta.url));
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOLD_S = Number(process.argv[2] ?? 30);
const BASELINE_S = HOLD_S;
const CLIENTS = 4;
const POLICY = join(here, '..', 'examples', 'tracking', 'integritet.config.ts');
const log = (line: string) => console.log(line);

interface Sample {
  at: number;
  ms: number;
}

interface Tenant {
  customer: string;
  devices: string[];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** The application: CLIENTS connections, transactions back to back until `stop`; each transaction's latency. */
function startApplication(url: string, tenants: Tenant[]): { samples: Sample[]; errors: string[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let running = true;
  const connect = async (n: number) => {
    const client = new pg.Client({ connectionString: url, application_name: `app ${n + 1}` });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const loops = Array.from({ length: CLIENTS }, async (_, n) => {
    let client = await connect(n);
    let i = n;
    while (running) {
      const tenant = tenants[i++ % tenants.length]!;
      const device = tenant.devices[i % tenant.devices.length]!;
      const started = performance.now();
      try {
        await client.query('begin');
        await client.query('select privacy.set_tenant($1)', [tenant.customer]);
        await client.query('select id, registration_number, vin, driver_name from vehicle');
        await client.query('select recorded_at, lat, lon, speed_kmh from position where device_id = $1 order by recorded_at desc limit 20', [device]);
        await client.query(`insert into position (customer_id, device_id, recorded_at, lat, lon, speed_kmh, heading, ignition)
                            values ($1, $2, timestamptz '2026-06-29 12:00Z' + $3 * interval '1 ms', 59.3293, 18.0686, 42, 90, true)`,
                           [tenant.customer, device, i]);
        await client.query('commit');
        samples.push({ at: Date.now(), ms: performance.now() - started });
      } catch (error) {
        errors.push(`${new Date().toISOString()} ${(error as Error).message}`);
        await client.query('rollback').catch(() => undefined);
        // A lost connection is opened anew, after a pause: a failing loop must not spin.
        await sleep(100);
        if (!running) break;
        await client.end().catch(() => undefined);
        client = await connect(n);
      }
    }
    await client.end();
  });
  return { samples, errors, stop: async () => { running = false; await Promise.all(loops); } };
}

/**
 * Samples the application's statements waiting in a lock queue: the longest wait seen, and each
 * statement seen waiting (pid and start) with when it was first seen.
 */
function watchLockWaits(url: string, appRole: string): { longestMs(): number; waitsBefore(at: number): number; stop(): Promise<void> } {
  let longest = 0;
  let running = true;
  const seen = new Map<string, number>();
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ statement: string; ms: number }>(`
        select pid || ' ' || query_start as statement, (extract(epoch from clock_timestamp() - query_start) * 1000)::float8 as ms
        from pg_stat_activity where usename = $1 and wait_event_type = 'Lock'`, [appRole]);
      for (const row of rows) {
        longest = Math.max(longest, row.ms);
        if (!seen.has(row.statement)) seen.set(row.statement, Date.now());
      }
      await sleep(20);
    }
    await client.end();
  })();
  return {
    longestMs: () => longest,
    waitsBefore: (at) => [...seen.values()].filter((t) => t < at).length,
    stop: async () => { running = false; await loop; },
  };
}

/** Runs the CLI with `args` against `url`; its exit code, duration and the lines saying it waits. */
function runCli(args: string[], url: string): Promise<{ code: number | null; ms: number; waits: string[]; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(here, '..', 'bin', 'integritet.js'), ...args], {
    env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
  return new Promise((resolve) => child.once('close', (code) => resolve({
    code, ms: performance.now() - started, output, waits: output.split('\n').filter((l) => l.includes('waiting:')),
  })));
}

async function main(): Promise<void> {
  const db = await openSweepBenchDatabase(serverUrl);
  const { client } = db;
  const figures: Figure[] = [];
  const appRole = `bench_app_${randomBytes(4).toString('hex')}`;
  try {
    const version = (await client.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    log(`maintenance latency on ${version}: ${CLIENTS} application clients, a ${HOLD_S} s read transaction`);
    await installTrackingSchema(client);
    await seedTracking(client, { scale: 1 });
    const kysely = openKysely(db.url);
    await applyPolicy(kysely, await loadPolicy(POLICY));
    await kysely.destroy();
    await client.query('vacuum analyze');
    const password = randomBytes(12).toString('hex');
    await client.query(`create role ${appRole} login password '${password}' in role privacy_masked;
                        alter role ${appRole} set search_path = masked, public;
                        grant connect on database ${new URL(db.url).pathname.slice(1)} to ${appRole}`);
    const appUrl = new URL(db.url);
    appUrl.username = appRole;
    appUrl.password = password;
    const tenants = (await client.query<Tenant>(`
      select c.id::text as customer, array_agg(d.id::text order by d.id) as devices
      from customer c join device d on d.customer_id = c.id group by c.id order by c.id`)).rows;

    // The policy change for `apply`: vehicle.vin masked with one character less.
    const changed = JSON.parse(JSON.stringify((await import(POLICY)).default)) as
      { tables: { vehicle: { columns: { vin: { maskParams: { keepFirst: number } } } } } };
    changed.tables.vehicle.columns.vin.maskParams.keepFirst = 2;
    const changedPolicy = join(mkdtempSync(join(tmpdir(), 'integritet-bench-')), 'integritet.config.json');
    writeFileSync(changedPolicy, JSON.stringify(changed));

    const app = startApplication(appUrl.toString(), tenants);
    const waits = watchLockWaits(db.url, appRole);
    await sleep(3000); // warm-up
    const windowFrom = (from: number, to: number) => app.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms);

    let from = Date.now();
    await sleep(BASELINE_S * 1000);
    const baseline = windowFrom(from, Date.now());
    const baseP99 = percentile(baseline, 0.99);
    log(`baseline: ${baseline.length} transactions, p50 ${percentile(baseline, 0.5).toFixed(1)} ms, p99 ${baseP99.toFixed(1)} ms, ` +
        `longest lock wait ${waits.longestMs().toFixed(0)} ms`);
    figures.push(
      { metric: 'application transaction, baseline, p50', value: round(percentile(baseline, 0.5)), unit: 'ms', note: `${baseline.length} transactions, ${CLIENTS} clients` },
      { metric: 'application transaction, baseline, p99', value: round(baseP99), unit: 'ms' },
    );

    // Makes vehicle's masked view out of date without regenerating it: a new column, added with
    // the event trigger disabled (as on a server where the toolkit was installed without superuser).
    const staleView = async (column: string) => {
      await client.query(`alter event trigger privacy_sync_after_ddl disable;
                          alter table public.vehicle add column ${column} text;
                          alter event trigger privacy_sync_after_ddl enable`);
    };
    const phases: { name: string; args: string[]; prepare(): Promise<void> }[] = [
      { name: 'apply', args: ['apply', '--policy', changedPolicy], prepare: async () => {} },
      { name: 'sync', args: ['sync'], prepare: () => staleView('colour') },
      { name: 'migrate up', args: ['migrate', 'up'], prepare: async () => {
        await staleView('fuel');
        await client.query(`update privacy.schema_migration set checksum = 'stale' where name = 'sql/430-subject-restriction.sql'`);
      } },
    ];
    for (const phase of phases) {
      await phase.prepare();
      await sleep(1000);
      const holder = new pg.Client({ connectionString: appUrl.toString(), application_name: 'long report' });
      holder.on('error', () => {});
      await holder.connect();
      await holder.query('begin');
      await holder.query('select privacy.set_tenant($1)', [tenants[0]!.customer]);
      await holder.query('select count(*) from vehicle; select count(*) from position');
      const lockWaits = watchLockWaits(db.url, appRole);
      from = Date.now();
      let releasedAt = Infinity;
      const released = sleep(HOLD_S * 1000).then(() => { releasedAt = Date.now(); return holder.query('commit'); }).then(() => holder.end());
      await sleep(500);
      const command = await runCli(phase.args, db.url);
      await released;
      const to = Date.now();
      await lockWaits.stop();
      const failed = app.errors.length;
      if (failed > 0) log(`${failed} application transactions failed so far, e.g. ${app.errors.at(-1)}`);
      if (command.code !== 0) throw new Error(`integritet ${phase.args.join(' ')} failed (exit ${command.code}):\n${command.output}`);
      const latencies = windowFrom(from, to);
      const p99 = percentile(latencies, 0.99);
      log(`${phase.name}: done in ${(command.ms / 1000).toFixed(1)} s after ${command.waits.length} attempts that found the lock in use; ` +
          `${latencies.length} transactions, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms ` +
          `(${(p99 / baseP99).toFixed(2)}x), longest lock wait ${lockWaits.longestMs().toFixed(0)} ms, ` +
          `${lockWaits.waitsBefore(releasedAt)} statements seen waiting in a lock queue while the long transaction was open` +
          (command.waits[0] ? `\n  first: ${command.waits[0]}` : ''));
      figures.push(
        { metric: `application transaction during ${phase.name} behind a ${HOLD_S} s read, p50`, value: round(percentile(latencies, 0.5)), unit: 'ms',
          note: `${latencies.length} transactions; ${phase.name} done after ${round(command.ms / 1000)} s and ${command.waits.length} waits` },
        { metric: `application transaction during ${phase.name} behind a ${HOLD_S} s read, p99`, value: round(p99), unit: 'ms' },
        { metric: `application p99 during ${phase.name} / baseline p99`, value: round(p99 / baseP99, 2), unit: 'x', target: '<= 2' },
        { metric: `application's longest wait in a lock queue during ${phase.name}`, value: Math.round(lockWaits.longestMs()), unit: 'ms',
          note: 'pg_stat_activity sampled every 20 ms' },
        { metric: `application statements seen waiting in a lock queue while the ${HOLD_S} s read was open, during ${phase.name}`,
          value: lockWaits.waitsBefore(releasedAt), unit: 'statements', note: 'pg_stat_activity sampled every 20 ms' },
      );
    }
    await app.stop();
    await waits.stop();
    if (app.errors.length > 0) console.error(app.errors.slice(0, 10).join('\n'));
    if (app.errors.length > 0) throw new Error(`${app.errors.length} application transactions failed, e.g. ${app.errors[0]}`);
    const file = writeBenchResult({ name: 'maintenance-latency', date: new Date().toISOString(), postgres: version, machine: machineDescription(), figures });
    log(`written to ${file}`);
  } finally {
    await client.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${appRole}'`).catch(() => undefined);
    await db.close();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop role if exists ${appRole}`).catch(() => undefined);
    await admin.end();
  }
}

await main();
