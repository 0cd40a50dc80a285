import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('tracking');
const sql = (text: string, params: unknown[] = []) => db.pool().query(text, params);
let app: LoginRole;
let tenant: string;

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

  it('clearing the last write rule of a table drops its trigger', async () => {
    await sql(`select privacy.clear_write_rule('admin_user', 'last_login_ip')`);
    const { rows } = await sql(`select count(*)::int as n from pg_trigger where tgrelid = 'public.admin_user'::regclass
                                and tgname = 'privacy_minimise'`);
    expect(rows[0].n).toBe(0);
  });
});
