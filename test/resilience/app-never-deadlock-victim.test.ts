import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import type { Policy, TablePolicy } from '../../src/policy/policy-types.ts';
import { kyselyFor } from '../policy/policy-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

// PostgreSQL breaks a deadlock by failing the transaction whose deadlock check finds it: the one
// that closed the cycle, once its own deadlock_timeout has passed. An application that runs with
// a short deadlock_timeout (10 ms here; the toolkit's sessions keep the server's 1 s) is that one
// whenever the toolkit waits for a lock while holding another the application then asks for. So
// the toolkit never waits in a cycle: the sweep waits for a row at most lock_timeout (1 ms by
// default), and sync, apply and migrate up take every lock after their first NOWAIT, in a fixed
// order, giving way and retrying. Each case drives the lock order that made the application the
// victim before, and checks the application's transaction survives it.

const db = useTestDatabase('base');
const { DATABASE_URL: _, ...ENV } = process.env;

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text);
    insert into public.customer select g, 'customer ' || g from generate_series(1, 30) g;
    select privacy.declare_subject_type('customer', 'customer', 'id');
    create table public.ride (id bigint primary key, customer_id bigint not null references public.customer,
                              ended_at timestamptz not null, driver text);
    insert into public.ride select g, 1 + g % 30, timestamptz '2020-01-01' + g * interval '1 minute', 'driver ' || g
      from generate_series(1, 2000) g;
    select privacy.link_subject('customer', 'ride', 'customer_id');
    select privacy.classify_column('ride', 'customer_id', 'not_personal');
    select privacy.classify_column('ride', 'driver', 'identifier', anonymize => 'redact');
    select privacy.set_retention('ride', anchor => 'ended_at', keep => '1 year', action => 'anonymize');`);
  // However long the toolkit's first lock may queue (privacy.ddl_lock_timeout, 100 ms by default),
  // it takes no other lock but NOWAIT.
  await db.pool().query(`do $$ begin execute format('alter database %I set privacy.ddl_lock_timeout = %L', current_database(), '2s'); end $$`);
  for (const table of ['first_account', 'second_account']) {
    await db.pool().query(`
      create table public.${table} (id bigint primary key, email text, note text);
      insert into public.${table} select g, 'user' || g || '@example.se', 'n' from generate_series(1, 100) g;
      select privacy.classify_column('${table}', 'id', 'not_personal');
      select privacy.classify_column('${table}', 'email', 'contact', mask => 'email');
      select privacy.classify_column('${table}', 'note', 'free_text', mask => 'redact');
      select privacy.protect_table('${table}');`);
  }
});

/** The application: its own session, deadlock_timeout 10 ms, every statement's error collected. */
async function application(): Promise<{ client: pg.Client; run: (sql: string) => Promise<void>; errors: string[] }> {
  const client = new pg.Client(db.url);
  await client.connect();
  await client.query(`set application_name = 'application'; set deadlock_timeout = '10ms'; set statement_timeout = '10s'`);
  const errors: string[] = [];
  return {
    client,
    errors,
    run: async (sql) => {
      try {
        await client.query(sql);
      } catch (error) {
        errors.push((error as Error).message);
      }
    },
  };
}

/**
 * Waits until a session of the toolkit waits for a lock (true), or `ms` pass (false): the moment
 * an application statement closes a cycle, if the toolkit waits in one.
 */
async function toolkitWaits(ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(2)) {
    const { rows } = await db.pool().query(`select 1 from pg_stat_activity
      where wait_event_type = 'Lock' and application_name <> 'application' and datname = current_database()
        and pid <> pg_backend_pid()`);
    if (rows.length > 0) return true;
  }
  return false;
}

describe('the application is never the deadlock victim, with a deadlock_timeout shorter than the toolkit\'s', () => {
  it('sweep: the application holds an expired row a batch reaches, then writes a row the batch already changed', async () => {
    const app = await application();
    const sweeper = new pg.Client(db.url);
    await sweeper.connect();
    await sweeper.query(`set application_name = 'integritet sweep'`);
    try {
      // The run's first unit plans one batch of every expired row; the next one does it, locking
      // rows 1… in order, and comes to the application's row 1500.
      await sweeper.query(`select * from privacy.sweep('ride', batch_size => 5000, lock_budget => '0')`);
      await app.run('begin');
      await app.run(`update public.ride set driver = 'app' where id = 1500`);
      const batch = sweeper.query(`select * from privacy.sweep('ride', batch_size => 5000, lock_budget => '0')`);
      await toolkitWaits(150);
      await app.run(`update public.ride set driver = 'app' where id = 1`);
      await app.run('commit');
      const { rows } = await batch;
      expect(app.errors).toEqual([]);
      // The batch gave way to the application (it is retried later); no row of it was changed.
      expect(rows).toMatchObject([{ relation: 'public.ride', row_count: '0', run_state: 'running' }]);
      expect(await db.pool().query(`select count(*)::int as n from public.ride where driver = 'app'`)).toMatchObject({ rows: [{ n: 2 }] });
    } finally {
      await app.client.end();
      await sweeper.end();
    }
  });

  it('sync: the application reads a table, sync regenerates its masked view, the application reads the view', async () => {
    await db.pool().query(`begin; set local privacy.syncing = 'on';
      alter table public.first_account add column added_later text; commit;`);
    const app = await application();
    try {
      await app.run('begin');
      await app.run('select count(*) from public.first_account');
      const sync = spawn(process.execPath, ['bin/integritet.js', 'sync', '--database-url', db.url], { env: ENV });
      let stderr = '';
      sync.stderr.on('data', (d) => { stderr += d; });
      const exited = new Promise<number | null>((resolve) => sync.on('close', resolve));
      // The moment sync would wait for the table while holding the view (if it ever waited), the
      // application reads the view.
      await toolkitWaits(2500);
      for (let i = 0; i < 10; i++) {
        await app.run('select count(*) from masked.first_account');
        await sleep(20);
      }
      await app.run('commit');
      expect(app.errors).toEqual([]);
      expect(await exited, stderr).toBe(0);
      expect(stderr).toMatch(/waiting/);
    } finally {
      await app.client.end();
    }
  });

  it('apply: the application holds one table and reads the other while apply changes both in one transaction', async () => {
    const policy = (mask: 'redact' | 'email'): Policy => {
      const columns: TablePolicy['columns'] = {
        id: { category: 'not_personal' }, email: mask === 'email' ? { category: 'contact', mask: 'email' } : { category: 'contact', mask: 'redact' },
        note: { category: 'free_text', mask: 'redact' },
      };
      return { tables: { first_account: { columns: { ...columns, added_later: { category: 'not_personal' } } }, second_account: { columns } } };
    };
    for (const [held, read, mask] of [['second_account', 'first_account', 'redact'], ['first_account', 'second_account', 'email']] as const) {
      const app = await application();
      try {
        await app.run('begin');
        await app.run(`select count(*) from public.${held}`);
        const waits: string[] = [];
        const applying = applyPolicy(kyselyFor(db.url), policy(mask), { prune: false, onWait: (line) => waits.push(line) });
        await toolkitWaits(2500);
        for (let i = 0; i < 10; i++) {
          await app.run(`select count(*) from public.${read}`);
          await app.run(`select count(*) from masked.${read}`);
          await sleep(20);
        }
        await app.run('commit');
        expect(app.errors, `${held} held`).toEqual([]);
        await applying;
        expect(waits.length, `${held} held`).toBeGreaterThan(0);
      } finally {
        await app.client.end();
      }
    }
  });

  it('migrate up: a definition regenerates both tables\' enforcement while the application holds one and reads the other', async () => {
    // Enforcement as an old release left it (a row policy that does not leave restricted rows
    // out): sql/950 regenerates every such table, in one transaction, when it is applied again.
    await db.pool().query(`
      begin; set local privacy.syncing = 'on';
      alter policy privacy_rows on public.first_account using (true);
      alter policy privacy_rows on public.second_account using (true);
      commit;
      update privacy.enforcement set definition_hash = 'old' where table_name in ('first_account', 'second_account');
      update privacy.schema_migration set checksum = 'changed' where name = 'sql/950-enforcement-upgrade.sql';`);
    const app = await application();
    try {
      await app.run('begin');
      await app.run('select count(*) from public.second_account');
      const lines: string[] = [];
      const migrating = migrateUp(db.url, { log: (line) => lines.push(line) });
      await toolkitWaits(2500);
      for (let i = 0; i < 10; i++) {
        await app.run('select count(*) from public.first_account');
        await app.run('select count(*) from masked.first_account');
        await sleep(20);
      }
      await app.run('commit');
      expect(app.errors).toEqual([]);
      expect((await migrating).repeatable).toContain('sql/950-enforcement-upgrade.sql');
      expect(lines.some((l) => l.includes('waiting')), lines.join('\n')).toBe(true);
    } finally {
      await app.client.end();
    }
  });
});
