import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { privateClusterAvailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.ts';
import { stackFrames, startCli } from './cli-process.ts';

// A server that crashes while a command waits on it: the command ends with one line that says
// what happened and exit code 1, never with Node's stack trace of an unhandled 'error' event.

let cluster: PrivateCluster;

async function onCluster<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(cluster.url);
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Opens a session that holds `lockSql` in an open transaction until the server goes down. */
async function holdLock(lockSql: string): Promise<pg.Client> {
  const client = new pg.Client(cluster.url);
  client.on('error', () => {}); // the crash ends this session too
  await client.connect();
  await client.query('begin');
  await client.query(lockSql);
  return client;
}

/** Waits until a session (the command's: the test's own do not wait) waits for a lock: the command is mid-statement. */
async function untilToolkitWaits(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const rows = await onCluster(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()`);
    if (rows.length > 0) return;
    await sleep(100);
  }
  throw new Error('no integritet session came to wait for the lock');
}

beforeAll(async () => {
  if (!privateClusterAvailable) return;
  cluster = await startPrivateCluster();
  await migrateUp(cluster.url);
  await onCluster(`
    create table public.customer (id bigint primary key, name text, contract_end date);
    insert into public.customer select g, 'Customer ' || g, current_date - 2000 + g * 10 from generate_series(1, 100) g;
    select privacy.classify_column('customer', 'name', 'contact', mask => 'redact', anonymize => 'redact');
    select privacy.protect_table('customer');
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.set_retention('customer', anchor => 'contract_end', keep => '3 years', action => 'anonymize');`);
}, 120_000);

describe.skipIf(!privateClusterAvailable)('a server crash while a command runs', () => {
  const cases: { command: string[]; lock: string }[] = [
    // Not the swept table: a sweep waits for it only lock_timeout long. Every sweep reads the policies first.
    { command: ['sweep'], lock: 'lock table privacy.retention_policy in access exclusive mode' },
    { command: ['subject', 'erase', 'customer', '7', '--reason', 'Art. 17 request, ticket 1'],
      lock: 'lock table public.customer in access exclusive mode' },
    // migrate up takes no lock it would wait for (its steps give way and retry): it waits here
    // reading its history.
    { command: ['migrate', 'up'], lock: 'lock table privacy.schema_migration in access exclusive mode' },
    { command: ['verify'], lock: 'lock table privacy.protected_table in access exclusive mode' },
    { command: ['sync'], lock: 'lock table privacy.protected_table in access exclusive mode' },
  ];

  for (const { command, lock } of cases) {
    it(`integritet ${command.slice(0, 2).join(' ')}: one "integritet: …" line, exit code 1, no stack trace`, async () => {
      const holder = await holdLock(lock);
      const cli = startCli(command, cluster.url);
      try {
        await untilToolkitWaits();
        await cluster.restart('immediate');
      } finally {
        await holder.end().catch(() => undefined);
      }
      const run = await cli.exited;
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
      expect(stackFrames(run.stderr), run.stderr).toEqual([]);
      const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('hint:'));
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^integritet: .*(terminat|connection|shut ?down)/i);
    });
  }
});
