import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { asText, attempt, createAttacker, expectNoSecret, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
let secrets: Secrets;
let attacker: LoginRole;

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  attacker = await createAttacker(db);
  await db.pool().query(`create schema trap authorization "${attacker.name}"`);
});

const tryAs = (sql: string) => asRole(attacker, (client) => attempt(client, sql));

describe('becoming someone else', () => {
  it('SET ROLE to the view owner is refused', async () => {
    expect((await tryAs('set role privacy_view_owner')).error?.code).toBe('42501');
  });

  it('SET ROLE to privacy_unmasked or privacy_admin is refused', async () => {
    expect((await tryAs('set role privacy_unmasked')).error?.code).toBe('42501');
    expect((await tryAs('set role privacy_admin')).error?.code).toBe('42501');
  });

  it("SET ROLE to the tables' owner is refused", async () => {
    const owner = await db.pool().query(`select relowner::regrole::text as owner from pg_class where oid = 'public.customer'::regclass`);
    expect((await tryAs(`set role ${owner.rows[0].owner}`)).error?.code).toBe('42501');
  });

  it('SET SESSION AUTHORIZATION is refused', async () => {
    expect((await tryAs('set session authorization postgres')).error?.code).toBe('42501');
  });

  it('a trojan trigger on the base table cannot be created', async () => {
    await asRole(attacker, async (client) => {
      await client.query(`create function trap.steal() returns trigger language plpgsql as
                          $$ begin raise notice '%', row_to_json(new); return new; end $$`);
      const outcome = await attempt(client, 'create trigger steal before update on public.customer for each row execute function trap.steal()');
      expect(outcome.error?.code).toBe('42501');
    });
  });

  it('a trojan trigger on the masked view cannot be created', async () => {
    await asRole(attacker, async (client) => {
      await client.query(`create or replace function trap.steal2() returns trigger language plpgsql as
                          $$ begin raise notice '%', row_to_json(new); return new; end $$`);
      const outcome = await attempt(client, 'create trigger steal instead of update on masked.customer for each row execute function trap.steal2()');
      expect(outcome.error?.code).toBe('42501');
    });
  });

  it('TRUNCATE of the base table or the view is refused', async () => {
    expect((await tryAs('truncate public.customer cascade')).error?.code).toBe('42501');
    expect((await tryAs('truncate masked.customer')).error?.code).toMatch(/42501|42809/);
    const { rows } = await db.pool().query('select count(*)::int as n from public.customer');
    expect(rows[0].n).toBeGreaterThan(1);
  });

  it('reading or advancing the identity sequence of a protected table is refused', async () => {
    expect((await tryAs('select last_value from public.customer_id_seq')).error?.code).toBe('42501');
    expect((await tryAs(`select nextval('public.customer_id_seq')`)).error?.code).toBe('42501');
  });

  it('ALTER, DROP or re-creating the masked view is refused', async () => {
    expect((await tryAs('alter view masked.customer rename to c2')).error?.code).toBe('42501');
    expect((await tryAs('drop view masked.customer')).error?.code).toBe('42501');
    expect((await tryAs('create or replace view masked.customer as select * from public.customer')).error?.code).toBe('42501');
  });

  it('changing the row-level security of the base table is refused', async () => {
    expect((await tryAs('alter table public.customer disable row level security')).error?.code).toBe('42501');
    expect((await tryAs('create policy mine on public.customer using (true)')).error?.code).toBe('42501');
  });
});

describe('search_path hijacking', () => {
  it('every SECURITY DEFINER function of the toolkit pins its search_path (pg_temp last) and is not executable by PUBLIC', async () => {
    const { rows } = await db.pool().query(`
      select p.oid::regprocedure::text as fn, p.proconfig, has_function_privilege('public', p.oid, 'execute') as public_exec,
             obj_description(p.oid, 'pg_proc') as comment
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ('privacy', 'masked')`);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(row.proconfig ?? [], row.fn).toContain('search_path=pg_catalog, pg_temp');
      expect(row.public_exec, row.fn).toBe(false);
    }
  });

  it('shadowing pg_catalog functions and operators in a schema of its own fools no policy or definer function', async () => {
    await asRole(attacker, async (client) => {
      // Look-alikes that would widen the tenant filter or the mask if they were ever resolved.
      await client.query(`
        create or replace function trap.current_setting(text, boolean) returns text language sql as $$ select '${secrets.other}' $$;
        create or replace function trap.now() returns timestamptz language sql as $$ select 'epoch'::timestamptz $$;
        create or replace function trap.nullif(text, text) returns text language sql as $$ select '${secrets.other}' $$;
        create or replace function trap.textregexeq(text, text) returns boolean language sql as $$ select true $$;
        create operator trap.= (leftarg = bigint, rightarg = bigint, procedure = int8ne);
        create operator trap.= (leftarg = text, rightarg = text, procedure = textne);`);
      await client.query(`set search_path = trap, masked, pg_catalog, public`);
      const unset = await attempt(client, 'select * from customer');
      expect(unset.rows).toEqual([]);
      await client.query('begin');
      await client.query('select privacy.set_tenant($1)', [secrets.own]);
      const own = await attempt(client, 'select id, email from customer');
      await client.query('rollback');
      expect(own.rows.map((r) => r.id)).toEqual([secrets.own]);
      expectNoSecret(asText(own), secrets);
      // The toolkit's definer functions callable by this role run with an empty search_path.
      const callable = await client.query(`select p.oid::regprocedure::text as fn from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and n.nspname = 'privacy' and has_function_privilege(p.oid, 'execute')`);
      for (const { fn } of callable.rows) {
        const { rows } = await client.query(`select proconfig from pg_proc where oid = $1::regprocedure`, [fn]);
        expect(rows[0].proconfig, fn).toContain('search_path=pg_catalog, pg_temp');
      }
    });
  });

  it("temporary types named like built-in ones (pg_temp is searched first for types) catch nothing in any definer function", async () => {
    const shadowed = ['text', 'name', 'bytea', 'jsonb', 'regtype', 'regclass', 'oid', 'boolean', 'bool', 'int4', 'int8',
                      'bigint', 'integer', 'date', 'interval', 'timestamptz', 'record'];
    const trap = async (client: import('pg').Client) => {
      const caught: string[] = [];
      client.on('notice', (n) => { if (n.message?.startsWith('caught')) caught.push(n.message); });
      await client.query(`create function pg_temp.spy(v pg_catalog.text) returns pg_catalog.bool language plpgsql as
                          $$ begin raise notice 'caught % as %', v, current_user; return true; end $$`);
      for (const type of shadowed) {
        await attempt(client, `create domain pg_temp.${type} as pg_catalog.${type} check (pg_temp.spy(value::pg_catalog.text))`);
      }
      await client.query(`select 'probe'::text`);
      expect(caught.splice(0)).toHaveLength(1);
      return caught;
    };
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const caught = await trap(client);
      for (const sql of [
        `select privacy.classify_column('vehicle', 'vin', 'identifier', mask => 'partial', mask_params => '{"keep_first": 3}')`,
        `select privacy.protect_table('trip', tenant_column => 'customer_id')`,
        `select privacy.declare_subject_type('customer', 'customer', 'id')`,
        `select privacy.set_retention('trip', 'ended_at', '1 year', 'anonymize')`,
        `select privacy.place_hold('customer', '${secrets.own}', 'legal_claim', review_on => '2030-01-01', note => 'trap')`,
        `select privacy.sync()`,
        `select * from privacy.verify()`,
        `select privacy.set_write_rule('vehicle', 'vin', 'scrub_text')`,
      ]) {
        const outcome = await attempt(client, sql);
        expect(outcome.error?.message, sql).toBeUndefined();
      }
      expect(caught).toEqual([]);
    });
    const staff = await createLoginRole(db, { memberOf: ['privacy_unmasked'] });
    await asRole(staff, async (client) => {
      const caught = await trap(client);
      await client.query(`select privacy.reveal('customer', '${secrets.other}', 'email', 'trap test')`);
      expect(caught).toEqual([]);
    });
    await asRole(attacker, async (client) => {
      const caught = await trap(client);
      await client.query('begin');
      await client.query(`select privacy.set_tenant('${secrets.own}')`);
      await client.query(`insert into vehicle (customer_id, registration_number) values (${secrets.own}, 'TMP01A')`);
      await client.query(`update vehicle set make = 'x' where id = ${secrets.ownVehicleId}`);
      await client.query('rollback');
      expect(caught.join('\n')).not.toMatch(/ as (?!it_)/);
    });
  });
});

