import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDeclarationError, UnknownObjectError } from '../../src/errors/privacy-error.ts';
import { failureOf, retentionFootprint } from './retention-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');
const TABLES = ['public.customer', 'public.vehicle', 'public.note'];

beforeAll(async () => {
  await db.pool().query(`
    create table public.customer (id bigint primary key, name text, email text, contract_end date, created timestamptz);
    create table public.vehicle (id bigint primary key, customer_id bigint not null references public.customer,
                                 registration text, sold_on date);
    create table public.note (body text, written_on date);
    insert into public.customer values (1, 'Anna', 'anna@example.se', '2015-01-31', now());
    insert into public.vehicle values (1, 1, 'ABC123', '2015-01-31');
    insert into public.note values ('x', '2015-01-31');
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.set_retention('customer', anchor => 'contract_end', keep => '2 years', action => 'anonymize');
    select privacy.set_retention('vehicle', anchor => 'sold_on', keep => '1 year', action => 'anonymize');
    select privacy.set_retention('note', anchor => 'written_on', keep => '1 year', action => 'delete');`);
});

type Case = [what: string, sql: string, code: string, errorClass: typeof UnknownObjectError, object?: string];

const CASES: Case[] = [
  ['a sweep of an unknown table', `select * from privacy.sweep('custmer')`, 'PV001', UnknownObjectError, 'public.custmer'],
  ['a dry run of an unknown table', `select * from privacy.sweep('custmer', dry_run => true)`, 'PV001', UnknownObjectError],
  ['SQL injected into the table to sweep', `select * from privacy.sweep('customer; drop table public.customer')`, 'PV008', InvalidDeclarationError],
  ['a batch size of zero', `select * from privacy.sweep('customer', batch_size => 0)`, 'PV011', InvalidDeclarationError],
  ['no batches at all', `select * from privacy.sweep('customer', max_batches => 0)`, 'PV011', InvalidDeclarationError],
  ['a policy on an unknown table', `select privacy.set_retention('custmer', 'contract_end', '2 years', 'delete')`, 'PV001', UnknownObjectError],
  ['a keep period that is no interval', `select privacy.set_retention('customer', 'contract_end', 'two years', 'delete')`, 'PV005', InvalidDeclarationError],
  ['a keep period of zero', `select privacy.set_retention('customer', 'contract_end', '0 days', 'delete')`, 'PV005', InvalidDeclarationError],
  ['an anchor column of the wrong type', `select privacy.set_retention('customer', 'name', '2 years', 'delete')`, 'PV005', InvalidDeclarationError, 'public.customer.name'],
  ['a minimum anchor of the wrong type', `select privacy.set_retention('customer', 'contract_end', '2 years', 'delete', minimum => 'bookkeeping', minimum_anchor => 'email')`, 'PV005', InvalidDeclarationError],
  ['a hold on an unknown subject', `select privacy.place_hold('customer', '999', 'debt', until => '2030-01-01')`, 'PV007', UnknownObjectError],
  ['a debt hold on an unknown subject', `select privacy.place_debt_hold('customer', '999', current_date, true)`, 'PV007', UnknownObjectError],
  ['a filter on an unknown column', `select privacy.set_retention_options('customer', filter => '{"status": "closed"}')`, 'PV002', UnknownObjectError],
  ['a filter value of the wrong type', `select privacy.set_retention_options('customer', filter => '{"contract_end": "soon"}')`, 'PV005', InvalidDeclarationError],
  ['a filter that is not an object', `select privacy.set_retention_options('customer', filter => '["name"]')`, 'PV005', InvalidDeclarationError],
  ['an unknown way to retire partitions', `select privacy.set_retention_options('customer', expired_partitions => 'shred')`, 'PV005', InvalidDeclarationError],
  ['options for an unknown table', `select privacy.set_retention_options('public.vehicles')`, 'PV001', UnknownObjectError],
  ['a column that cannot be anonymized (NOT NULL foreign key, unclassified)', `select * from privacy.sweep('vehicle')`, 'PV303', InvalidDeclarationError, 'public.vehicle.customer_id'],
  ['a table without a primary key', `select * from privacy.sweep('note')`, 'PV304', InvalidDeclarationError, 'public.note'],
  ['the effective retention of an unknown row', `select * from privacy.retention_of('customer', '42')`, 'PV306', UnknownObjectError],
];

describe('bad input to retention gets a clear error and changes nothing', () => {
  it.each(CASES)('%s', async (_what, sql, code, errorClass, object) => {
    const before = await retentionFootprint(db.pool(), TABLES);
    const error = await failureOf(db.pool(), sql);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code });
    if (object) expect(error).toMatchObject({ object });
    expect(await retentionFootprint(db.pool(), TABLES)).toBe(before);
  });

  it('a sweep of a table that has no policy says so', async () => {
    await db.pool().query('create table public.plain (id int primary key)');
    expect(await failureOf(db.pool(), `select * from privacy.sweep('plain')`)).toMatchObject({ code: 'PV305', object: 'public.plain' });
  });

  it('the column a sweep cannot anonymize is named, with what to do', async () => {
    const error = await failureOf(db.pool(), `select * from privacy.sweep('vehicle')`);
    expect(error.message).toBe('public.vehicle.customer_id cannot be anonymized: it is NOT NULL and part of a foreign key');
    expect(error).toMatchObject({ hint: expect.stringContaining('not_personal') });
  });
});
