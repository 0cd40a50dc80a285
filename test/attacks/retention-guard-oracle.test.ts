// Finding: the retention delete guard told the application why a row is kept — "kept by a debt
// hold until 2036-01-31", "a legal claim hold" — hold kinds and dates a restricted role may not
// read. An application that deletes a kept row now hears only that the law keeps it; a
// privacy_admin member hears why (sql/320-retention-guards.sql).
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { applyReferencePolicy } from '../subjects/subject-fixtures.ts';
import { attempt, asText, createAttacker } from './fixture.ts';

const db = useTestDatabase('tracking');
let app: LoginRole;
let debtor: string;
let claimant: string;

beforeAll(async () => {
  await applyReferencePolicy(db);
  const pool = db.pool();
  const customers = (await pool.query(`
    select i.customer_id::text as id from public.invoice i
    where privacy.minimum_ends('bookkeeping', i.fiscal_year_end) <= current_date
      and not exists (select from public.payment p where p.invoice_id = i.id)
    group by i.customer_id order by i.customer_id limit 2`)).rows.map((r) => r.id as string);
  [debtor, claimant] = customers as [string, string];
  await pool.query(`select privacy.place_debt_hold('customer', $1, arose_on => date '2026-01-31', consumer => false,
                                                   note => 'Invoice 4711 unpaid')`, [debtor]);
  await pool.query(`select privacy.place_hold('customer', $1, 'legal_claim', review_on => date '2027-03-15', note => 'Dispute')`, [claimant]);
  app = await createAttacker(db);
});

/** An invoice of the customer that only the hold keeps (no bookkeeping minimum, no payment on it). */
const keptInvoice = `(select min(i.id) from public.invoice i where i.customer_id = $1::bigint
  and privacy.minimum_ends('bookkeeping', i.fiscal_year_end) <= current_date
  and not exists (select from public.payment p where p.invoice_id = i.id))`;

/** The application, in `tenant`, deletes that invoice of the tenant through its masked view. */
async function deleteOldestInvoice(tenant: string) {
  return asRole(app, async (connection) => {
    await connection.query('begin');
    await connection.query('select privacy.set_tenant($1)', [tenant]);
    const id = (await db.pool().query(`select ${keptInvoice} as id`, [tenant])).rows[0].id;
    const outcome = await attempt(connection, 'delete from invoice where id = $1', [id]);
    await connection.query('rollback');
    return outcome;
  });
}

describe('the retention guard, asked by the application why a row is kept', () => {
  for (const [who, tenant] of [['a debt hold', () => debtor], ['a legal claim hold', () => claimant]] as const) {
    it(`deleting a row ${who} keeps says only that the law keeps it: no hold kind, no date`, async () => {
      const outcome = await deleteOldestInvoice(tenant());
      expect(outcome.error?.code).toBe('PV301');
      // What the error says (its context names the guard's own variables, such as v_until).
      const said = `${outcome.error?.message} ${outcome.error?.detail ?? ''} ${outcome.error?.hint ?? ''}`.toLowerCase();
      expect(said).toContain('kept by law');
      for (const word of ['debt', 'claim', 'hold', 'minimum', 'bookkeeping', 'released', 'until']) expect(said).not.toContain(word);
      expect(asText(outcome)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    });
  }

  it('the owner, an admin, deleting the same row hears the hold and its last day', async () => {
    const owner = await db.pool().connect();
    const outcome = await attempt(owner, `delete from public.invoice where id = ${keptInvoice}`, [debtor]).finally(() => owner.release());
    expect(outcome.error?.code).toBe('PV301');
    expect(outcome.error?.message).toMatch(/kept by a debt hold until \d{4}-\d{2}-\d{2}/);
  });
});
