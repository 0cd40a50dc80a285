import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../src/migrate/migrator.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('tracking');
const sql = (text: string, params: unknown[] = []) => db.pool().query(text, params);
let app: LoginRole;
let tenant: string;

// Coordinates already rounded, raw ones, ties, numbers of every scale, zeros, huge and tiny values,
// NaN, infinities: a float8 for each g of a generate_series.
const FLOAT_SAMPLE = `case g % 8
  when 0 then round((random() * 360 - 180)::numeric, g % 16)::float8
  when 1 then (random() * 360 - 180)
  when 2 then round((random() * 2e6 - 1e6)::numeric, g % 13)::float8 * 10 ^ (g % 7 - 3)
  when 3 then (round((random() * 2e4)::numeric, g % 13) + 5 * 10 ^ (-(g % 13) - 1))::float8
  when 4 then (random() * 2 - 1) * 10 ^ (g % 40 - 20)
  when 5 then (g / 10 ^ (g % 16))::float8
  when 6 then round(random() * 1e6) / 1e5
  else ('{0, -0, NaN, Infinity, -Infinity, 1e-300, 5e-324, 1e15, 999999999999999, 1.0000000000000005e15,
          4503599627370497, 12345678901234567, 98765432109.87654, 123456789012.12345, 0.000025,
          1.234565, -2.5, 0.5, -0.4}'::float8[])[g % 19 + 1]
  end`;

beforeAll(async () => {
  tenant = (await sql('select min(customer_id)::text as t from vehicle')).rows[0].t;
  await sql(`
    select privacy.classify_column('admin_user', 'last_login_ip', 'technical');
    select privacy.set_write_rule('admin_user', 'last_login_ip', 'truncate_ip');
    select privacy.classify_column('vehicle', 'notes', 'free_text');
    select privacy.set_write_rule('vehicle', 'notes', 'scrub_text');
    select privacy.classify_column('position', 'lat', 'location');
    select privacy.classify_column('position', 'lon', 'location');
    select privacy.set_write_rule('position', 'lat', 'cap_precision', '{"digits": 3}');
    select privacy.set_write_rule('position', 'lon', 'cap_precision', '{"digits": 3}');
    select privacy.classify_column('device', 'serial', 'technical');
    select privacy.set_write_rule('device', 'serial', 'pseudonymise');`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  await sql(`alter role "${app.name}" set search_path = masked, public`);
});

describe('minimisation on write', () => {
  it('IP addresses are stored truncated, for the owner as for anyone', async () => {
    const { rows } = await sql(`insert into admin_user (customer_id, email, full_name, password_hash, last_login_ip)
      values ($1, 'ip.test@example.se', 'Ip Test', 'x', '203.0.113.77') returning last_login_ip::text as ip`, [tenant]);
    expect(rows[0].ip).toBe('203.0.113.0/24');
  });

  it('free text loses e-mail addresses, phone numbers and valid personal identity numbers, and keeps the rest', async () => {
    const { rows } = await sql(`update vehicle set notes = $1 where id = (select min(id) from vehicle) returning notes`,
      ['Call Anna on 070-123 45 67 or anna@example.se; pnr 19121212-1212; order 5512120001 is fine']);
    expect(rows[0].notes).not.toContain('070-123 45 67');
    expect(rows[0].notes).not.toContain('anna@example.se');
    expect(rows[0].notes).not.toContain('19121212-1212');
    expect(rows[0].notes).toContain('[email]');
    expect(rows[0].notes).toContain('order 5512120001 is fine');
  });

  it('coordinates are stored with capped precision, also through COPY and multi-row INSERT', async () => {
    const device = (await sql('select id from device where customer_id = $1 limit 1', [tenant])).rows[0].id;
    await sql(`insert into position (customer_id, device_id, recorded_at, lat, lon) values
               ($1, $2, '2026-06-01 10:00+00', 59.3293456, 18.0685789), ($1, $2, '2026-06-01 10:01+00', 59.3299999, 18.0611111)`,
      [tenant, device]);
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url], {
      input: `copy position (customer_id, device_id, recorded_at, lat, lon) from stdin;\n${tenant}\t${device}\t2026-06-01 10:02+00\t59.3311111\t18.0622222\n\\.\n`,
    });
    const { rows } = await sql(`select lat, lon from position where recorded_at between '2026-06-01 10:00+00' and '2026-06-01 10:02+00'
                                and device_id = $1 order by recorded_at`, [device]);
    expect(rows).toEqual([{ lat: 59.329, lon: 18.069 }, { lat: 59.33, lon: 18.061 }, { lat: 59.331, lon: 18.062 }]);
  });

  it('an update minimises a coordinate it changes and leaves the others as they are', async () => {
    const { rows } = await sql(`insert into position (customer_id, device_id, recorded_at, lat, lon)
      select customer_id, id, '2026-06-02 10:00+00', 59.5, 18.5 from device where customer_id = $1 limit 1
      returning id, recorded_at`, [tenant]);
    const row = [rows[0].id, rows[0].recorded_at];
    const update = async (set: string) => (await sql(`update position set ${set} where id = $1 and recorded_at = $2
      returning lat, lon, speed_kmh`, row)).rows[0];
    expect(await update('lat = 59.3293456')).toEqual({ lat: 59.329, lon: 18.5, speed_kmh: null });
    expect(await update('lon = 18.0685789, speed_kmh = 42')).toEqual({ lat: 59.329, lon: 18.069, speed_kmh: 42 });
    expect(await update('lat = lat, lon = 18.1, speed_kmh = 43')).toEqual({ lat: 59.329, lon: 18.1, speed_kmh: 43 });
  });

  it('the generated function is called only for rows a rule changes', async () => {
    const client = await db.pool().connect();
    try {
      await client.query(`begin; set local track_functions = 'pl'`);
      // Calls of the generated functions, on INSERT and on UPDATE.
      const calls = async () => Number((await client.query(`select coalesce(sum(pg_stat_get_xact_function_calls(
          format('privacy.%I()', privacy.minimise_function_name('public', 'position') || f)::regprocedure::oid)), 0) as n
          from unnest(array['', '_update']) f`)).rows[0].n);
      const device = (await client.query('select id from device where customer_id = $1 limit 1', [tenant])).rows[0].id;
      const insert = (lat: number, lon: number, minute: number) => client.query(`insert into position
        (customer_id, device_id, recorded_at, lat, lon) values ($1, $2, $3, $4, $5) returning id, recorded_at, lat, lon`,
        [tenant, device, `2026-06-03 10:${String(minute).padStart(2, '0')}+00`, lat, lon]);
      const kept = await insert(59.329, 18.069, 0);
      expect(kept.rows[0]).toMatchObject({ lat: 59.329, lon: 18.069 });
      expect(await calls()).toBe(0);
      expect((await insert(59.329, 18.0685789, 1)).rows[0]).toMatchObject({ lat: 59.329, lon: 18.069 });
      expect(await calls()).toBe(1);
      const row = [kept.rows[0].id, kept.rows[0].recorded_at];
      await client.query('update position set speed_kmh = 50, lat = lat where id = $1 and recorded_at = $2', row);
      await client.query('update position set lat = 59.4 where id = $1 and recorded_at = $2', row);
      expect(await calls()).toBe(1);
      await client.query('update position set lat = 59.4000001 where id = $1 and recorded_at = $2', row);
      expect(await calls()).toBe(2);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('a value the triggers store without calling the rule is exactly what the rule stores', async () => {
    // Coordinates already rounded (mostly let through), raw ones, ties, the edges of the test
    // (zeros, huge and tiny values, NaN, infinities); numbers of every scale; networks.
    await sql(`
      select setseed(0.7);
      create table public.minimise_source as
      select g as id, x as f, n, ip
      from (select g, ${FLOAT_SAMPLE} as x,
                   ('{1.5, 1.50, 1.500, 1.499, 1.495, -0.005, 0, 0.00, 12345.678, NaN, Infinity, 7}'::numeric[])[g % 12 + 1] as n,
                   ('{192.0.2.0/24, 192.0.2.1, 192.0.2.5/16, 192.0.0.0/16, 10.0.0.0/8, 192.0.2.0/25, 2001:db8:1234::/48,
                      2001:db8::1, 2001:db8::/32, 0.0.0.0/0}'::inet[])[g % 10 + 1] as ip
            from generate_series(1, 40000) g) s`);
    // One table a rule, so that no other column's rule makes the trigger call the function.
    const probes = [
      { column: 'f0', type: 'double precision', rule: 'cap_precision', params: { digits: 0 }, source: 'f' },
      { column: 'f5', type: 'double precision', rule: 'cap_precision', params: { digits: 5 }, source: 'f' },
      { column: 'f12', type: 'double precision', rule: 'cap_precision', params: { digits: 12 }, source: 'f' },
      { column: 'n2', type: 'numeric', rule: 'cap_precision', params: { digits: 2 }, source: 'n' },
      { column: 'ip', type: 'inet', rule: 'truncate_ip', params: {}, source: 'ip' },
      { column: 'net', type: 'cidr', rule: 'truncate_ip', params: { ipv4_prefix: 16 }, source: 'network(ip)' },
    ];
    const image = (type: string, value: string) => (type === 'double precision' ? `float8send(${value})` : `(${value})::text`);
    const mismatches: Record<string, number> = {};
    for (const p of probes) {
      const table = `minimise_probe_${p.column}`;
      await sql(`create table public.${table} (id integer primary key, ${p.column} ${p.type});
        select privacy.classify_column('${table}', '${p.column}', 'technical');
        select privacy.set_write_rule('${table}', '${p.column}', '${p.rule}', '${JSON.stringify(p.params)}');
        insert into public.${table} select id, ${p.source} from public.minimise_source;`);
      const def = (await sql(`select pg_get_triggerdef(oid) as def from pg_trigger
        where tgrelid = 'public.${table}'::regclass and tgname = 'privacy_minimise'`)).rows[0].def;
      expect(def, table).toContain(' WHEN ');
      const rule = (await sql(`select privacy.write_rule_call($1, $2, 's.v', $3::regtype) as call`,
        [p.rule, JSON.stringify(p.params), p.type])).rows[0].call;
      mismatches[p.column] = (await sql(`select count(*)::int as n from public.${table} t
        join (select id, ${p.source} as v from public.minimise_source) s using (id)
        where ${image(p.type, `t.${p.column}`)} is distinct from ${image(p.type, rule)}`)).rows[0].n;
    }
    expect(mismatches).toEqual({ f0: 0, f5: 0, f12: 0, n2: 0, ip: 0, net: 0 });
    // And the test lets through most of what the rule leaves as it is.
    const { rows: passed } = await sql(`
      select count(*) filter (where round(f * 1e5::float8) / 1e5::float8 = f and f <> 0 and abs(f) < 1e10)::int as passed,
             count(*) filter (where float8send(privacy.minimise_cap_precision(f, '{"digits": 5}')) = float8send(f))::int as unchanged
      from public.minimise_source`);
    expect(passed[0].passed).toBeGreaterThan(passed[0].unchanged * 0.7);
  });

  it('cap_precision on float8 gives, bit for bit, the value rounded through numeric, near ties of every digits too', async () => {
    // The rule computes in float8 where that provably gives round(v::numeric, digits)::float8
    // (sql/171): here against that definition, for values where the two could part: the doubles
    // nearest to decimal ties (k + ½)/10^digits of up to 16 digits and doubles up to 1e-14 away
    // from them (the float8 -> numeric conversion to 15 digits moves a value by up to 5e-15, onto
    // a tie or off it), GPS fixes of 7 decimals, and numbers of every scale, zeros, NaN and
    // infinities, for each digits. A tie margin of 4e-15 (sql/171 has 1e-13) already fails here.
    await sql(`
      select setseed(0.31);
      create table public.cap_source (v float8, d integer);
      insert into public.cap_source
      select (t * (1 + k * 1e-16::float8)), d
      from (select d, sign(random() - 0.5) * ((floor(random() * 10 ^ floor(random() * (16 - d))) + 0.5) / 10 ^ d) as t
            from generate_series(0, 15) d, generate_series(1, 120)) ties,
           generate_series(-50, 50) k;
      insert into public.cap_source
      select round((random() * 360 - 180)::numeric, 7)::float8, d from generate_series(1, 4000), generate_series(0, 15) d;
      insert into public.cap_source
      select x, d from (select ${FLOAT_SAMPLE} as x from generate_series(1, 40000) g) s, (values (0), (2), (5), (7), (12), (15)) d(d);`);
    const { rows } = await sql(`select count(*)::int as n, count(*) filter (where float8send(privacy.minimise_cap_precision(v, jsonb_build_object('digits', d)))
                                  is distinct from float8send(round(v::numeric, d)::float8))::int as differ
                                from public.cap_source`);
    expect(rows[0].n).toBeGreaterThan(450_000);
    expect(rows[0].differ).toBe(0);
    // Ties are there: without the numeric path near them, float8 rounding (half to even, and
    // before the conversion's rounding to 15 digits) would differ.
    const { rows: ties } = await sql(`select count(*)::int as n from public.cap_source
      where float8send((round(v * 10 ^ d) / 10 ^ d) + 0) is distinct from float8send(round(v::numeric, d)::float8)
        and abs(v) < 1e12 / 10 ^ d`);
    expect(ties[0].n).toBeGreaterThan(1000);
  });

  it('device identifiers are stored as pseudonyms, and an unchanged one is not pseudonymised twice', async () => {
    const inserted = await sql(`insert into device (customer_id, imei, serial, installed_at) values ($1, '490154203237518', 'SER-MIN-1', now())
                                returning id, serial`, [tenant]);
    const pseudonym: string = inserted.rows[0].serial;
    expect(pseudonym).not.toBe('SER-MIN-1');
    expect(pseudonym).toMatch(/^[0-9a-z]{16}$/);
    const again = await sql(`update device set phone_number = '070-1740605' where id = $1 returning serial`, [inserted.rows[0].id]);
    expect(again.rows[0].serial).toBe(pseudonym);
  });

  it('writes by the application through the masked view are minimised too', async () => {
    await sql(`select privacy.classify_column('vehicle', c, 'not_personal') from unnest(array['id', 'customer_id']) c;
               select privacy.protect_table('vehicle', tenant_column => 'customer_id')`);
    await asRole(app, async (c) => {
      await c.query('begin');
      await c.query('select privacy.set_tenant($1)', [tenant]);
      await c.query(`insert into vehicle (customer_id, registration_number, notes) values ($1, 'MIN01A', 'mail bo@example.se')`, [tenant]);
      await c.query('commit');
    });
    const { rows } = await sql(`select notes from public.vehicle where registration_number = 'MIN01A'`);
    expect(rows[0].notes).toBe('mail [email]');
  });

  it('a write rule on an unclassified column, an unknown rule or a wrong type is refused and changes nothing', async () => {
    await expect(sql(`select privacy.set_write_rule('vehicle', 'vin', 'scrub_text')`)).rejects.toMatchObject({ code: 'PV013' });
    await expect(sql(`select privacy.set_write_rule('vehicle', 'notes', 'shred')`)).rejects.toMatchObject({ code: 'PV003' });
    await expect(sql(`select privacy.set_write_rule('position', 'lat', 'truncate_ip')`)).rejects.toMatchObject({ code: 'PV101' });
    const { rows } = await sql(`select write_rule from privacy.column_rule where table_name = 'vehicle' and column_name = 'notes'`);
    expect(rows[0].write_rule).toBe('scrub_text');
  });

  it('re-applying the write-rule definitions (an upgrade) regenerates the triggers of every table with rules', async () => {
    // The triggers as an earlier version made them: one, on INSERT or UPDATE, with no condition.
    const fn = (await sql(`select privacy.minimise_function_name('public', 'position') as f`)).rows[0].f;
    await sql(`drop trigger privacy_minimise_update on public.position;
      create or replace trigger privacy_minimise before insert or update of lat, lon on public.position for each row
        execute function privacy."${fn}"()`);
    await sql(`update privacy.schema_migration set checksum = 'old' where name = 'sql/240-write-minimisation.sql'`);
    expect((await migrateUp(db.url)).repeatable).toContain('sql/240-write-minimisation.sql');
    const { rows } = await sql(`select tgname, pg_get_triggerdef(oid) as def from pg_trigger
      where tgrelid = 'public.position'::regclass and tgname like 'privacy_minimise%' order by tgname`);
    expect(rows.map((r) => r.tgname)).toEqual(['privacy_minimise', 'privacy_minimise_update']);
    expect(rows[0].def).toMatch(/BEFORE INSERT ON public\."?position"? FOR EACH ROW WHEN/);
    const device = (await sql('select id from device where customer_id = $1 limit 1', [tenant])).rows[0].id;
    const { rows: stored } = await sql(`insert into position (customer_id, device_id, recorded_at, lat, lon)
      values ($1, $2, '2026-06-04 10:00+00', 59.3293456, 18.0685789) returning lat, lon`, [tenant, device]);
    expect(stored[0]).toEqual({ lat: 59.329, lon: 18.069 });
  });

  it('clearing the last write rule of a table drops its triggers and their function', async () => {
    const fn = (await sql(`select privacy.minimise_function_name('public', 'admin_user') as f`)).rows[0].f;
    await sql(`select privacy.clear_write_rule('admin_user', 'last_login_ip')`);
    const { rows } = await sql(`select count(*)::int as n from pg_trigger where tgrelid = 'public.admin_user'::regclass
                                and tgname like 'privacy_minimise%'`);
    expect(rows[0].n).toBe(0);
    expect((await sql(`select to_regprocedure(format('privacy.%I()', $1::text)) as f`, [fn])).rows[0].f).toBeNull();
  });
});
