// Benchmark: the mechanism cost of masked reads (a full scan, primary-key lookups), counted in
// CPU instructions.
//
// bench/masked-reads.ts times the same reads. A lookup costs tens of microseconds, and on a
// shared virtual machine the timed ratio of two such loops moves by more than the few percent it
// is meant to show (paired runs of one build gave 0.96× and 1.12× an hour apart). Instructions do
// not move: valgrind's callgrind counts them in a PostgreSQL backend running the loop in
// single-user mode, the same count for the same build and data whatever else the machine does.
// The figure per lookup is the difference between a loop of 1200 lookups and one of 200, divided
// by 1000, so that starting the backend and planning the statement drop out; a full scan is
// counted less a backend that only runs `select 1`. A single-user backend has no parallel
// workers, so the scans are serial here (bench/masked-reads.ts times them parallel).
//
// Needs valgrind and the PostgreSQL server binaries (`pg_config --bindir`, or PG_BINDIR); makes
// its own cluster in a temporary directory and removes it. As root, the cluster runs as the
// `postgres` user. Run: node bench/masked-reads-instructions.ts [rows]
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateUp } from '../src/migrate/migrator.ts';
import { createBenchPerson, lookupLoop, maskedViewSql } from './bench-person.ts';
import { machineDescription, writeBenchResult, type Figure } from './bench-result.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const short = 200;
const long = 1200;

function which(command: string, args: string[]): string | undefined {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

const valgrind = which('valgrind', ['--version']);
const bindir = process.env.PG_BINDIR ?? which('pg_config', ['--bindir']);
if (!valgrind || !bindir) {
  console.error(`skipped: needs valgrind (${valgrind ?? 'not found'}) and PostgreSQL's server binaries (${bindir ?? 'pg_config not found'})`);
  process.exit(0);
}

// PostgreSQL refuses to run as root: then every server command runs as `postgres`.
const asRoot = userInfo().uid === 0;
// Output is kept back unless a command fails (the error then carries it).
const run = (command: string, args: string[], input?: string): string =>
  asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { input, encoding: 'utf8', stdio: 'pipe' })
         : execFileSync(command, args, { input, encoding: 'utf8', stdio: 'pipe' });

const dir = mkdtempSync(join(tmpdir(), 'integritet-callgrind-'));
if (asRoot) {
  const postgres = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  chownSync(dir, Number(postgres), Number(postgres));
}
const data = join(dir, 'data');
const port = 20000 + Math.floor(Math.random() * 20000);
let started = false;
try {
  console.error(`cluster in ${dir} …`);
  run(join(bindir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  run(join(bindir, 'pg_ctl'), ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=''`, '-l', join(dir, 'log'), '-w', 'start']);
  started = true;
  const url = `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('create database bench');
  await admin.end();
  const benchUrl = url.replace('/postgres?', '/bench?');
  await migrateUp(benchUrl);
  const client = new pg.Client({ connectionString: benchUrl });
  await client.connect();
  console.error(`loading ${rows} rows …`);
  await createBenchPerson(client, rows);
  // The masked role as the application's login would be; the unrestricted one as in masked-reads.
  await client.query(`create role bench_app in role privacy_masked;
                      create role bench_staff bypassrls in role privacy_unmasked;
                      grant select on public.bench_person, privacy.hidden_row to bench_staff`);
  // Single-user mode ends a statement at a newline.
  const viewSql = (await maskedViewSql(client)).replace(/\s+/g, ' ');
  const postgresVersion: string = (await client.query('select version() as v')).rows[0].v;
  await client.end();
  run(join(bindir, 'pg_ctl'), ['-D', data, '-w', 'stop']);
  started = false;

  // One single-user backend per count: the role, the tenant where the role needs one, the statement.
  const instructions = (label: string, role: string, tenant: boolean, statement: string): number => {
    const script = [`set role ${role}`, 'begin', ...(tenant ? [`select privacy.set_tenant('1')`] : []),
      statement.replace(/\s+/g, ' '), 'commit', ''].join('\n');
    const out = join(dir, `callgrind.${label}`);
    run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, join(bindir, 'postgres'), '--single', '-D', data, 'bench'], script);
    const summary = /^summary: (\d+)$/m.exec(readFileSync(out, 'utf8'));
    if (!summary) throw new Error(`no instruction count in ${out}`);
    return Number(summary[1]);
  };
  const sides = {
    masked: { role: 'bench_app', tenant: true, from: 'masked.bench_person', lookup: 'select * from masked.bench_person where id = $ID' },
    byHand: { role: 'bench_staff', tenant: false, from: `(${viewSql} and t.tenant_id = 1) v`,
              lookup: `select * from (${viewSql} and t.tenant_id = 1 and t.id = $ID) v` },
    raw: { role: 'bench_staff', tenant: false, from: 'public.bench_person where tenant_id = 1',
           lookup: 'select * from public.bench_person where tenant_id = 1 and id = $ID' },
  };
  const perLookup: Record<string, number> = {};
  const scan: Record<string, number> = {};
  for (const [name, side] of Object.entries(sides)) {
    console.error(`counting ${name} …`);
    const count = (label: string, statement: string) => instructions(`${name}.${label}`, side.role, side.tenant, statement);
    perLookup[name] = Math.round((count(`lookups.${long}`, lookupLoop(side.lookup, long, rows))
                                  - count(`lookups.${short}`, lookupLoop(side.lookup, short, rows))) / (long - short));
    // The full scan less a backend that runs `select 1`: what starting the backend costs drops out.
    scan[name] = count('scan', `select count(*), max(name), max(email), max(phone), sum(amount) from ${side.from}`)
      - count('baseline', 'select 1');
  }

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const note = 'callgrind, single-user backend (no parallel workers)';
  const figures: Figure[] = [
    { metric: 'full scan, masked view (restricted role)', value: Math.round(scan.masked! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, same masks by hand (unrestricted role)', value: Math.round(scan.byHand! / 1e6), unit: 'M instructions' },
    { metric: 'full scan, raw', value: Math.round(scan.raw! / 1e6), unit: 'M instructions' },
    { metric: 'pk lookup, masked view (restricted role)', value: perLookup.masked!, unit: 'instructions' },
    { metric: 'pk lookup, same masks by hand (unrestricted role)', value: perLookup.byHand!, unit: 'instructions' },
    { metric: 'pk lookup, raw', value: perLookup.raw!, unit: 'instructions' },
    { metric: '(a) mechanism cost, full scan, in instructions', value: ratio(scan.masked!, scan.byHand!), unit: '×',
      target: '<= 1.10', note },
    { metric: '(a) mechanism cost, pk lookup, in instructions', value: ratio(perLookup.masked!, perLookup.byHand!), unit: '×',
      target: '<= 1.05', note: `${note}, server-side loop` },
    { metric: '(b) price of masking, full scan, in instructions', value: ratio(scan.masked!, scan.raw!), unit: '×' },
    { metric: '(b) price of masking, pk lookup, in instructions', value: ratio(perLookup.masked!, perLookup.raw!), unit: '×' },
  ];
  const file = writeBenchResult({
    // Another size than the default keeps its own file: the two sizes price the plan differently.
    name: rows === 1_000_000 ? 'masked-reads-instructions' : `masked-reads-instructions-${rows}`, date: new Date().toISOString(), postgres: postgresVersion.replace(/ on .*$/, ''),
    machine: machineDescription(), figures: figures.map((f) => ({ ...f, metric: `${f.metric} (${rows} rows)` })),
  });
  for (const f of figures) console.log(`${f.metric.padEnd(50)} ${String(f.value).padStart(8)} ${f.unit} ${f.target ?? ''}`);
  console.log(`written to ${file}`);
} finally {
  if (started) {
    try {
      run(join(bindir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // The directory goes anyway; a server left running would show in its log.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
