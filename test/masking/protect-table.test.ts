import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('tracking');
let app: LoginRole;
let tenant: string;

const sql = (text: string, params: unknown[] = []) => db.pool().query(text, params);

beforeAll(async () => {
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  await sql(`alter role "${app.name}" set search_path = masked, public`);
  tenant = (await sql('select min(customer_id)::text as t from vehicle')).rows[0].t;
});

/** Runs `work` as the application in a transaction of `tenant`. */
function asApp<T>(work: (client: import('pg').Client) => Promise<T>): Promise<T> {
  return asRole(app, async (client) => {
    await client.query('begin');
    await client.query('select privacy.set_tenant($1)', [tenant]);
    try {
      return await work(client);
    } finally {
      await client.query('rollback');
    }
  });
}

describe('protecting a table', () => {
  it('the same query text reads masked rows after protection, raw rows never', async () => {
    const query = 'select id, customer_id, make, registration_number, driver_name from vehicle order by id';
    await sql(`grant select on public.vehicle to "${app.name}"`);
    const before = await asApp((c) => c.query(query));
    expect(before.rows.length).toBeGreaterThan(1); // unprotected: the app read everything it was granted
    await sql(`revoke select on public.vehicle from "${app.name}"`);

    await sql(`select privacy.classify_column('vehicle', c, 'not_personal') from unnest(array['id', 'customer_id', 'make']) c`);
    await sql(`select privacy.classify_column('vehicle', 'registration_number', 'identifier', mask => 'partial',
                                              mask_params => '{"keep_first": 3}')`);
    await sql(`select privacy.protect_table('vehicle', tenant_column => 'customer_id')`);

    const after = await asApp((c) => c.query(query));
    const raw = await sql(`select id, registration_number from public.vehicle where customer_id = $1 order by id`, [tenant]);
    expect(after.rows.map((r) => r.id)).toEqual(raw.rows.map((r) => r.id));
    after.rows.forEach((row, i) => {
      const stored: string = raw.rows[i].registration_number;
      expect(row.make).not.toBeUndefined();
      expect(row.registration_number).not.toBe(stored);
      expect(row.registration_number.slice(0, 3)).toBe(stored.slice(0, 3));
      expect(row.driver_name).toBeNull(); // unclassified: hidden
    });
  });

  it('a column classified later appears in the view with its mask at once', async () => {
    await sql(`select privacy.classify_column('vehicle', 'model', 'not_personal')`);
    const { rows } = await asApp((c) => c.query('select model from vehicle where model is not null limit 1'));
    expect(rows).toHaveLength(1);
  });

  it('the application inserts, updates and deletes its own rows through the view', async () => {
    const inTenant = <T>(work: (c: import('pg').Client) => Promise<T>) => asRole(app, async (c) => {
      await c.query('begin');
      await c.query('select privacy.set_tenant($1)', [tenant]);
      const result = await work(c);
      await c.query('commit');
      return result;
    });
    const inserted = await inTenant((c) => c.query(`insert into vehicle (customer_id, registration_number, make, driver_name)
      values ($1, 'XYZ99A', 'Volvo', 'Karin Lund') returning id, registration_number, created_at`, [tenant]));
    const id = inserted.rows[0].id;
    expect(inserted.rows[0].registration_number).not.toBe('XYZ99A'); // RETURNING shows the mask
    expect(inserted.rows[0].created_at).toBeNull(); // unclassified: hidden in RETURNING too
    const stored = await sql('select created_at, registration_number, driver_name from public.vehicle where id = $1', [id]);
    expect(stored.rows[0]).toMatchObject({ registration_number: 'XYZ99A', driver_name: 'Karin Lund' });
    expect(stored.rows[0].created_at).not.toBeNull(); // the table's default applied

    expect((await inTenant((c) => c.query(`update vehicle set make = 'Scania' where id = $1`, [id]))).rowCount).toBe(1);
    expect((await sql('select make, driver_name from public.vehicle where id = $1', [id])).rows[0])
      .toEqual({ make: 'Scania', driver_name: 'Karin Lund' });
    expect((await inTenant((c) => c.query(`delete from vehicle where id = $1`, [id]))).rowCount).toBe(1);
    expect((await sql('select count(*)::int as n from public.vehicle where id = $1', [id])).rows[0].n).toBe(0);
  });

  it('multi-row INSERT and COPY into the masked view keep working', async () => {
    await asApp(async (c) => {
      const result = await c.query(`insert into vehicle (customer_id, registration_number) values ($1, 'AAA11A'), ($1, 'AAA11B'), ($1, 'AAA11C')`, [tenant]);
      expect(result.rowCount).toBe(3);
    });
    const before = (await sql(`select count(*)::int as n from public.vehicle`)).rows[0].n;
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', app.url], {
      input: `begin;\nselect privacy.set_tenant('${tenant}') \\g /dev/null\ncopy vehicle (customer_id, registration_number) from stdin;\n${tenant}\tCPY01A\n${tenant}\tCPY01B\n\\.\ncommit;\n`,
    });
    expect((await sql(`select count(*)::int as n from public.vehicle`)).rows[0].n).toBe(before + 2);
  });

  it('a column added later is hidden from the application (NULL) until someone classifies it', async () => {
    await sql(`alter table public.vehicle add column fuel_card text`);
    await sql(`update public.vehicle set fuel_card = 'FC-7781-2211' where customer_id = $1`, [tenant]);
    const { rows } = await asApp((c) => c.query('select fuel_card from vehicle limit 1'));
    expect(rows[0].fuel_card).toBeNull();
  });

  it('without the event trigger, a new column is absent until sync, then NULL', async () => {
    await sql('alter event trigger privacy_sync_after_ddl disable');
    try {
      await sql(`alter table public.vehicle add column tachograph_id text default 'TG-1'`);
      const absent = await asRole(app, (c) => c.query('select * from vehicle limit 0'));
      expect(absent.fields.map((f) => f.name)).not.toContain('tachograph_id');
      const verify = await sql(`select check_name from privacy.verify() where object = 'public.vehicle'`);
      expect(verify.rows.map((r) => r.check_name)).toContain('masked_view_outdated');

      const run = spawnSync(process.execPath, ['bin/integritet.js', 'sync', '--database-url', db.url], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/public\.vehicle\s+updated/);
      const { rows } = await asApp((c) => c.query('select tachograph_id from vehicle limit 1'));
      expect(rows[0].tachograph_id).toBeNull();
    } finally {
      await sql('alter event trigger privacy_sync_after_ddl enable');
    }
  });

  it('unprotecting restores the table as it was: no view, no policy, row-level security as before', async () => {
    await sql(`create table public.note (id int primary key, body text)`);
    await sql(`select privacy.protect_table('note')`);
    expect((await sql(`select relrowsecurity from pg_class where oid = 'public.note'::regclass`)).rows[0].relrowsecurity).toBe(true);
    await sql(`select privacy.unprotect_table('note')`);
    expect((await sql(`select to_regclass('masked.note') as v`)).rows[0].v).toBeNull();
    expect((await sql(`select relrowsecurity from pg_class where oid = 'public.note'::regclass`)).rows[0].relrowsecurity).toBe(false);
    expect((await sql(`select count(*)::int as n from pg_policies where tablename = 'note'`)).rows[0].n).toBe(0);
  });

  it('a table that had row-level security of its own keeps it after unprotecting', async () => {
    await sql(`create table public.memo (id int primary key, body text); alter table public.memo enable row level security`);
    await sql(`select privacy.protect_table('memo')`);
    await sql(`select privacy.unprotect_table('memo')`);
    expect((await sql(`select relrowsecurity from pg_class where oid = 'public.memo'::regclass`)).rows[0].relrowsecurity).toBe(true);
  });

  it('two protected tables with the same name in different schemas are refused', async () => {
    await sql(`create schema other; create table other.note (id int primary key)`);
    await sql(`create table public.note2 (id int primary key)`);
    await sql(`select privacy.protect_table('note2')`);
    await sql(`create table other.note2 (id int primary key)`);
    await expect(sql(`select privacy.protect_table('other.note2')`)).rejects.toMatchObject({ code: 'PV013' });
  });
});

describe('self-check (privacy.verify)', () => {
  it('finds application logins that are superuser, bypass RLS or read base columns, and fails the CLI', async () => {
    const superApp = await createLoginRole(db, { memberOf: ['privacy_masked'], attributes: 'SUPERUSER' });
    const bypass = await createLoginRole(db, { memberOf: ['privacy_masked'], attributes: 'BYPASSRLS' });
    const reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await sql(`grant select (registration_number) on public.vehicle to "${reader.name}"`);

    const { rows } = await sql('select severity, check_name, object from privacy.verify()');
    const found = rows.map((r) => `${r.severity} ${r.check_name} ${r.object}`);
    expect(found).toContain(`high masked_login_is_superuser ${superApp.name}`);
    expect(found).toContain(`high masked_login_bypasses_rls ${bypass.name}`);
    expect(found).toContain('medium masked_login_reads_base_column public.vehicle.registration_number');

    await sql(`alter table public.vehicle disable row level security`);
    const cli = spawnSync(process.execPath, ['bin/integritet.js', 'verify', '--json', '--database-url', db.url], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    const findings = JSON.parse(cli.stdout) as { severity: string; check: string; object: string }[];
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'high', check: 'protected_table_without_rls', object: 'public.vehicle' }));
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'high', check: 'masked_login_reads_base_column' }));
    await sql(`alter table public.vehicle enable row level security`);
    await sql(`revoke select (registration_number) on public.vehicle from "${reader.name}"`);
    await superApp.drop();
    await bypass.drop();
  });

  it('finds a SECURITY DEFINER function without a pinned search_path in a user schema', async () => {
    await sql(`create function public.unsafe_lookup() returns int language sql security definer as 'select 1'`);
    const { rows } = await sql(`select severity from privacy.verify() where check_name = 'definer_without_search_path'
                                and object = 'public.unsafe_lookup()'`);
    expect(rows).toEqual([{ severity: 'high' }]);
    await sql('drop function public.unsafe_lookup()');
  });

  it('reports nothing of high severity for a correct setup', async () => {
    const { rows } = await sql(`select check_name, object from privacy.verify() where severity = 'high'`);
    expect(rows).toEqual([]);
  });
});
