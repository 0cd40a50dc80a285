// The attack: the generated INSERT function that applies write rules has no search_path of its
// own (a pinned one costs about as much as the call itself, on every inserted row; see
// sql/240-write-minimisation.sql), so it runs in the writer's, and the built-in rules are
// inlined into it and parsed there. A writer who may create objects puts look-alikes of what the
// rules use (=, *, /, round, abs, ->>, network …) and temporary types named like built-in ones
// before pg_catalog, hoping to store its values unminimised. Nothing in the function or the
// rules is looked up by name, so every value is stored minimised all the same; a registered
// (custom) rule, which may not qualify its names, keeps a pinned search_path.
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createAttacker, protectAndReadSecrets, type Secrets } from './fixture.ts';

const db = useTestDatabase('tracking');
const sql = (text: string, params: unknown[] = []) => db.pool().query(text, params);
let secrets: Secrets;
let attacker: LoginRole;
let device: string;

// Look-alikes that would leave a value as it is (or widen the rule) if they were ever resolved.
const TRAPS = `
  create function trap.same(a float8, b float8) returns float8 language sql as $$ select a $$;
  create function trap.yes(a float8, b float8) returns boolean language sql as $$ select true $$;
  create function trap.no(a float8, b float8) returns boolean language sql as $$ select false $$;
  create operator trap.* (leftarg = float8, rightarg = float8, function = trap.same);
  create operator trap./ (leftarg = float8, rightarg = float8, function = trap.same);
  create operator trap.+ (leftarg = float8, rightarg = float8, function = trap.same);
  create operator trap.- (leftarg = float8, rightarg = float8, function = trap.same);
  create operator trap.= (leftarg = float8, rightarg = float8, function = trap.yes);
  create operator trap.< (leftarg = float8, rightarg = float8, function = trap.no);
  create operator trap.> (leftarg = float8, rightarg = float8, function = trap.no);
  create function trap.round(a float8) returns float8 language sql as $$ select a $$;
  create function trap.abs(a float8) returns float8 language sql as $$ select 1e300::float8 $$;
  create function trap.float8larger(a float8, b float8) returns float8 language sql as $$ select 1e300::float8 $$;
  create function trap.round(a numeric, n integer) returns numeric language sql as $$ select a $$;
  create function trap.field(a jsonb, b text) returns text language sql as $$ select '15' $$;
  create operator trap.->> (leftarg = jsonb, rightarg = text, function = trap.field);
  create function trap.jsonb_object_field_text(a jsonb, b text) returns text language sql as $$ select '15' $$;
  create function trap.int4(a text) returns integer language sql as $$ select 15 $$;
  create function trap.network(a inet) returns cidr language sql as $$ select a::cidr $$;
  create function trap.set_masklen(a inet, n integer) returns inet language sql as $$ select a $$;
  create function trap.masklen(a inet) returns integer language sql as $$ select 32 $$;
  create function trap.family(a inet) returns integer language sql as $$ select 6 $$;
  create function trap.texteq(a text, b text) returns boolean language sql as $$ select true $$;
  create operator trap.= (leftarg = text, rightarg = text, function = trap.texteq);
  create function trap.eq4(a integer, b integer) returns boolean language sql as $$ select false $$;
  create operator trap.= (leftarg = integer, rightarg = integer, function = trap.eq4);
  create function trap.nmul(a numeric, b numeric) returns numeric language sql as $$ select a $$;
  create operator trap.* (leftarg = numeric, rightarg = numeric, function = trap.nmul);`;

// Temporary types named like the ones the rules cast to; pg_temp is searched first for types.
const TEMP_TYPES = ['float8', 'numeric', 'jsonb', 'inet', 'cidr', 'text', 'int4'];

const ROWS = [[59.3293456, 18.0685789], [-33.8567844, 151.2152967], [0.0000049, -0.0000051]];

beforeAll(async () => {
  secrets = await protectAndReadSecrets(db);
  attacker = await createAttacker(db);
  device = (await sql('select id::text from device where customer_id = $1 order by id limit 1', [secrets.own])).rows[0].id;
  await sql(`create schema trap authorization "${attacker.name}";
    select privacy.set_write_rule('position', 'lat', 'cap_precision', '{"digits": 3}');
    select privacy.set_write_rule('position', 'lon', 'cap_precision', '{"digits": 3}');
    create table public.fix (id integer primary key, lat float8, lon float8, amount numeric, ip inet, serial text);
    select privacy.classify_column('fix', c, 'technical') from unnest(array['lat', 'lon', 'amount', 'ip', 'serial']) c;
    select privacy.set_write_rule('fix', 'lat', 'cap_precision', '{"digits": 3}');
    select privacy.set_write_rule('fix', 'lon', 'cap_precision', '{"digits": 3}');
    select privacy.set_write_rule('fix', 'amount', 'cap_precision', '{"digits": 1}');
    select privacy.set_write_rule('fix', 'ip', 'truncate_ip');
    select privacy.set_write_rule('fix', 'serial', 'pseudonymise');
    create function public.cap_whole(value float8, params jsonb) returns float8 language sql immutable as $$ select round(value) $$;
    grant execute on function public.cap_whole(float8, jsonb) to public;
    select privacy.register_strategy('cap_whole', 'public.cap_whole', 'write', '{}', 'Whole numbers only.');
    create table public.custom_fix (id integer primary key, lat float8);
    select privacy.classify_column('custom_fix', 'lat', 'technical');
    select privacy.set_write_rule('custom_fix', 'lat', 'cap_whole');
    grant select, insert, update on public.fix, public.custom_fix to "${attacker.name}";`);
  await asRole(attacker, (client) => client.query(TRAPS));
});

/** Runs `work` as the attacker with the traps first in its search_path. */
async function underTraps(work: (client: import('pg').Client) => Promise<void>): Promise<void> {
  await asRole(attacker, async (client) => {
    for (const type of TEMP_TYPES) {
      await client.query(`create domain pg_temp.${type} as pg_catalog.${type} check (false)`);
    }
    await client.query('set search_path = trap, pg_catalog');
    await work(client);
  });
}

describe('write rules under a search_path of look-alikes', () => {
  it('the traps work: an unqualified rounding under them keeps every digit', async () => {
    await underTraps(async (client) => {
      const { rows } = await client.query(`select round(59.3293456::pg_catalog.float8 * 1e3::pg_catalog.float8)
                                             / 1e3::pg_catalog.float8 as v`);
      expect(rows[0].v).toBe(59.3293456);
    });
  });

  it('the INSERT function of a table with only built-in rules has no search_path of its own; a custom rule keeps it pinned', async () => {
    const { rows } = await sql(`select t.relname::text as table, f.proname like '%\\_update' as update, f.proconfig
      from pg_trigger g join pg_class t on t.oid = g.tgrelid join pg_proc f on f.oid = g.tgfoid
      where g.tgname like 'privacy_minimise%' and t.relname in ('position', 'fix', 'custom_fix') order by 1, 2`);
    const pinned = ['search_path=pg_catalog, pg_temp'];
    expect(rows).toEqual([
      { table: 'custom_fix', update: false, proconfig: pinned }, { table: 'custom_fix', update: true, proconfig: pinned },
      { table: 'fix', update: false, proconfig: null }, { table: 'fix', update: true, proconfig: pinned },
      { table: 'position', update: false, proconfig: null }, { table: 'position', update: true, proconfig: pinned },
    ]);
    // The narrow exception: besides inlinable SQL functions and the procedure that commits
    // (sweep_all), only those generated INSERT functions leave the search_path as it is.
    const { rows: unpinned } = await sql(`select p.proname::text as name from pg_proc p join pg_language l on l.oid = p.prolang
      where p.pronamespace = 'privacy'::regnamespace and p.proconfig is null and l.lanname <> 'sql' order by 1`);
    const generated = (await sql(`select privacy.minimise_function_name('public', t)::text as name
      from unnest(array['fix', 'position']) t`)).rows.map((r) => r.name);
    expect(unpinned.map((r) => r.name)).toEqual([...generated, 'sweep_all'].sort());
  });

  it('values inserted directly are stored minimised', async () => {
    await underTraps(async (client) => {
      for (const [i, [lat, lon]] of ROWS.entries()) {
        await client.query(`insert into public.fix values ($1, $2, $3, 12.3456, '203.0.113.77', 'SER-TRAP-1')`, [i, lat, lon]);
      }
      await client.query(`insert into public.custom_fix values (1, 59.3293456)`);
    });
    const { rows } = await sql(`select lat, lon, amount::text, ip::text, serial from public.fix order by id`);
    expect(rows).toEqual([
      { lat: 59.329, lon: 18.069, amount: '12.3', ip: '203.0.113.0/24', serial: expect.stringMatching(/^[0-9a-z]{16}$/) },
      { lat: -33.857, lon: 151.215, amount: '12.3', ip: '203.0.113.0/24', serial: expect.stringMatching(/^[0-9a-z]{16}$/) },
      { lat: 0, lon: 0, amount: '12.3', ip: '203.0.113.0/24', serial: expect.stringMatching(/^[0-9a-z]{16}$/) },
    ]);
    expect(rows[0].serial).not.toContain('SER');
    expect((await sql(`select lat from public.custom_fix`)).rows[0].lat).toBe(59);
    // −0 is not kept either (the rule stores the numeric zero, +0).
    expect((await sql(`select count(*)::int as n from public.fix where '-0'::float8 in (lat, lon)
      and float8send('-0'::float8) in (float8send(lat), float8send(lon))`)).rows[0].n).toBe(0);
  });

  it('values updated directly are stored minimised', async () => {
    await underTraps(async (client) => {
      await client.query(`update public.fix set lat = 57.7088712, lon = 18.0611111, amount = 1.25 where id OPERATOR(pg_catalog.=) 0`);
      await client.query(`update public.custom_fix set lat = 60.51 where id OPERATOR(pg_catalog.=) 1`);
    });
    expect((await sql(`select lat, lon, amount::text from public.fix where id = 0`)).rows[0])
      .toEqual({ lat: 57.709, lon: 18.061, amount: '1.3' });
    expect((await sql(`select lat from public.custom_fix`)).rows[0].lat).toBe(61);
  });

  it('positions inserted by the application through masked.position are stored minimised', async () => {
    await underTraps(async (client) => {
      await client.query('begin');
      await client.query('select privacy.set_tenant($1)', [secrets.own]);
      for (const [i, [lat, lon]] of ROWS.entries()) {
        await client.query(`insert into masked.position (customer_id, device_id, recorded_at, lat, lon)
          values ($1, $2, $3, $4, $5)`, [secrets.own, device, `2026-11-01 10:00:0${i}+00`, lat, lon]);
      }
      await client.query('commit');
    });
    const { rows } = await sql(`select lat, lon from public.position where device_id = $1
      and recorded_at between '2026-11-01 10:00:00+00' and '2026-11-01 10:00:02+00' order by recorded_at`, [device]);
    expect(rows).toEqual([{ lat: 59.329, lon: 18.069 }, { lat: -33.857, lon: 151.215 }, { lat: 0, lon: 0 }]);
  });
});
