import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError, InvalidDeclarationError, UnknownObjectError, toPrivacyError,
} from '../../src/errors/privacy-error.ts';
import { asRole, createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

/** Everything a declaration can change: the catalog tables and the ledger. */
const FOOTPRINT = `
  select (select count(*) from privacy.column_rule) || '/' || (select count(*) from privacy.protected_table)
    || '/' || (select count(*) from privacy.subject_type) || '/' || (select count(*) from privacy.subject_link)
    || '/' || (select count(*) from privacy.retention_policy) || '/' || (select count(*) from privacy.hold)
    || '/' || (select count(*) from privacy.ledger) as footprint`;

async function footprint(client: pg.ClientBase): Promise<string> {
  return (await client.query(FOOTPRINT)).rows[0].footprint;
}

async function failureOf(client: pg.ClientBase, sql: string): Promise<unknown> {
  try {
    await client.query(sql);
  } catch (error) {
    return toPrivacyError(error);
  }
  throw new Error(`expected an error from: ${sql}`);
}

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text, email text, contract_end date, created timestamptz);
    create table public.invoice (id bigint primary key, customer_id bigint references public.customer, issued_on date,
                                 fiscal_year_end date, amount numeric);
    insert into public.customer values (1, 'Anna', 'anna@example.se', '2020-01-31', now());
    select privacy.declare_subject_type('customer', 'customer', 'id');`);
});

type Case = [description: string, sql: string, sqlstate: string, errorClass: typeof UnknownObjectError, object?: string];

const BAD_INPUT: Case[] = [
  ['an unknown table', `select privacy.classify_column('custmer', 'email', 'contact')`, 'PV001', UnknownObjectError, 'public.custmer'],
  ['an unknown schema', `select privacy.protect_table('nowhere.customer')`, 'PV001', UnknownObjectError, 'nowhere.customer'],
  ['an unknown column', `select privacy.classify_column('customer', 'emial', 'contact')`, 'PV002', UnknownObjectError, 'public.customer.emial'],
  ['an unknown category', `select privacy.classify_column('customer', 'email', 'contacts')`, 'PV006', UnknownObjectError, 'public.customer.email'],
  ['an unknown mask strategy', `select privacy.classify_column('customer', 'email', 'contact', mask => 'scramble')`, 'PV003', UnknownObjectError],
  ['an unknown anonymization strategy', `select privacy.classify_column('customer', 'email', 'contact', anonymize => 'shred')`, 'PV003', UnknownObjectError],
  ['a parameter of the wrong type', `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": "two"}')`, 'PV004', InvalidDeclarationError],
  ['a fractional integer parameter', `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1.5}')`, 'PV004', InvalidDeclarationError],
  ['an unknown parameter', `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_frist": 1}')`, 'PV004', InvalidDeclarationError],
  ['a parameter out of range', `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": -1}')`, 'PV004', InvalidDeclarationError],
  ['a parameter outside its choices', `select privacy.classify_column('customer', 'name', 'identifier', anonymize => 'fake', anonymize_params => '{"kind": "first_name", "locale": "xx"}')`, 'PV004', InvalidDeclarationError],
  ['a missing required parameter', `select privacy.classify_column('customer', 'name', 'identifier', anonymize => 'fake')`, 'PV004', InvalidDeclarationError],
  ['parameters that are not an object', `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '[1]')`, 'PV004', InvalidDeclarationError],
  ['parameters without a strategy', `select privacy.classify_column('customer', 'name', 'identifier', mask_params => '{"keep_first": 1}')`, 'PV004', InvalidDeclarationError],
  ['SQL injected into a table name', `select privacy.classify_column('customer; drop table public.customer', 'email', 'contact')`, 'PV008', InvalidDeclarationError],
  ['SQL injected into a quoted table name', `select privacy.protect_table('"customer""; drop table public.customer; --"')`, 'PV001', UnknownObjectError],
  ['SQL injected into a column name', `select privacy.classify_column('customer', 'email; drop table public.customer', 'contact')`, 'PV002', UnknownObjectError],
  ['SQL injected into a subject type name', `select privacy.declare_subject_type('x''; drop table public.customer; --', 'customer', 'id')`, 'PV008', InvalidDeclarationError],
  ['a three-part table name', `select privacy.protect_table('db.public.customer')`, 'PV008', InvalidDeclarationError],
  ['an empty table name', `select privacy.protect_table('')`, 'PV008', InvalidDeclarationError],
  ['a system catalog', `select privacy.protect_table('pg_catalog.pg_authid')`, 'PV013', InvalidDeclarationError],
  ["the toolkit's own catalog", `select privacy.classify_column('privacy.ledger', 'detail', 'not_personal')`, 'PV013', InvalidDeclarationError],
  ['an unknown tenant column', `select privacy.protect_table('customer', tenant_column => 'tenant')`, 'PV002', UnknownObjectError],
  ['a keep period that is no interval', `select privacy.set_retention('customer', 'contract_end', 'forever', 'delete')`, 'PV005', InvalidDeclarationError],
  ['a negative keep period', `select privacy.set_retention('customer', 'contract_end', '-1 day', 'delete')`, 'PV005', InvalidDeclarationError],
  ['an anchor column that is no date', `select privacy.set_retention('customer', 'email', '2 years', 'delete')`, 'PV005', InvalidDeclarationError, 'public.customer.email'],
  ['an unknown anchor column', `select privacy.set_retention('customer', 'ended', '2 years', 'delete')`, 'PV002', UnknownObjectError],
  ['an unknown action', `select privacy.set_retention('customer', 'contract_end', '2 years', 'shred')`, 'PV005', InvalidDeclarationError],
  ['an unknown statutory minimum', `select privacy.set_retention('invoice', 'issued_on', '1 year', 'delete', minimum => 'tax', minimum_anchor => 'fiscal_year_end')`, 'PV005', InvalidDeclarationError],
  ['a minimum without its anchor', `select privacy.set_retention('invoice', 'issued_on', '1 year', 'delete', minimum => 'bookkeeping')`, 'PV005', InvalidDeclarationError],
  ['a malformed schedule', `select privacy.set_retention('customer', 'contract_end', '2 years', 'delete', schedule => 'nightly')`, 'PV005', InvalidDeclarationError],
  ['an unknown time zone', `select privacy.set_retention('customer', 'contract_end', '2 years', 'delete', time_zone => 'Europe/Stockholmm')`, 'PV005', InvalidDeclarationError],
  ['an unknown time zone beside a known one in use', `select privacy.set_retention('invoice', 'issued_on', '1 year', 'delete', time_zone => 'Europe/Oslo');
                                                      select privacy.set_retention('customer', 'contract_end', '2 years', 'delete', time_zone => 'Europe/Osloo')`, 'PV005', InvalidDeclarationError],
  ['a link to an unknown subject type', `select privacy.link_subject('driver', 'invoice', 'customer_id')`, 'PV007', UnknownObjectError],
  ['a hold on an unknown subject', `select privacy.place_hold('customer', '999', 'debt', until => '2030-01-01')`, 'PV007', UnknownObjectError],
  ['a hold on an unknown subject type', `select privacy.place_hold('driver', '1', 'debt', until => '2030-01-01')`, 'PV007', UnknownObjectError],
  ['a hold with an unknown reason', `select privacy.place_hold('customer', '1', 'grudge', until => '2030-01-01')`, 'PV011', InvalidDeclarationError],
  ['a hold with neither end nor review date', `select privacy.place_hold('customer', '1', 'legal_claim')`, 'PV011', InvalidDeclarationError],
  ['releasing a hold that does not exist', `select privacy.release_hold(424242)`, 'PV012', UnknownObjectError],
];

describe('the declaration API refuses bad input and changes nothing', () => {
  let admin: Awaited<ReturnType<typeof createLoginRole>>;
  beforeAll(async () => {
    admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  });

  it.each(BAD_INPUT)('%s', async (_description, sql, sqlstate, errorClass, object) => {
    await asRole(admin, async (client) => {
      const before = await footprint(client);
      const error = await failureOf(client, sql);
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toMatchObject({ code: sqlstate });
      if (object) expect(error).toMatchObject({ object });
      expect(await footprint(client)).toBe(before);
    });
    const { rows } = await db.pool().query(`select count(*)::int as n from public.customer`);
    expect(rows[0].n).toBe(1);
  });
});

describe('declarations by a privacy_admin member', () => {
  it('are recorded in the catalog and the ledger with the login that made them', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      await client.query(`select privacy.classify_column('customer', 'email', 'contact', mask => 'email',
                            anonymize => 'fake', anonymize_params => '{"kind": "email"}')`);
      await client.query(`select privacy.protect_table('invoice', tenant_column => 'customer_id')`);
      await client.query(`select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'delete',
                            minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end', time_zone => 'Europe/Stockholm')`);
      await client.query(`select privacy.link_subject('customer', 'invoice', 'customer_id')`);

      const rule = await client.query(`select category, mask_strategy, anonymize_strategy, anonymize_params, declared_by
                                       from privacy.column_rule where table_name = 'customer' and column_name = 'email'`);
      expect(rule.rows[0]).toEqual({ category: 'contact', mask_strategy: 'email', anonymize_strategy: 'fake',
                                     anonymize_params: { kind: 'email' }, declared_by: admin.name });
      const ledger = await client.query(`select actor, action, object from privacy.ledger where actor = $1 order by id`, [admin.name]);
      expect(ledger.rows.map((r) => `${r.action} ${r.object}`)).toEqual([
        'column_rule.insert public.customer.email',
        'protected_table.insert public.invoice',
        'retention_policy.insert public.invoice',
        'subject_link.insert public.invoice.customer_id',
      ]);
    });
  });

  it('declaring the same rule again changes nothing and writes no ledger entry', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const classify = `select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}')`;
      await client.query(classify);
      const before = await footprint(client);
      await client.query(classify);
      expect(await footprint(client)).toBe(before);
      await client.query(`select privacy.declassify_column('customer', 'name')`);
      const last = await client.query(`select action, object from privacy.ledger order by id desc limit 1`);
      expect(last.rows[0]).toEqual({ action: 'column_rule.delete', object: 'public.customer.name' });
    });
  });

  it("puts a hold's subject and note in the hold, never in the ledger", async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const { rows } = await client.query(`select privacy.place_hold('customer', '1', 'legal_claim', review_on => '2027-03-01',
                                            note => 'Dispute with Anna Andersson') as id`);
      await client.query(`select privacy.release_hold($1)`, [rows[0].id]);
      const ledger = await client.query(`select detail::text as detail from privacy.ledger where object = $1`, [`hold ${rows[0].id}`]);
      expect(ledger.rows).toHaveLength(2);
      for (const entry of ledger.rows) {
        expect(entry.detail).not.toContain('Anna');
        expect(entry.detail).not.toContain('subject_id');
      }
    });
  });
});

describe('who may declare', () => {
  it('a privacy_masked member cannot call the declaration API', async () => {
    const app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await asRole(app, async (client) => {
      const error = await failureOf(client, `select privacy.classify_column('customer', 'email', 'not_personal')`);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error).toMatchObject({ code: '42501' });
    });
  });

  it('a privacy_admin member cannot write the catalog tables directly', async () => {
    const admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    await asRole(admin, async (client) => {
      const error = await failureOf(client, `insert into privacy.column_rule (schema_name, table_name, column_name, category)
                                             values ('public', 'customer', 'email', 'not_personal')`);
      expect(error).toBeInstanceOf(AccessDeniedError);
    });
  });
});
