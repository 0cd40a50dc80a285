import { beforeAll, describe, expect, it } from 'vitest';
import { ProtectedRecordError } from '../../src/errors/privacy-error.ts';
import { failureOf, sweepToEnd } from './retention-fixtures.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

let app: LoginRole;
let admin: LoginRole;

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, kind text not null, name text, email text, contract_end date);
    create table public.invoice (
      id bigint primary key, customer_id bigint not null references public.customer on delete cascade,
      issued_on date not null, fiscal_year_end date not null, billing_name text);
    create table public.receipt (id bigint, issued_on date not null, fiscal_year_end date not null, payer text,
                                 primary key (id, issued_on)) partition by range (issued_on);
    create table public.receipt_old partition of public.receipt for values from ('2000-01-01') to ('2020-01-01');
    create table public.receipt_new partition of public.receipt for values from ('2020-01-01') to ('2100-01-01');
    insert into public.customer values
      (1, 'company', 'Held AB', 'held@example.se', '2015-01-31'),
      (2, 'company', 'Gone AB', 'gone@example.se', '2015-01-31'),
      (3, 'consumer', 'Anna Bok', 'anna@example.se', '2015-01-31'),
      (4, 'company', 'Current AB', 'now@example.se', null);
    insert into public.invoice values
      (10, 1, '2010-05-01', '2010-12-31', 'Held AB'),
      (20, 2, '2010-05-01', '2010-12-31', 'Gone AB'),
      (30, 3, current_date - 400, (date_trunc('year', current_date) - interval '1 day')::date, 'Anna Bok');
    insert into public.receipt values (1, '2010-03-01', '2010-12-31', 'old payer'),
      (2, current_date - 10, (date_trunc('year', current_date) + interval '1 year - 1 day')::date, 'new payer');
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.link_subject('customer', 'invoice', 'customer_id');
    select privacy.classify_column('customer', 'kind', 'not_personal');
    select privacy.classify_column('invoice', 'customer_id', 'not_personal');
    select privacy.set_retention('customer', anchor => 'contract_end', keep => '2 years', action => 'anonymize');
    select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'anonymize',
                                 minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');
    select privacy.set_retention('receipt', anchor => 'issued_on', keep => '1 year', action => 'delete',
                                 minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');
    select privacy.place_hold('customer', '1', 'legal_claim', review_on => current_date + 90, note => 'Dispute');`);
  app = await createLoginRole(db);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  for (const role of [app, admin]) {
    await db.pool().query(`grant usage on schema public to ${role.name};
      grant select, insert, update, delete, truncate on public.customer, public.invoice, public.receipt,
            public.receipt_old, public.receipt_new to ${role.name}`);
  }
});

describe('rows the law keeps cannot be deleted', () => {
  it('an application deleting an invoice bookkeeping keeps gets PV301 naming the table; an admin also hears the reason and last day', async () => {
    await asRole(app, async (client) => {
      const error = await failureOf(client, 'delete from public.invoice where id = 30');
      expect(error).toBeInstanceOf(ProtectedRecordError);
      expect(error).toMatchObject({ code: 'PV301', object: 'public.invoice' });
      expect(error.message).toBe('public.invoice: 1 row cannot be deleted: kept by law');
    });
    await asRole(admin, async (client) => {
      const error = await failureOf(client, 'delete from public.invoice where id = 30');
      const lastDay = (await db.pool().query(`select (date_trunc('year', current_date) + interval '7 years' - interval '1 day')::date::text as d`)).rows[0].d;
      expect(error.message).toBe(`public.invoice: 1 row cannot be deleted: kept by statutory minimum bookkeeping until ${lastDay}`);
    });
  });

  it('a row of a subject under a legal hold is kept until the hold is released, which only an admin hears', async () => {
    await asRole(app, async (client) => {
      const error = await failureOf(client, 'delete from public.customer where id = 1');
      expect(error).toMatchObject({ code: 'PV301', message: 'public.customer: 1 row cannot be deleted: kept by law' });
    });
    await asRole(admin, async (client) => {
      const error = await failureOf(client, 'delete from public.customer where id = 1');
      expect(error).toMatchObject({ code: 'PV301', message: 'public.customer: 1 row cannot be deleted: kept by a legal claim hold until it is released' });
    });
  });

  it('a delete cascading into kept rows is refused as a whole', async () => {
    await asRole(app, async (client) => {
      const error = await failureOf(client, 'delete from public.customer where id = 3');
      expect(error).toMatchObject({ code: 'PV301', object: 'public.invoice' });
    });
    expect((await db.pool().query('select count(*)::int as n from public.customer where id = 3')).rows[0].n).toBe(1);
  });

  it('truncating a table with kept rows is refused', async () => {
    await asRole(app, async (client) => {
      expect(await failureOf(client, 'truncate public.invoice, public.customer')).toMatchObject({ code: 'PV301' });
    });
  });

  it('a delete aimed straight at a partition is guarded as well', async () => {
    await asRole(app, async (client) => {
      expect(await failureOf(client, 'delete from public.receipt_new')).toMatchObject({ code: 'PV301', object: 'public.receipt' });
      expect(await failureOf(client, 'truncate public.receipt_new')).toMatchObject({ code: 'PV301' });
      await client.query('delete from public.receipt_old');  // nothing there is kept any more
    });
  });

  it('rows nothing keeps are deleted as usual', async () => {
    await asRole(app, async (client) => {
      const { rowCount } = await client.query('delete from public.invoice where id = 20');
      expect(rowCount).toBe(1);
    });
  });

  it('a privacy_admin member may delete a kept row after giving a reason, and the ledger records it', async () => {
    await asRole(admin, async (client) => {
      expect(await failureOf(client, 'delete from public.invoice where id = 30')).toMatchObject({ code: 'PV301' });
      await client.query('begin');
      await client.query(`set local privacy.reason = 'Court order 2026:17, invoice issued in error'`);
      expect((await client.query('delete from public.invoice where id = 30')).rowCount).toBe(1);
      await client.query('rollback');
    });
    await asRole(app, async (client) => {
      await client.query('begin');
      await client.query(`set local privacy.reason = 'I say so'`);
      expect(await failureOf(client, 'delete from public.invoice where id = 30')).toMatchObject({ code: 'PV301' });
      await client.query('rollback');
    });
    await asRole(admin, async (client) => {
      await client.query(`set privacy.reason = 'Court order 2026:17'`);
      await client.query('delete from public.invoice where id = 30');
      const { rows } = await client.query(`select actor, detail from privacy.ledger where action = 'retention.override'`);
      expect(rows).toEqual([{ actor: admin.name, detail: {
        operation: 'delete', kept_by: 'minimum:bookkeeping', reason: 'Court order 2026:17' } }]);
    });
  });
});

describe('anonymized columns cannot be filled again', () => {
  beforeAll(async () => {
    const client = await db.pool().connect();
    try {
      await sweepToEnd(client, 'customer');
    } finally {
      client.release();
    }
  });

  it('the sweep anonymized the expired customers that are not held', async () => {
    const { rows } = await db.pool().query('select id, name, email from public.customer order by id');
    expect(rows).toEqual([
      { id: '1', name: 'Held AB', email: 'held@example.se' },
      { id: '2', name: null, email: null },
      { id: '3', name: null, email: null },
      { id: '4', name: 'Current AB', email: 'now@example.se' },
    ]);
  });

  it('an application writing a name back into an anonymized row gets PV302', async () => {
    await asRole(app, async (client) => {
      const error = await failureOf(client, `update public.customer set name = 'Gone AB' where id = 2`);
      expect(error).toBeInstanceOf(ProtectedRecordError);
      expect(error).toMatchObject({ code: 'PV302', message: 'public.customer: a row anonymized by retention cannot have name filled again' });
      // Columns that are not personal stay writable, and so do rows not yet swept.
      await client.query(`update public.customer set kind = 'consumer' where id = 2`);
      await client.query(`update public.customer set name = 'Held & Co AB' where id = 1`);
    });
  });

  it('a privacy_admin member may, with a reason', async () => {
    await asRole(admin, async (client) => {
      await client.query('begin');
      await client.query(`set local privacy.reason = 'Restored from backup after a wrong contract end'`);
      await client.query(`update public.customer set name = 'Gone AB' where id = 2`);
      await client.query('commit');
    });
    const { rows } = await db.pool().query(`select detail from privacy.ledger where action = 'retention.override' and detail->>'operation' = 'update'`);
    expect(rows).toEqual([{ detail: { operation: 'update', columns: ['name'],
                                      reason: 'Restored from backup after a wrong contract end' } }]);
  });
});

describe('the guards cost ordinary writes little', () => {
  it('inserting and updating current rows is not much slower with the guards than without', async () => {
    const pool = db.pool();
    await pool.query(`
      create table public.fix_guarded (id bigint primary key, recorded_at timestamptz not null, lat float8, lon float8);
      create table public.fix_plain (like public.fix_guarded including all);
      select privacy.classify_column('fix_guarded', 'lat', 'location', anonymize => 'null');
      select privacy.set_retention('fix_guarded', anchor => 'recorded_at', keep => '30 days', action => 'anonymize');
      create index on public.fix_plain (recorded_at, id);`);
    const timeOf = async (sql: string) => {
      const started = process.hrtime.bigint();
      await pool.query(sql);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const ratios: number[] = [];
    for (let round = 0; round < 3; round++) {
      await pool.query('truncate public.fix_guarded, public.fix_plain');
      const insert = (t: string) => `insert into public.${t} select g, now() - g * interval '1 second', 59, 18 from generate_series(1, 20000) g`;
      const update = (t: string) => `update public.${t} set lat = lat + 0.001`;
      const plain = (await timeOf(insert('fix_plain'))) + (await timeOf(update('fix_plain')));
      const guarded = (await timeOf(insert('fix_guarded'))) + (await timeOf(update('fix_guarded')));
      ratios.push(guarded / plain);
    }
    const best = Math.min(...ratios);
    console.log(`guards on 20k inserts + 20k updates of current rows: ${best.toFixed(2)}x the time without`);
    expect(best).toBeLessThan(1.5);
  });
});
