import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt, createAttacker, expectNoSecret, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let app: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  app = await createAttacker(db);
});

describe('the tenant of a pooled connection', () => {
  it("a session-level SET privacy.tenant left on a pooled connection shows the next user nothing", async () => {
    await asRole(app, async (connection) => {
      // One request sets the tenant for the whole session (the mistake) …
      await connection.query(`set privacy.tenant = '${secrets.own}'`);
      await connection.query(`select set_config('privacy.tenant', $1, false)`, [secrets.own]);
      // … the next request on the same pooled connection forgets to set one.
      const next = await attempt(connection, 'select id from customer');
      expect(next.rows).toEqual([]);
    });
  });

  it('a tenant set with set_tenant() ends with its transaction', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      expect((await connection.query('select id from customer')).rows).toHaveLength(1);
      await connection.query('commit');
      expect((await connection.query('select id from customer')).rows).toEqual([]);
    });
  });

  it('a tenant set with set_tenant() holds when the transaction changes its time zone or date style afterwards', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      await connection.query(`set local time zone 'Pacific/Chatham'`);
      await connection.query(`set local datestyle = 'SQL, DMY'`);
      const { rows } = await connection.query('select id::text from customer');
      await connection.query('commit');
      expect(rows).toEqual([{ id: secrets.own }]);
    });
  });

  it('a tenant written with set_config() instead of set_tenant(), even transaction-locally, names no tenant', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query(`select set_config('privacy.tenant', $1, true)`, [secrets.own]);
      const outcome = await attempt(connection, 'select id from customer');
      await connection.query('rollback');
      expect(outcome).toMatchObject({ rows: [] });
      expect(outcome.error).toBeUndefined();
    });
  });

  it("a role default of set_tenant()'s own setting, which would give every session a tenant, is a high finding of verify", async () => {
    const database = (await db.pool().query('select current_database() as d')).rows[0].d;
    const finding = async () => (await db.pool().query(
      `select severity, object from privacy.verify() where check_name = 'tenant_set_for_sessions'`)).rows;
    expect(await finding()).toEqual([]);
    await db.pool().query(`alter role "${app.name}" in database "${database}" set privacy.transaction_tenant = '${secrets.own}'`);
    try {
      // A new session of that role has the setting before any set_tenant(); without the stamp of
      // its transaction it names no tenant, but it is a mistake verify reports all the same.
      const leaked = await asRole(app, (connection) => attempt(connection, 'select id::text from customer'));
      expect(leaked.rows).toEqual([]);
      expect(await finding()).toEqual([{ severity: 'high', object: `role ${app.name} in database ${database}` }]);
    } finally {
      await db.pool().query(`alter role "${app.name}" in database "${database}" reset privacy.transaction_tenant`);
    }
    expect(await finding()).toEqual([]);
  });

  it('a prepared statement planned for one tenant returns only the rows of the tenant of each execution', async () => {
    await asRole(app, async (connection) => {
      const run = async (tenant: string) => {
        await connection.query('begin');
        await connection.query('select privacy.set_tenant($1)', [tenant]);
        const { rows } = await connection.query({ name: 'vehicles', text: 'select customer_id::text as c, registration_number from vehicle' });
        await connection.query('commit');
        return rows;
      };
      // Enough executions for PostgreSQL to switch to a generic (cached) plan.
      for (let i = 0; i < 7; i++) expect(new Set((await run(secrets.own)).map((r) => r.c))).toEqual(new Set([secrets.own]));
      const other = await run(secrets.other);
      expect(new Set(other.map((r) => r.c))).toEqual(new Set([secrets.other]));
      expectNoSecret(asText({ rows: other }), secrets);
    });
  });

  it("an empty or NULL tenant set over an earlier one leaves no tenant: no rows, not the earlier tenant's", async () => {
    await asRole(app, async (connection) => {
      for (const none of ['', null]) {
        await connection.query('begin');
        await connection.query('select privacy.set_tenant($1)', [secrets.own]);
        await connection.query('select privacy.set_tenant($1)', [none]);
        const outcome = await attempt(connection, 'select id from customer');
        const tenant = (await connection.query('select privacy.current_tenant() as t')).rows[0].t;
        await connection.query('rollback');
        expect(outcome).toMatchObject({ rows: [] });
        expect(outcome.error).toBeUndefined();
        expect(tenant).toBeNull();
      }
    });
  });

  it("look-alike functions and operators earlier in the caller's search_path do not change what set_tenant() writes", async () => {
    await db.pool().query(`create schema if not exists lookalike;
      grant usage on schema lookalike to public;
      create or replace function lookalike.encode(bytea, text) returns text language sql immutable return 'forged';
      create or replace function lookalike.set_config(text, text, boolean) returns text language sql return 'forged'`);
    await asRole(app, async (connection) => {
      await connection.query('begin');
      const path = (await connection.query(`select current_setting('search_path') as p`)).rows[0].p;
      await connection.query(`select set_config('search_path', 'lookalike, pg_catalog, ' || $1, true)`, [path]);
      const plan = (await connection.query(`explain (verbose, costs off) select privacy.set_tenant($1)`, [secrets.own]))
        .rows.map((r) => r['QUERY PLAN']).join('\n');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      const { rows } = await connection.query('select id::text from customer');
      await connection.query('commit');
      // Inlined into the caller's statement (no SQL function started per call), bound to pg_catalog.
      expect(plan).toContain('pg_catalog.set_config(');
      expect(plan).not.toContain('privacy.set_tenant(');
      expect(rows).toEqual([{ id: secrets.own }]);
    });
  });

  it('a tenant id that is no number is an error, not a wider filter', async () => {
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [`${secrets.own} or true`]);
      const outcome = await attempt(connection, 'select id from customer');
      await connection.query('rollback');
      expect(outcome.error?.code).toBe('22P02');
      expect(outcome.rows).toEqual([]);
    });
  });
});

describe('writing across tenants', () => {
  const inOwnTenant = (sql: string) => asRole(app, async (connection) => {
    await connection.query('begin');
    await connection.query('select privacy.set_tenant($1)', [secrets.own]);
    const outcome = await attempt(connection, sql);
    await connection.query('rollback');
    return outcome;
  });

  it("inserting a row into another tenant is refused", async () => {
    const outcome = await inOwnTenant(`insert into vehicle (customer_id, registration_number) values (${secrets.other}, 'ABC123')`);
    expect(outcome.error?.code).toBe('42501');
  });

  it('moving an own row into another tenant is refused', async () => {
    const outcome = await inOwnTenant(`update vehicle set customer_id = ${secrets.other} where id = ${secrets.ownVehicleId}`);
    expect(outcome.error?.code).toMatch(/42501|23503/);
  });

  it("updating or deleting another tenant's rows changes nothing", async () => {
    const before = (await db.pool().query(`select md5(string_agg(v::text, ',' order by id)) as h from public.vehicle v
                                           where customer_id = ${secrets.other}`)).rows[0].h;
    const update = await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      const u = await connection.query(`update vehicle set notes = 'owned' where customer_id = ${secrets.other}`);
      const d = await connection.query(`delete from vehicle where customer_id = ${secrets.other}`);
      await connection.query('commit');
      return [u.rowCount, d.rowCount];
    });
    expect(update).toEqual([0, 0]);
    const after = (await db.pool().query(`select md5(string_agg(v::text, ',' order by id)) as h from public.vehicle v
                                          where customer_id = ${secrets.other}`)).rows[0].h;
    expect(after).toBe(before);
  });

  it('writing back a masked value keeps the stored one; a new value replaces it', async () => {
    const raw = async () => (await db.pool().query(`select registration_number, notes from public.vehicle where id = ${secrets.ownVehicleId}`)).rows[0];
    const before = await raw();
    await asRole(app, async (connection) => {
      await connection.query('begin');
      await connection.query('select privacy.set_tenant($1)', [secrets.own]);
      // A typical ORM save: every column as it was read, one changed.
      const { rows } = await connection.query(`select * from vehicle where id = ${secrets.ownVehicleId}`);
      const row = rows[0];
      await connection.query(`update vehicle set registration_number = $1, notes = $2, model = 'Changed' where id = $3`,
        [row.registration_number, 'Serviced 2026-11-01', row.id]);
      await connection.query('commit');
    });
    const after = await raw();
    expect(after.registration_number).toBe(before.registration_number);
    expect(after.notes).toBe('Serviced 2026-11-01');
  });
});
