// Benchmark: a full anonymized copy (integritet copy) beside pg_dump | psql of the same database,
// in the same run, on the tracking schema at scale 1 (100k positions) with the reference policy.
// Throughput is rows written per second of wall time; the copy writes fewer rows (those past
// their retention period stay behind), so rows per second is the fair figure. Target: the copy
// at >= 0.5x the throughput of pg_dump | psql. pg_dump must be of the server's major version or
// newer; where it is not, the baseline is skipped and said so. Each runs ROUNDS times
// (COPY_BENCH_ROUNDS, default 5), taking turns; the figures are the medians.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { installTrackingSchema, seedTracking } from '../examples/tracking/seed.ts';
import { copyDatabase } from '../src/copy/copy-database.ts';
import { openKysely } from '../src/kysely/open-kysely.ts';
import { applyPolicy } from '../src/policy/apply-policy.ts';
import { loadPolicy } from '../src/policy/load-policy.ts';
import { openBenchDatabase } from './bench-database.ts';
import { machineDescription, median, writeBenchResult, type Figure } from './bench-result.ts';

const asOf = new Date('2026-06-30T12:00:00Z');
const ROUNDS = Number(process.env.COPY_BENCH_ROUNDS ?? 5);
const bench = await openBenchDatabase();
const admin = new pg.Client({ connectionString: bench.server.url });
await admin.connect();
const targets: string[] = [];
const makeTarget = async (label: string): Promise<string> => {
  const name = `${bench.name}_${label}`;
  await admin.query(`create database ${name}`);
  targets.push(name);
  const url = new URL(bench.url);
  url.pathname = `/${name}`;
  return url.toString();
};
const dropTarget = async (url: string) => {
  const name = new URL(url).pathname.slice(1);
  await admin.query(`drop database if exists ${name} with (force)`);
};

try {
  await installTrackingSchema(bench.client);
  await seedTracking(bench.client, { scale: 1, seed: 1, asOf });
  const kysely = openKysely(bench.url);
  await applyPolicy(kysely, await loadPolicy(new URL('../examples/tracking/integritet.config.ts', import.meta.url).pathname));
  await kysely.destroy();
  await bench.client.query('vacuum analyze');
  const { rows: [count] } = await bench.client.query<{ n: string }>(
    `select sum(n_live_tup)::bigint as n from pg_stat_user_tables where schemaname = 'public'`);
  const sourceRows = Number(count?.n ?? 0);
  const version = (await bench.client.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '';
  const figures: Figure[] = [];

  // Copy and dump take turns, ROUNDS times each, and the medians are compared: one run of each
  // moved the ratio from 0.4x to 0.8x with the machine's load (pg_dump | psql sends each of its
  // thousands of statements on its own, and suffers most from a busy machine).
  const copyRuns: number[] = [];
  const dumpRuns: number[] = [];
  let copiedRows = 0;
  let dumpFailure: string | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const copyTarget = await makeTarget(`copy${round}`);
    const copyStarted = process.hrtime.bigint();
    const copied = await copyDatabase(bench.url, { to: copyTarget, asOf, jobs: 2 });
    copyRuns.push(Number(process.hrtime.bigint() - copyStarted) / 1e9);
    copiedRows = copied.tables.reduce((sum, t) => sum + t.rows, 0);
    await dropTarget(copyTarget);

    if (dumpFailure) continue;
    const dumpTarget = await makeTarget(`dump${round}`);
    const dumpStarted = process.hrtime.bigint();
    const dump = spawnSync('bash', ['-o', 'pipefail', '-c', 'pg_dump --no-owner "$1" | psql -X -q -v ON_ERROR_STOP=0 "$2" >/dev/null 2>&1',
                                    'dump', bench.url, dumpTarget], { encoding: 'utf8' });
    dumpRuns.push(Number(process.hrtime.bigint() - dumpStarted) / 1e9);
    await dropTarget(dumpTarget);
    if (dump.status !== 0) dumpFailure = dump.stderr.trim().split('\n')[0] || `exit ${dump.status}`;
    console.error(`round ${round}: copy ${copyRuns.at(-1)!.toFixed(2)} s, pg_dump | psql ${dumpRuns.at(-1)!.toFixed(2)} s`);
  }
  const copySeconds = median(copyRuns);
  const copyThroughput = copiedRows / copySeconds;
  const runs = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  figures.push({ metric: 'integritet copy, full', value: Math.round(copyThroughput), unit: 'rows/s',
                 note: `${copiedRows} rows in ${copySeconds.toFixed(2)} s (median of ${ROUNDS}: ${runs(copyRuns)} s), toolkit install included` });
  if (!dumpFailure) {
    const dumpSeconds = median(dumpRuns);
    const dumpThroughput = sourceRows / dumpSeconds;
    figures.push({ metric: 'pg_dump | psql', value: Math.round(dumpThroughput), unit: 'rows/s',
                   note: `${sourceRows} rows in ${dumpSeconds.toFixed(2)} s (median of ${ROUNDS}: ${runs(dumpRuns)} s)` });
    figures.push({ metric: 'copy throughput / pg_dump | psql', value: Number((copyThroughput / dumpThroughput).toFixed(2)),
                   unit: 'x', target: '>= 0.5', note: `medians of ${ROUNDS} runs each, taking turns` });
  } else {
    console.error(`pg_dump | psql could not run here (${dumpFailure}); no baseline`);
  }
  console.log(figures.map((f) => `${f.metric}: ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`).join('\n'));
  console.log(`written to ${writeBenchResult({ name: 'copy', date: new Date().toISOString(), postgres: version,
                                                machine: machineDescription(), figures })}`);
} finally {
  for (const name of targets) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  await bench.close();
}
