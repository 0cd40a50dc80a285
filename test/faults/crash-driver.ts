import { setTimeout as sleep } from 'node:timers/promises';
import type { PrivateCluster } from '../support/private-cluster.ts';
import { startCli } from '../resilience/cli-process.ts';
import type { FaultPlan } from './seeded-moments.ts';
import { queryOnce } from './twin-state.ts';

/** How one run of a CLI command went, and how long it worked on the database. */
export interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From its first session on the database to its exit, in ms. */
  workingMs: number;
}

/** Waits until a session of the toolkit (application_name integritet…) is connected to `database`. */
async function untilConnected(cluster: PrivateCluster, database: string, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited()) {
    const rows = await queryOnce(cluster.url,
      `select 1 from pg_stat_activity where datname = $1 and application_name like 'integritet%' and pid <> pg_backend_pid()`,
      [database]);
    if (rows.length > 0) return true;
    await sleep(5);
  }
  return false;
}

/** Runs `integritet <args>` on `database` to the end, timing the part where it works on the database. */
export async function runTimed(cluster: PrivateCluster, database: string, args: string[]): Promise<TimedRun> {
  const cli = startCli(args, cluster.urlOf(database));
  let done = false;
  void cli.exited.then(() => { done = true; });
  await untilConnected(cluster, database, () => done);
  const from = Date.now();
  const exit = await cli.exited;
  return { code: exit.code, stdout: exit.stdout, stderr: exit.stderr, workingMs: Date.now() - from };
}

/** What happened when the server was crashed under a command. */
export interface CrashedRun {
  /** Milliseconds after the command's first session that the server was crashed. */
  crashAtMs: number;
  /** Whether the command was still running then (false: it had finished first). */
  crashedMidway: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `integritet <args>` on `database`, crashes the server (`pg_ctl restart -m immediate`: no
 * checkpoint, recovery from the WAL) at a seeded random moment within `windowMs` of its first
 * session, and waits for the command to end.
 */
export async function runAndCrash(cluster: PrivateCluster, database: string, args: string[], windowMs: number,
                                  plan: FaultPlan): Promise<CrashedRun> {
  const crashAtMs = Math.round(plan.next() * windowMs);
  const cli = startCli(args, cluster.urlOf(database));
  let done = false;
  void cli.exited.then(() => { done = true; });
  await untilConnected(cluster, database, () => done);
  await sleep(crashAtMs);
  const crashedMidway = !done;
  await cluster.restart('immediate');
  const exit = await cli.exited;
  return { crashAtMs, crashedMidway, code: exit.code, stdout: exit.stdout, stderr: exit.stderr };
}
