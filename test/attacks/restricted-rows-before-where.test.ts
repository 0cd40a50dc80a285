// Finding: rows restricted by an erasure (GDPR Art. 18) reached the application's own WHERE.
// They were left out by an anti-join inside the masked view, which is no security barrier, so a
// casting WHERE failed on a restricted row's value, a function of the application's saw every
// restricted row, and EXPLAIN ANALYZE counted them. The row-level security policy leaves them out
// now, and PostgreSQL evaluates it before any non-leakproof qual of the application.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { applyReferencePolicy } from '../subjects/subject-fixtures.ts';
import { attempt } from './fixture.ts';

const db = useTestDatabase('tracking');
let app: LoginRole;
let tenant: string;
/** The invoice numbers of the erased customer's rows that the erasure kept, restricted. */
let restrictedNumbers: string[];

beforeAll(async () => {
  await applyReferencePolicy(db);
  const pool = db.pool();
  // A customer with invoices that bookkeeping still keeps: erasing it restricts them.
  tenant = (await pool.query(`
    select i.customer_id::text as id from public.invoice i
    where privacy.minimum_ends('bookkeeping', i.fiscal_year_end) > current_date
    group by i.customer_id order by count(*) desc, i.customer_id limit 1`)).rows[0].id;
  await pool.query(`select privacy.erase_subject('customer', $1, 'Art. 17 request, ticket 7')`, [tenant]);
  restrictedNumbers = (await pool.query(`
    select i.number from public.invoice i
    join privacy.restricted_row r on r.schema_name = 'public' and r.table_name = 'invoice' and r.row_id = i.id
    where i.customer_id = $1 order by i.number`, [tenant])).rows.map((r) => r.number);
  expect(restrictedNumbers.length, 'the erasure kept some invoices, restricted').toBeGreaterThan(0);
  // A function of the application's own: it tells whatever it is given.
  await pool.query(`
    create function public.app_peek(value text) returns boolean language plpgsql as $$
    begin raise notice 'peek %', value; return true; end $$`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  await pool.query(`alter role "${app.name}" set search_path = masked, public`);
});

/** Runs `sql` in a transaction of the erased customer's tenant; returns the outcome and the notices. */
async function asTenant(sql: string): Promise<{ rows: Record<string, unknown>[]; error?: pg.DatabaseError; notices: string[] }> {
  return asRole(app, async (connection) => {
    const notices: string[] = [];
    connection.on('notice', (n) => notices.push(n.message ?? ''));
    await connection.query('begin');
    await connection.query('select privacy.set_tenant($1)', [tenant]);
    const outcome = await attempt(connection, sql);
    await connection.query('rollback');
    return { ...outcome, notices };
  });
}

function expectNoRestrictedNumber(text: string): void {
  for (const number of restrictedNumbers) expect(text, `restricted invoice ${number} reached the WHERE`).not.toContain(number);
}

describe('rows restricted by an erasure, against the application\'s own WHERE', () => {
  it('a casting WHERE (number::integer = 0) never fails on a restricted row\'s value', async () => {
    const outcome = await asTenant('select count(*) from invoice where number::integer = 0');
    expectNoRestrictedNumber(`${outcome.error?.message ?? ''} ${outcome.error?.detail ?? ''}`);
  });

  it('a leaky function of the application\'s in WHERE (RAISE NOTICE of its argument) sees no restricted row', async () => {
    const outcome = await asTenant('select count(*) from invoice where app_peek(number)');
    expect(outcome.error).toBeUndefined();
    expectNoRestrictedNumber(outcome.notices.join('\n'));
    // It saw rows at all: the function did run on the tenant's other rows, or there are none.
    const visible = await asTenant('select count(*)::int as n from invoice');
    expect(outcome.notices.length).toBe(visible.rows[0]!.n);
  });

  it('EXPLAIN ANALYZE of a WHERE that matches only a restricted row counts no row anywhere in the plan', async () => {
    const outcome = await asTenant(`explain (analyze, format json) select * from invoice where number = '${restrictedNumbers[0]}'`);
    expect(outcome.error).toBeUndefined();
    // The policy's own subplans (the tenant, the probe of privacy.hidden_row) count what they
    // read; every node of the application's statement counts no row.
    const counts: number[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (node['Parent Relationship'] === 'InitPlan' || node['Parent Relationship'] === 'SubPlan') return;
      counts.push(Number(node['Actual Rows']));
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((outcome.rows[0]!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((n) => n === 0), `actual rows per node: ${counts.join(', ')}`).toBe(true);
  });

  it('the restricted rows stay out of the masked view, and the erased customer\'s other rows stay readable', async () => {
    const numbers = (await asTenant('select number from invoice')).rows.map((r) => r.number as string);
    expectNoRestrictedNumber(numbers.join(' '));
  });
});
