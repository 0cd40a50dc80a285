import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { versionedMigrations } from '../../src/migrate/migration-files.ts';
import { migrateUp, migrationStatus } from '../../src/migrate/migrator.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { withTenant } from '../../src/kysely/with-tenant.ts';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import { startPgbouncer, type Pooler } from '../support/pgbouncer.ts';
import { createScratchDatabase, useTestDatabase } from '../support/test-database.ts';

// Applications often reach PostgreSQL through pgbouncer in transaction mode: consecutive
// transactions of one client run on whichever server connection is free, and one server
// connection serves many clients. What a transaction sets must end with it, and the
// toolkit's own runs must not rely on a session.

const db = useTestDatabase('base');
const TENANTS = ['t0', 't1', 't2', 't3'];
let app: LoginRole;
let pooler: Pooler;

beforeAll(async () => {
  await db.pool().query(`
    create table public.account (id bigint primary key, tenant text not null, email text);
    insert into public.account select g, 't' || g % 4, 'user' || g || '@example.se' from generate_series(1, 400) g;
    select privacy.classify_column('account', 'id', 'not_personal');
    select privacy.classify_column('account', 'tenant', 'not_personal');
    select privacy.classify_column('account', 'email', 'contact', mask => 'email');
    select privacy.protect_table('account', tenant_column => 'tenant');`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  // Two server connections for eight clients: they take turns on them.
  pooler = await startPgbouncer(db.adminUrl, [app.url], { mode: 'transaction', poolSize: 2 });
});

describe('behind pgbouncer in transaction mode', () => {
  it('every row a set_tenant() transaction reads carries its tenant, with clients sharing server connections', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, async () => {
      const client = new pg.Client(pooler.through(app.url));
      await client.connect();
      return client;
    }));
    const wrong: string[] = [];
    const backends = new Set<number>();
    let rowsRead = 0;
    try {
      await Promise.all(clients.map(async (client, c) => {
        for (let i = 0; i < 40; i++) {
          const tenant = TENANTS[(c + i) % TENANTS.length]!;
          await client.query('begin');
          await client.query('select privacy.set_tenant($1)', [tenant]);
          // A parameterized (extended protocol, unnamed prepared) statement, as drivers send them.
          const { rows } = await client.query('select tenant, email, pg_backend_pid() as pid from masked.account where id > $1', [0]);
          await client.query('commit');
          rowsRead += rows.length;
          for (const row of rows) {
            backends.add(row.pid);
            if (row.tenant !== tenant) wrong.push(`${tenant} read a row of ${row.tenant}`);
          }
          // The next transaction, on whatever server connection, without set_tenant: nothing.
          const after = await client.query('select count(*)::int as n from masked.account');
          if (after.rows[0].n !== 0) wrong.push(`${after.rows[0].n} rows without set_tenant after ${tenant}`);
        }
      }));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(wrong).toEqual([]);
    expect(rowsRead).toBe(8 * 40 * 100);
    // Eight clients went through at most two server connections: the sessions really were shared.
    expect(backends.size).toBeLessThanOrEqual(2);
  });

  it('withTenant in the Kysely client reads only its tenant\'s rows, concurrently, through the pooler', async () => {
    const kysely = openKysely(pooler.through(app.url), { max: 6 });
    try {
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => {
        const tenant = TENANTS[i % TENANTS.length]!;
        return withTenant(kysely, tenant, async (trx) => {
          const rows = await trx.selectFrom('masked.account' as never).select(['tenant' as never]).execute();
          return { tenant, tenants: [...new Set(rows.map((r) => (r as { tenant: string }).tenant))], n: rows.length };
        });
      }));
      for (const r of results) expect(r).toEqual({ tenant: r.tenant, tenants: [r.tenant], n: 100 });
      const outside = await kysely.selectFrom('masked.account' as never).select(['tenant' as never]).execute();
      expect(outside).toEqual([]);
    } finally {
      await kysely.destroy();
    }
  });

  it('two migrate up at once through the pooler apply each step once; status answers meanwhile; no lock is left behind', async () => {
    const scratch = await createScratchDatabase();
    const url = pooler.through(scratch.url);
    const statuses: number[] = [];
    let running = true;
    const both = Promise.all([migrateUp(url), migrateUp(url)]).finally(() => { running = false; });
    while (running) {
      // Through the same pooler, while the runs hold the migration lock in their transactions.
      statuses.push((await migrationStatus(url)).length);
    }
    const [a, b] = await both;
    const names = versionedMigrations().map((m) => m.name);
    expect([...a.versioned, ...b.versioned].sort()).toEqual(names);
    expect(statuses.length).toBeGreaterThan(0);
    expect((await migrationStatus(url)).filter((s) => s.state !== 'applied')).toEqual([]);
    const { rows } = await scratch.pool().query(`select count(*)::int as n from pg_locks where locktype = 'advisory'
                                                 and database = (select oid from pg_database where datname = current_database())`);
    expect(rows[0].n).toBe(0);
  });
});
