import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { kyselyFor } from './policy-fixtures.ts';

// DDL queued behind one long application transaction used to make every later statement on the
// table wait behind it (80 ms became 10.8 s). The toolkit's DDL now waits at most
// privacy.ddl_lock_timeout in the lock queue, gives way, says who holds the table and tries
// again: the application keeps reading while the long transaction runs, and the DDL is done
// once it ends. (How long the application waits is measured in bench/maintenance-latency.ts.)

const db = useTestDatabase('base');
const ROOT = new URL('../..', import.meta.url).pathname;
const { DATABASE_URL: _, ...ENV } = process.env;
let app: LoginRole;

beforeAll(async () => {
  await db.pool().query(`
    create table public.account (id bigint primary key, tenant text not null, email text, note text);
    insert into public.account select g, 't' || g % 3, 'user' || g || '@example.se', 'n' from generate_series(1, 200) g;
    select privacy.classify_column('account', 'id', 'not_personal');
    select privacy.classify_column('account', 'tenant', 'not_personal');
    select privacy.classify_column('account', 'email', 'contact', mask => 'email');
    select privacy.protect_table('account', tenant_column => 'tenant');`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

/** A transaction that read the table and stays open until `end()`: what a long report does. */
async function longTransaction(): Promise<{ pid: number; end: () => Promise<void> }> {
  const client = new pg.Client(db.url);
  await client.connect();
  await client.query(`set application_name = 'long report'`);
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  await client.query('begin');
  await client.query('select count(*) from public.account');
  return { pid, end: async () => { await client.query('commit'); await client.end(); } };
}

/**
 * Reads through the masked view as the application, `times` times, while the long transaction
 * is open; a read queued behind the toolkit's DDL until the long transaction ends would run into
 * the statement timeout (far longer than the lock timeout, so this is not a timing test).
 */
async function applicationReads(times: number): Promise<string[]> {
  const errors: string[] = [];
  await asRole(app, async (client) => {
    await client.query(`set statement_timeout = '5s'`);
    for (let i = 0; i < times; i++) {
      try {
        await client.query('begin');
        await client.query(`select privacy.set_tenant('t1')`);
        await client.query('select count(*) from masked.account');
        await client.query('commit');
      } catch (error) {
        errors.push((error as Error).message);
        await client.query('rollback').catch(() => undefined);
      }
      await sleep(150);
    }
  });
  return errors;
}

describe('the toolkit\'s DDL behind a long application transaction', () => {
  it('integritet sync gives way to the application, says who holds the table, and syncs once it is free', async () => {
    // A column added without the event trigger: the masked view needs regenerating.
    await db.pool().query(`begin; set local privacy.syncing = 'on'; alter table public.account add column added_later text; commit;`);
    const long = await longTransaction();
    const sync = spawn(process.execPath, [join(ROOT, 'bin/integritet.js'), 'sync', '--database-url', db.url], { env: ENV });
    let stdout = '';
    let stderr = '';
    sync.stdout.on('data', (d) => { stdout += d; });
    sync.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => sync.on('close', resolve));
    try {
      // Sync found the table in use, gave way, tried again: retries happen while the application reads.
      for (let i = 0; i < 400 && (stderr.match(/waiting/g)?.length ?? 0) < 2; i++) await sleep(50);
      expect(await applicationReads(6)).toEqual([]);
      expect(stderr).toContain(`public.account is in use by pid ${long.pid} (long report`);
      expect(stderr.match(/waiting/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    } finally {
      await long.end();
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/public\.account\s+updated/);
    const columns = await db.pool().query(`select column_name from information_schema.columns
                                           where table_schema = 'masked' and table_name = 'account' order by ordinal_position`);
    expect(columns.rows.map((r) => r.column_name)).toContain('added_later');
  });

  it('never joins the lock queue behind a transaction open for a second or more, so no application statement waits behind it', async () => {
    const long = await longTransaction();
    await sleep(1500); // the report has now been running for over a second
    const ddl = new pg.Client(db.url);
    await ddl.connect();
    const ddlPid = (await ddl.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    try {
      // A lock timeout far longer than a poll: a request that joined the queue would be seen there.
      await ddl.query(`set privacy.ddl_lock_timeout = '1s'`);
      let settled = false;
      const attempt = ddl.query(`begin; select privacy.lock_for_ddl(array['public.account'::regclass])`)
        .then(() => 'locked', (error: pg.DatabaseError) => `${error.code}: ${error.message}`)
        .finally(() => { settled = true; });
      let queued = 0;
      let polls = 0;
      while (!settled) {
        const { rows } = await db.pool().query<{ n: number }>(
          `select count(*)::int as n from pg_locks where pid = $1 and not granted`, [ddlPid]);
        queued += rows[0]!.n;
        polls += 1;
        await sleep(5);
      }
      expect(await attempt).toMatch(new RegExp(`^PV015: public\\.account is in use by pid ${long.pid} \\(long report`));
      expect({ queued, polled: polls > 0 }).toEqual({ queued: 0, polled: true });
    } finally {
      await ddl.query('rollback').catch(() => undefined);
      await ddl.end();
      await long.end();
    }
  });

  it('apply gives way the same, changes nothing until it can change everything, and reports what it waited for', async () => {
    const long = await longTransaction();
    const waits: string[] = [];
    const kysely = kyselyFor(db.url);
    const policy: Policy = {
      tables: {
        account: {
          tenantColumn: 'tenant',
          columns: {
            id: { category: 'not_personal' }, tenant: { category: 'not_personal' },
            email: { category: 'contact', mask: 'email' }, note: { category: 'free_text', mask: 'redact' },
            added_later: { category: 'not_personal' },
          },
        },
      },
    };
    let applied = false;
    const applying = applyPolicy(kysely, policy, { prune: false, onWait: (line) => waits.push(line) })
      .then((result) => { applied = true; return result; });
    try {
      while (waits.length < 2) await sleep(50);
      expect(await applicationReads(4)).toEqual([]);
      expect(applied).toBe(false);
      // Nothing of the policy is in the catalog yet: all or nothing.
      const { rows } = await db.pool().query(`select count(*)::int as n from privacy.column_rule
                                              where table_name = 'account' and column_name = 'note'`);
      expect(rows[0].n).toBe(0);
      expect(waits[0]).toContain(`is in use by pid ${long.pid} (long report`);
    } finally {
      await long.end();
    }
    const result = await applying;
    expect(result.plan.changes.length).toBeGreaterThan(0);
    const { rows } = await db.pool().query(`select category from privacy.column_rule where table_name = 'account' and column_name = 'note'`);
    expect(rows).toEqual([{ category: 'free_text' }]);
  });

  it('migrate up runs each step with a short lock_timeout, tries again, and applies it once the lock is free', async () => {
    // A definition to apply again, whose triggers on a catalog table need that table's lock.
    await db.pool().query(`update privacy.schema_migration set checksum = 'changed' where name = 'sql/200-masked-views.sql'`);
    const blocker = new pg.Client(db.url);
    await blocker.connect();
    await blocker.query(`set application_name = 'catalog writer'`);
    const pid = (await blocker.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    await blocker.query('begin');
    await blocker.query('lock table privacy.protected_table in row exclusive mode');
    const lines: string[] = [];
    let done = false;
    const migrating = migrateUp(db.url, { log: (line) => lines.push(line) }).then((result) => { done = true; return result; });
    try {
      while (lines.filter((l) => l.includes('waiting')).length < 2) await sleep(50);
      expect(done).toBe(false);
      expect(lines.find((l) => l.includes('waiting'))).toContain(`pid ${pid} (catalog writer`);
    } finally {
      await blocker.query('commit');
      await blocker.end();
    }
    expect((await migrating).repeatable).toContain('sql/200-masked-views.sql');
  });
});

describe('a long transaction in another database of the cluster', () => {
  // Databases cloned from one template give its tables the same OIDs: pg_locks, which shows every
  // database's locks, named this database's table as in use by a transaction of the other one,
  // and the toolkit's DDL gave way to it (PV015) although nothing here held the table.
  const here = useTestDatabase('base');
  const elsewhere = useTestDatabase('base');

  it('holds no lock on a table of this database, though its table has the same OID', async () => {
    const oid = `select 'privacy.protected_table'::regclass::oid::int as oid`;
    expect((await here.pool().query(oid)).rows).toEqual((await elsewhere.pool().query(oid)).rows);
    const blocker = new pg.Client(elsewhere.url);
    await blocker.connect();
    try {
      await blocker.query(`set application_name = 'report elsewhere'`);
      await blocker.query('begin');
      await blocker.query('lock table privacy.protected_table in access share mode');
      await sleep(20);
      const { rows } = await here.pool().query(`
        select privacy.long_transaction_holds('privacy.protected_table', '0 s') as holds,
               privacy.lock_holders('privacy.protected_table') as holders`);
      expect(rows).toEqual([{ holds: false, holders: 'a transaction that has just ended' }]);
      // The same transaction seen from its own database.
      const seen = await elsewhere.pool().query(`select privacy.long_transaction_holds('privacy.protected_table', '0 s') as holds`);
      expect(seen.rows).toEqual([{ holds: true }]);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
  });
});
