// integritet copy and dump on the rental schema, which nobody designed for them: partitions with
// foreign keys on some only, a definer function, views over views' tables, sequences not owned,
// a GENERATED ALWAYS identity, an address row the customer references, a join table.
//
// The canary: every personal text column of the source holds a value that contains CANARY in a
// few rows. Nothing of it may reach the target or the dump. A restricted customer, and rentals
// past their retention period, must not leave the source; the copy must satisfy every foreign key
// and pass verify.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/copy/copy-database.ts';
import { dumpDatabase } from '../../src/copy/dump-database.ts';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createScratchDatabase, useTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { uniqueName } from '../support/unique-name.ts';

const source = useTestDatabase('rental');
const asOf = new Date('2026-06-30T12:00:00Z');

// How a DBA would declare the rental schema; strategies the schema's constraints accept.
const POLICY = `
  select privacy.classify_column('customer', 'first_name', 'personal', mask => 'partial', anonymize => 'fake', anonymize_params => '{"kind": "first_name"}');
  select privacy.classify_column('customer', 'last_name', 'personal', mask => 'partial', anonymize => 'fake', anonymize_params => '{"kind": "last_name"}');
  select privacy.classify_column('customer', 'email', 'contact', mask => 'email', anonymize => 'null');
  select privacy.classify_column('customer', 'personnummer', 'identifier', mask => 'redact', anonymize => 'null');
  select privacy.classify_column('customer', 'store_id', 'not_personal');
  select privacy.classify_column('customer', 'activebool', 'not_personal');
  select privacy.classify_column('customer', 'create_date', 'not_personal');
  select privacy.protect_table('customer', tenant_column => 'store_id');
  select privacy.classify_column('address', 'address', 'contact', mask => 'redact', anonymize => 'fake', anonymize_params => '{"kind": "street"}');
  select privacy.classify_column('address', 'address2', 'contact', mask => 'redact', anonymize => 'null');
  select privacy.classify_column('address', 'phone', 'contact', mask => 'phone', anonymize => 'redact', anonymize_params => '{"replacement": "000-000 00 00"}');
  select privacy.classify_column('address', 'district', 'not_personal');
  select privacy.classify_column('address', 'city_id', 'not_personal');
  select privacy.classify_column('address', 'postal_code', 'not_personal');
  select privacy.protect_table('address');
  select privacy.classify_column('staff', 'first_name', 'personal', mask => 'partial', anonymize => 'fake', anonymize_params => '{"kind": "first_name"}');
  select privacy.classify_column('staff', 'last_name', 'personal', mask => 'partial', anonymize => 'fake', anonymize_params => '{"kind": "last_name"}');
  select privacy.classify_column('staff', 'email', 'contact', mask => 'email', anonymize => 'null');
  select privacy.classify_column('staff', 'username', 'credential', mask => 'redact', anonymize => 'hash');
  select privacy.classify_column('staff', 'password', 'credential', mask => 'null', anonymize => 'null');
  select privacy.protect_table('staff', tenant_column => 'store_id');
  select privacy.classify_column('film_review', 'body', 'free_text', mask => 'null', anonymize => 'null');
  select privacy.classify_column('film_review', 'stars', 'not_personal');
  select privacy.classify_column('film_review', 'posted_at', 'not_personal');
  select privacy.protect_table('film_review');
  select privacy.set_retention('rental', anchor => 'return_date', keep => '90 days', action => 'delete');
  select privacy.declare_subject_type('customer', 'customer', 'customer_id', 'A customer of the chain');
  select privacy.link_subject('customer', 'rental', 'customer_id');
  select privacy.link_subject('customer', 'payment', 'customer_id', unchecked => true);  -- foreign keys on some partitions only
`;

// Personal text columns and the canary rows: CANARY with the column's name, in the first rows.
const CANARIES: [table: string, column: string, key: string][] = [
  ['customer', 'first_name', 'customer_id'], ['customer', 'last_name', 'customer_id'], ['customer', 'email', 'customer_id'],
  ['address', 'address', 'address_id'], ['address', 'address2', 'address_id'], ['address', 'phone', 'address_id'],
  ['staff', 'first_name', 'staff_id'], ['staff', 'last_name', 'staff_id'], ['staff', 'email', 'staff_id'],
  ['staff', 'username', 'staff_id'], ['staff', 'password', 'staff_id'], ['film_review', 'body', 'review_id'],
];
const RESTRICTED_CUSTOMER = 6;

async function canaryHits(db: pg.Pool | pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ hit: string }>(`
    select format('%I.%I', c.table_schema, c.table_name) || '.' || c.column_name as hit
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying')`);
  const hits: string[] = [];
  for (const { hit } of rows) {
    const [schema, table, column] = hit.split('.');
    const found = await db.query(`select 1 from ${schema}.${table} where ${column} like '%CANARY%' limit 1`);
    if ((found.rowCount ?? 0) > 0) hits.push(hit);
  }
  return hits;
}

beforeAll(async () => {
  const db = source.pool();
  for (const [table, column, key] of CANARIES) {
    await db.query(`update public.${table} set ${column} = 'CANARY-${column}-' || ${key} where ${key} <= 8`);
  }
  await db.query(POLICY);
  await db.query(`select * from privacy.restrict_subject('customer', '${RESTRICTED_CUSTOMER}', 'Art. 18 request, test')`);
  expect(await canaryHits(db)).toHaveLength(CANARIES.length);
});

describe('integritet copy on the rental schema', () => {
  let target: TestDatabase;
  let result: Awaited<ReturnType<typeof copyDatabase>>;

  beforeAll(async () => {
    target = await createScratchDatabase();
    result = await copyDatabase(source.url, { to: target.url, asOf, jobs: 3 });
  });

  it('leaves no canary of a personal column in the target', async () => {
    expect(await canaryHits(target.pool())).toEqual([]);
  });

  it('copies every table, the partitions of payments through their parent', async () => {
    expect(result.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['public.payment', 'public.rental', 'public.customer']));
    const { rows } = await target.pool().query(`
      select (select count(*)::int from payment_p2026_05) as may, (select count(*)::int from film) as films,
             (select count(*)::int from customer_mailing_list) as memberships`);
    expect(rows[0].may).toBeGreaterThan(0);
    expect(rows[0].films).toBe(30);
  });

  it('leaves the restricted customer and everything of theirs in the source', async () => {
    const { rows } = await target.pool().query(`
      select (select count(*)::int from customer where customer_id = $1) as customer,
             (select count(*)::int from rental where customer_id = $1) as rentals,
             (select count(*)::int from customer where customer_id <> $1) as others`, [RESTRICTED_CUSTOMER]);
    expect(rows[0]).toEqual({ customer: 0, rentals: 0, others: 59 });
  });

  it('leaves rentals past their retention period, and the reviews of them, in the source', async () => {
    const { rows } = await target.pool().query(`
      select (select count(*)::int from rental where return_date < timestamptz '2026-04-01 12:00+00') as expired,
             (select count(*)::int from rental) as kept,
             (select count(*)::int from film_review f where not exists (select from rental r where r.rental_id = f.rental_id)) as orphans`);
    expect(rows[0].expired).toBe(0);
    expect(rows[0].kept).toBeGreaterThan(100);
    expect(rows[0].orphans).toBe(0);
  });

  it('copies rows without a retention anchor: a rental not returned has no period that could be over', async () => {
    const open = async (db: pg.Pool) => (await db.query(
      `select count(*)::int as n from rental where return_date is null and customer_id <> $1`, [RESTRICTED_CUSTOMER])).rows[0].n as number;
    expect(await open(source.pool())).toBeGreaterThan(10);
    expect(await open(target.pool())).toBe(await open(source.pool()));
  });

  it('has every constraint, index and trigger of the source, valid, and sequences past the copied ids', async () => {
    const count = async (db: pg.Pool, sql: string) => (await db.query(sql)).rows[0].n as number;
    const constraints = `select count(*)::int as n from pg_constraint k join pg_class c on c.oid = k.conrelid
                         where c.relnamespace = 'public'::regnamespace and k.contype in ('p', 'f', 'u', 'c')`;
    expect(await count(target.pool(), constraints)).toBe(await count(source.pool(), constraints));
    expect(await count(target.pool(), `select count(*)::int as n from pg_constraint where not convalidated`)).toBe(0);
    const { rows } = await target.pool().query(`
      select nextval('customer_customer_id_seq') > (select max(customer_id) from customer) as customers,
             (select count(*)::int from rewards_report(1, 0)) >= 0 as report_works`);
    expect(rows[0]).toEqual({ customers: true, report_works: true });
  });

  it('installs integritet in the target with the source\'s catalog, and the copy passes verify', async () => {
    const { rows } = await target.pool().query(`
      select (select count(*)::int from privacy.protected_table) as protected,
             (select count(*)::int from privacy.verify() where severity = 'high' and object not like '%rewards_report%'
                and check_name not like '%view%' and check_name not like '%partition%') as high,
             to_regnamespace('integritet_copy') is null as finished`);
    expect(rows[0]).toEqual({ protected: 4, high: 0, finished: true });
  });

  it('writes the copy to the source\'s ledger as counts, never values', async () => {
    const { rows } = await source.pool().query(`select detail from privacy.ledger where action = 'copy.done'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].detail.rows['public.customer']).toBe(59);
    expect(JSON.stringify(rows[0].detail)).not.toMatch(/CANARY|@/);
  });

  it('refuses a target that is not empty, and starts an interrupted copy again', async () => {
    await expect(copyDatabase(source.url, { to: target.url, asOf })).rejects.toMatchObject({ code: 'TARGET_NOT_EMPTY' });
    const unfinished = await createScratchDatabase();
    await unfinished.pool().query(`create schema integritet_copy; create table integritet_copy.unfinished (source text);
                                   create table public.half_copied (id int)`);
    const again = await copyDatabase(source.url, { to: unfinished.url, asOf });
    expect(again.target).toBe('restarted');
    const { rows } = await unfinished.pool().query(`select to_regclass('public.half_copied') is null as gone, (select count(*)::int from customer) as customers`);
    expect(rows[0]).toEqual({ gone: true, customers: 59 });
  });
});

describe('integritet copy --subset on the rental schema', () => {
  it('copies the chosen customers, what they own and what they need, and every foreign key holds', async () => {
    const target = await createScratchDatabase();
    await copyDatabase(source.url, { to: target.url, asOf, subsets: { 'public.customer': { where: 'customer_id in (1, 2, 3)' } } });
    const { rows } = await target.pool().query(`
      select (select array_agg(customer_id order by customer_id) from customer) as customers,
             (select count(distinct customer_id)::int from rental) as renters,
             (select count(*)::int from payment where customer_id not in (1, 2, 3)) as foreign_payments,
             (select count(*)::int from store) as stores, (select count(*)::int from film) as films`);
    expect(rows[0]).toEqual({ customers: [1, 2, 3], renters: 3, foreign_payments: 0, stores: 2, films: 30 });
  });

  it('takes the same share of rows on every run', async () => {
    const counts: number[] = [];
    for (const _ of [1, 2]) {
      const target = await createScratchDatabase();
      await copyDatabase(source.url, { to: target.url, asOf, subsets: { 'public.customer': { percent: 25 } } });
      counts.push((await target.pool().query('select count(*)::int as n from customer')).rows[0].n);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeGreaterThan(5);
    expect(counts[0]).toBeLessThan(30);
  });
});

describe('integritet copy that fails', () => {
  it('fails with nothing of it still running in the target, which stays marked unfinished', async () => {
    const target = await createScratchDatabase();
    await expect(copyDatabase(source.url, { to: target.url, asOf, subsets: { 'public.customer': { where: 'no_such_column = 1' } } }))
      .rejects.toThrow(/no_such_column/);
    // The toolkit is installed beside the rows: the copy returns only once that install is over too.
    const { rows } = await target.pool().query(`
      select (select count(*)::int from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
                and application_name like 'integritet%') as still_running,
             to_regclass('integritet_copy.unfinished') is not null as unfinished`);
    expect(rows[0]).toEqual({ still_running: 0, unfinished: true });
  });
});

describe('integritet dump on the rental schema', () => {
  it('writes a script without canaries that psql restores into an empty database', async () => {
    const file = join(tmpdir(), `${uniqueName('integritet_dump')}.sql`);
    const out = createWriteStream(file);
    await dumpDatabase(source.url, out, { asOf });
    out.end();
    await once(out, 'finish');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('CANARY');
    expect(text).toContain('copy public.customer');
    const restored = await createScratchDatabase();
    const psql = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', file, restored.url], { encoding: 'utf8' });
    expect(psql.stderr).toBe('');
    expect(psql.status).toBe(0);
    const { rows } = await restored.pool().query('select (select count(*)::int from customer) as customers, (select count(*)::int from rental) as rentals');
    expect(rows[0].customers).toBe(59);
    expect(rows[0].rentals).toBeGreaterThan(100);
  });
});

describe('integritet copy (command line)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['src/cli/main.ts', ...args],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

  it('prints what it copied and exits 0; into a database that is not empty it says so and exits 1', async () => {
    const target = await createScratchDatabase();
    const first = cli(['copy', '--database-url', source.url, '--to', target.url, '--subset', 'customer: 10%', '--jobs', '1']);
    expect(first.stderr).not.toMatch(/integritet:/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/public\.customer\s+\d+\s+anonymized/);
    expect(first.stdout).toMatch(/public\.film\s+30\s+as stored \(not protected\)/);
    expect(first.stdout).toMatch(/copied [\d,]+ rows of \d+ tables/);
    const again = cli(['copy', '--database-url', source.url, '--to', target.url]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^integritet: the target database is not empty .*\[TARGET_NOT_EMPTY\]/m);
  });

  it('refuses a subset it cannot read, and a bad --jobs, as usage errors', () => {
    const subset = cli(['copy', '--database-url', source.url, '--to', source.url, '--subset', 'no colon here']);
    expect(subset.status).toBe(2);
    expect(subset.stderr).toMatch(/--subset "no colon here": write "table: condition" or "table: 5%"/);
    const jobs = cli(['copy', '--database-url', source.url, '--to', source.url, '--jobs', 'many']);
    expect(jobs.status).toBe(2);
  });
});
