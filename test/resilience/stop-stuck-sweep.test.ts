import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';
import { stackFrames, startCli } from './cli-process.ts';

// SIGTERM to a sweep whose statement does not come back (here: it waits for a lock that is never
// released) still ends it within seconds: the statement gets a grace period, then its connection
// is closed, so the server rolls it back, and the command says so in one line.

const db = useTestDatabase('base');

beforeAll(async () => {
  await db.pool().query(`
    create table public.visit (id bigint primary key, at timestamptz not null);
    insert into public.visit select g, now() - interval '100 days' from generate_series(1, 100) g;
    select privacy.set_retention('visit', anchor => 'at', keep => '90 days', action => 'delete');`);
});

describe('integritet sweep stopped while a statement hangs', () => {
  it('closes the connection after the grace period and exits 1 with one line, the rows untouched', async () => {
    const holder = new pg.Client(db.url);
    await holder.connect();
    try {
      // Every sweep reads the policies first, with no lock timeout of its own.
      await holder.query('begin; lock table privacy.retention_policy in access exclusive mode');
      const cli = startCli(['sweep'], db.url);
      for (let waited = 0; ; waited += 100) {
        const { rows } = await db.pool().query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and application_name = 'integritet sweep'`);
        if (rows.length > 0) break;
        if (waited > 60_000) throw new Error(`the sweep never came to wait:\n${cli.stderr()}`);
        await sleep(100);
      }
      const signalled = Date.now();
      cli.child.kill('SIGTERM');
      const run = await cli.exited;
      const took = Date.now() - signalled;
      expect(took).toBeGreaterThanOrEqual(9_000); // the statement had its grace period
      expect(took).toBeLessThan(30_000);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(stackFrames(run.stderr)).toEqual([]);
      expect(run.stderr.trim().split('\n')).toEqual([
        'integritet: stopped: the running statement did not finish in time and was rolled back; run again to continue [STOPPED]',
      ]);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
    }
    const { rows } = await db.pool().query<{ n: number }>('select count(*)::int as n from public.visit');
    expect(rows[0]!.n).toBe(100);
  }, 120_000);
});
