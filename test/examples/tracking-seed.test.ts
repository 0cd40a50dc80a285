import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { installTrackingSchema, seedTracking } from '../../examples/tracking/seed.ts';
import type { SeedOptions, SeedSummary } from '../../examples/tracking/seed.ts';

const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates an empty, randomly named database and returns its URL (to move onto the shared harness later). */
async function createTestDatabase(): Promise<string> {
  const name = `itest_tracking_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase, whoever is still connected. */
async function dropTestDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} with (force)`);
  } finally {
    await admin.end();
  }
}

const tables = [
  'customer', 'contact_person', 'admin_user', 'invoice', 'payment', 'vehicle', 'device', 'trip', 'position',
] as const;

/**
 * Fingerprint of the whole dataset at scale 0.05, seed 1, default asOf. Every machine and every
 * PostgreSQL version must produce it; change it only together with an intended change of the seed.
 */
const recordedFingerprint = '87bf6bed40a150c0cf444059b8ec0c88';

interface Seeded {
  client: pg.Client;
  url: string;
  summary: SeedSummary;
}

const seeded: Seeded[] = [];

/** Seeds a new database; `timeZone` is the session's while seeding, to show the data does not depend on it. */
async function seededDatabase(options: SeedOptions, timeZone = 'UTC'): Promise<Seeded> {
  const url = await createTestDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const entry: Seeded = { client, url, summary: { scale: 0, seed: 0, asOf: '', rows: {} } };
  seeded.push(entry);
  await client.query(`set timezone = ${pg.escapeLiteral(timeZone)}`);
  await installTrackingSchema(client);
  entry.summary = await seedTracking(client, options);
  // Fingerprints compare row text, which must not depend on the server's or the session's defaults.
  await client.query(`set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set extra_float_digits = 1`);
  return entry;
}

/** md5 of every row's text, per table, in id order. */
async function fingerprints(client: pg.Client): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ md5: string }>(
      `select md5(coalesce(string_agg(t::text, '|' order by id), '')) as md5 from ${table} t`);
    result[table] = rows[0]?.md5 ?? '';
  }
  return result;
}

async function scalar<T>(client: pg.Client, sql: string): Promise<T> {
  const { rows } = await client.query<{ value: T }>(sql);
  return rows[0]?.value as T;
}

/** Luhn check written independently of the generator, so a wrong generator cannot pass its own test. */
function luhnValid(text: string): boolean {
  const digits = [...text.replace(/\D/g, '')].map(Number).reverse();
  const sum = digits.reduce((total, digit, i) => {
    const weighted = i % 2 === 1 ? digit * 2 : digit;
    return total + (weighted > 9 ? weighted - 9 : weighted);
  }, 0);
  return digits.length > 1 && sum % 10 === 0;
}

describe('tracking seed', () => {
  let first: Seeded;
  let again: Seeded;
  let otherSeed: Seeded;
  let doubled: Seeded;

  beforeAll(async () => {
    [first, again, otherSeed, doubled] = await Promise.all([
      seededDatabase({ scale: 0.05, seed: 1 }),
      seededDatabase({ scale: 0.05, seed: 1 }, 'Pacific/Chatham'),
      seededDatabase({ scale: 0.05, seed: 2 }),
      seededDatabase({ scale: 0.1, seed: 1 }),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const entry of seeded) {
      await entry.client.end().catch(() => undefined);
      await dropTestDatabase(entry.url);
    }
  });

  it('installs every table with a comment saying what it holds', async () => {
    const { rows } = await first.client.query<{ table: string; comment: string | null }>(`
      select c.relname as table, obj_description(c.oid, 'pg_class') as comment
        from pg_class c
       where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       order by 1`);
    for (const table of tables) expect(rows.map((row) => row.table)).toContain(table);
    for (const row of rows) expect(row.comment, row.table).toMatch(/\S/);
  });

  it('reports the rows it inserted', async () => {
    for (const table of tables) {
      const count = await scalar<string>(first.client, `select count(*) as value from ${table}`);
      expect(first.summary.rows[table], table).toBe(Number(count));
    }
    expect(first.summary).toMatchObject({ scale: 0.05, seed: 1, asOf: '2026-06-30T12:00:00.000Z' });
  });

  it('gives identical contents for the same scale, seed and asOf, whatever the session time zone', async () => {
    expect(await fingerprints(again.client)).toEqual(await fingerprints(first.client));
  });

  it('gives different contents for another seed', async () => {
    const one = await fingerprints(first.client);
    const two = await fingerprints(otherSeed.client);
    for (const table of tables) expect(two[table], table).not.toBe(one[table]);
  });

  it('gives the recorded contents on every machine and PostgreSQL version', async () => {
    const all = Object.values(await fingerprints(first.client)).join(',');
    const combined = await scalar<string>(first.client, `select md5('${all}') as value`);
    expect(combined).toBe(recordedFingerprint);
  });

  it('scales the row counts with the scale', () => {
    const small = first.summary.rows;
    const large = doubled.summary.rows;
    expect(large['position']).toBe(2 * (small['position'] ?? 0));
    expect(large['trip']).toBe(2 * (small['trip'] ?? 0));
    expect(large['customer']).toBeGreaterThan(small['customer'] ?? 0);
    expect(small['position']).toBe(5_000);
  });

  it('generates organisation numbers, personnummer, IMEIs and ICCIDs with valid Luhn check digits', async () => {
    expect(luhnValid('811218-9876') && luhnValid('490154203237518')).toBe(true); // published examples
    expect(luhnValid('811218-9875')).toBe(false);
    for (const entry of [first, doubled]) {
      const customers = await entry.client.query<{ kind: string; org_number: string }>('select kind, org_number from customer');
      for (const { kind, org_number } of customers.rows) {
        expect(org_number).toMatch(kind === 'company' ? /^5\d[2-9]\d{3}-\d{4}$/ : /^\d{2}(0[1-9]|1[0-2])\d{2}-\d{4}$/);
        expect(luhnValid(org_number), org_number).toBe(true);
      }
      const devices = await entry.client.query<{ imei: string; sim_iccid: string }>('select imei, sim_iccid from device');
      for (const { imei, sim_iccid } of devices.rows) {
        expect(imei).toMatch(/^\d{15}$/);
        expect(luhnValid(imei), imei).toBe(true);
        expect(luhnValid(sim_iccid), sim_iccid).toBe(true);
      }
    }
  });

  it('puts every position into the partition of its month, none into the default one', async () => {
    expect(Number(await scalar<string>(first.client, 'select count(*) as value from position_default'))).toBe(0);
    const misplaced = await scalar<string>(first.client, `
      select count(*) as value from position
       where tableoid::regclass::text <> to_char(recorded_at at time zone 'UTC', '"position_y"YYYY"m"MM')`);
    expect(Number(misplaced)).toBe(0);
    const partitions = await scalar<string>(first.client,
      `select count(*) as value from pg_inherits where inhparent = 'position'::regclass`);
    expect(Number(partitions)).toBe(8); // 2025-12 … 2026-06 and the default
  });

  it('keeps every row with the customer of its parent', async () => {
    const crossings = {
      'position → device': 'select count(*) as value from position p join device d on d.id = p.device_id where d.customer_id <> p.customer_id',
      'payment → invoice': 'select count(*) as value from payment p join invoice i on i.id = p.invoice_id where i.customer_id <> p.customer_id',
      'device → vehicle': 'select count(*) as value from device d join vehicle v on v.id = d.vehicle_id where v.customer_id <> d.customer_id',
      'trip → vehicle': 'select count(*) as value from trip t join vehicle v on v.id = t.vehicle_id where v.customer_id <> t.customer_id',
      'trip → device': 'select count(*) as value from trip t join device d on d.id = t.device_id where d.customer_id <> t.customer_id',
    };
    for (const entry of [first, doubled]) {
      for (const [relation, sql] of Object.entries(crossings)) {
        expect(Number(await scalar<string>(entry.client, sql)), relation).toBe(0);
      }
    }
  });

  it('lays positions on Swedish tracks, in time order per device, while the device was installed', async () => {
    const outside = await scalar<string>(first.client, `
      select count(*) as value from position p join device d on d.id = p.device_id
       where p.lat not between 55 and 69 or p.lon not between 10 and 25
          or p.recorded_at < d.installed_at or p.recorded_at > coalesce(d.removed_at, 'infinity')
          or p.recorded_at > '2026-06-30T12:00:00Z' or p.recorded_at < '2025-12-30T12:00:00Z'`);
    expect(Number(outside)).toBe(0);
    const backwards = await scalar<string>(first.client, `
      select count(*) as value from (
        select recorded_at <= lag(recorded_at) over (partition by device_id order by id) as back from position
      ) s where back`);
    expect(Number(backwards)).toBe(0);
    const tripEnds = await scalar<string>(first.client, `
      select count(*) as value from trip t
       where not exists (select from position p where p.device_id = t.device_id and p.recorded_at = t.started_at
                           and p.lat = t.start_lat and p.lon = t.start_lon)
          or not exists (select from position p where p.device_id = t.device_id and p.recorded_at = t.ended_at
                           and p.lat = t.end_lat and p.lon = t.end_lon and not p.ignition)`);
    expect(Number(tripEnds)).toBe(0);
  });

  it('covers consumers, ended contracts, broken fiscal years and unpaid invoices even at a small scale', async () => {
    const facts = (await first.client.query(`
      select (select count(*) from customer where kind = 'consumer')::int as consumers,
             (select count(*) from customer where contract_end < '2026-06-30')::int as ended,
             (select count(*) from invoice where to_char(fiscal_year_end, 'MM-DD') = '06-30')::int as broken_year,
             (select count(*) from invoice where status in ('overdue', 'written_off'))::int as unpaid`)).rows[0];
    expect(facts).toMatchObject({ consumers: 1, ended: 1 });
    expect(facts.broken_year).toBeGreaterThan(0);
    expect(facts.unpaid).toBeGreaterThan(0);
  });

  it('leaves the identity sequences past the seeded ids, so the application can insert', async () => {
    const { rows } = await first.client.query<{ id: string }>(`
      insert into customer (kind, name, org_number, contract_start) values ('company', 'Ny Kund AB', '559999-0001', '2026-06-01')
      returning id`);
    expect(Number(rows[0]?.id)).toBe((first.summary.rows['customer'] ?? 0) + 1);
    await first.client.query('delete from customer where id = $1', [rows[0]?.id]);
  });

  it('refuses to seed tables that already hold data, and leaves them unchanged', async () => {
    const before = await fingerprints(again.client);
    await expect(seedTracking(again.client, { scale: 0.05, seed: 1 })).rejects.toThrow(/already hold data/);
    expect(await fingerprints(again.client)).toEqual(before);
  });

  it('rejects a scale, seed or asOf it cannot honour', async () => {
    await expect(seedTracking(first.client, { scale: 0 })).rejects.toThrow(RangeError);
    await expect(seedTracking(first.client, { seed: 1.5 })).rejects.toThrow(RangeError);
    await expect(seedTracking(first.client, { asOf: new Date('not a date') })).rejects.toThrow(RangeError);
  });
});
