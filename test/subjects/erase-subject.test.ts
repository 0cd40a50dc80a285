import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/errors/privacy-error.ts';
import { eraseSubject } from '../../src/kysely/api/erase-subject.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import type { ErasureLine } from '../../src/subjects/subject-reports.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  CUSTOMER_TABLES, applyReferencePolicy, customerRows, failureOf, lastLedgerId, ledgerSince, maskedCounts,
} from './subject-fixtures.ts';

const db = useTestDatabase('tracking');
let admin: LoginRole;
let app: LoginRole;

async function eraseAsAdmin(type: string, id: string, reason = 'Art. 17 request of 2026-11-02, ticket 4711'): Promise<ErasureLine[]> {
  const kysely = openKysely(admin.url);
  try {
    return await eraseSubject(kysely, { subjectType: type, subjectId: id, reason });
  } finally {
    await kysely.destroy();
  }
}

async function ids(sql: string, values: unknown[] = []): Promise<string[]> {
  const { rows } = await db.pool().query(sql, values);
  return rows.map((r) => String(r.id)).sort();
}

beforeAll(async () => {
  await applyReferencePolicy(db);
  // The outstanding debts: customer 2's overdue invoices. The debt is the invoice, so the hold is
  // on it (a subject type for this test): it keeps the invoice and the payments made on it, for
  // three years (a consumer) from the last reminder — past the bookkeeping minimum of the
  // oldest, which has ended.
  await db.pool().query(`
    select privacy.declare_subject_type('invoice', 'invoice', 'id', 'An invoice: the claim of an outstanding debt');
    select privacy.link_subject('invoice', 'payment', 'invoice_id');
    select privacy.place_debt_hold('invoice', i.id::text, arose_on => current_date - 30, consumer => true,
                                   note => 'Reminder sent by letter')
    from public.invoice i where i.customer_id = 2 and i.status = 'overdue';`);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

describe('erasing a customer with bookkeeping-covered invoices and outstanding-debt holds (Art. 17)', () => {
  const today = `(now() at time zone 'UTC')::date`;
  let lines: ErasureLine[];
  let expected: { invoices: string[]; heldInvoices: string[]; payments: string[]; heldPayments: string[] };
  let secrets: string[];
  let customerBefore: Record<string, unknown>;
  let ledgerBefore: number;

  beforeAll(async () => {
    const held = `select id from public.invoice where customer_id = 2 and status = 'overdue'`;
    const payments = await ids(`select id from public.payment where customer_id = 2
      and (privacy.minimum_ends('bookkeeping', (paid_at at time zone 'UTC')::date) > ${today} or invoice_id in (${held}))`);
    expected = {
      heldInvoices: await ids(held),
      heldPayments: await ids(`select id from public.payment where invoice_id in (${held})`),
      payments,
      // An invoice stays while bookkeeping or a hold keeps it, or a payment that stays refers to it.
      invoices: await ids(`select id from public.invoice where customer_id = 2
        and (privacy.minimum_ends('bookkeeping', fiscal_year_end) > ${today} or id in (${held})
             or id in (select invoice_id from public.payment where id = any ($1::bigint[])))`, [payments]),
    };
    const { rows } = await db.pool().query(`
      select array[c.name, c.email, c.org_number, c.phone, c.street] || array(select first_name || ' ' || last_name from public.contact_person where customer_id = 2)
             || array(select email from public.admin_user where customer_id = 2) || array(select registration_number from public.vehicle where customer_id = 2)
             || array(select imei from public.device where customer_id = 2) as secrets
      from public.customer c where c.id = 2`);
    secrets = rows[0].secrets.filter((s: string | null) => s);
    customerBefore = (await db.pool().query(`select * from public.customer where id = 2`)).rows[0];
    ledgerBefore = await lastLedgerId(db.pool());
    lines = await eraseAsAdmin('customer', '2');
  });

  it('leaves exactly the rows the law keeps as they were, restricted: bookkeeping records and the held debts', async () => {
    const restricted = (table: string) => ids(`select row_key[1] as id from privacy.restricted_row
                                                where table_name = $1 and origin = 'erasure'`, [table]);
    expect(await restricted('invoice')).toEqual(expected.invoices);
    expect(await restricted('payment')).toEqual(expected.payments);
    expect(await ids(`select id from public.invoice where customer_id = 2 and billing_name <> 'anonymized'`)).toEqual(expected.invoices);
    expect(expected.heldInvoices.every((id) => expected.invoices.includes(id))).toBe(true);
    expect(expected.heldPayments.every((id) => expected.payments.includes(id))).toBe(true);
    // The people went; the rest of the customer's rows were anonymized in place, as their
    // retention policies anonymize (fakes where the schema checks a format).
    for (const table of ['contact_person', 'admin_user']) expect(await customerRows(db.pool(), table, 2), table).toBe(0);
    const { rows: [raw] } = await db.pool().query(`select
      (select count(*) from public.device where customer_id = 2 and imei !~ '^00')::int as devices,
      (select count(*) from public.vehicle where customer_id = 2 and (driver_name is not null or notes is not null))::int as vehicles,
      (select count(*) from public.trip where customer_id = 2 and driver_name is not null)::int as trips,
      (select count(*) from public.position where customer_id = 2 and lat <> round(lat::numeric, 2))::int as positions`);
    expect(raw).toEqual({ devices: 0, vehicles: 0, trips: 0, positions: 0 });
    expect(await customerRows(db.pool(), 'customer', 2)).toBe(1);
    // The other customers are untouched.
    expect(await customerRows(db.pool(), 'position', 1)).toBeGreaterThan(0);
  });

  it('reports per table what was deleted, and what is restricted with the reason and the last day', () => {
    const outcome = (relation: string, what: string) => lines.filter((l) => l.relation === relation && l.outcome === what);
    expect(outcome('public."position"', 'anonymized')[0]!.rows).toBeGreaterThan(1000);
    for (const relation of ['public.trip', 'public.device', 'public.vehicle']) {
      expect(outcome(relation, 'anonymized'), relation).toHaveLength(1);
    }
    for (const relation of ['public.contact_person', 'public.admin_user']) {
      expect(outcome(relation, 'deleted'), relation).toHaveLength(1);
    }
    const restrictedInvoices = outcome('public.invoice', 'restricted');
    expect(restrictedInvoices.reduce((n, l) => n + l.rows, 0)).toBe(expected.invoices.length);
    expect(restrictedInvoices.filter((l) => l.keptBy === 'hold:debt').reduce((n, l) => n + l.rows, 0)).toBeGreaterThan(0);
    for (const l of restrictedInvoices.filter((x) => x.keptBy === 'minimum:bookkeeping')) expect(l.until).toMatch(/^20\d\d-12-31$/);
    expect(outcome('public.payment', 'restricted').reduce((n, l) => n + l.rows, 0)).toBe(expected.payments.length);
    // The customer row can be anonymized whole (a fake organisationsnummer passes its check), so
    // the invoices that still reference it keep no personal value of it: it is not restricted.
    expect(outcome('public.customer', 'restricted')).toEqual([]);
  });

  it('the customer row its invoices still reference keeps only what must stay; its contact details are anonymized', async () => {
    // Bookkeeping needs the invoices (which carry the name and address as billed), not the
    // customer's contact details. The organisation number (a personnummer, for a consumer) gets a
    // fake organisationsnummer that passes the column's format check; the rest is anonymized.
    const { rows: [customer] } = await db.pool().query(`select * from public.customer where id = 2`);
    expect(customerBefore.email).not.toBeNull();
    expect(customer).toEqual({ ...customerBefore, name: expect.any(String), org_number: expect.stringMatching(/^0[0-9]{5}-[0-9]{4}$/),
                               phone: null, email: null, street: null, postal_code: null, city: null });
    expect(customer.name).not.toBe(customerBefore.name);
    expect(lines.filter((l) => l.relation === 'public.customer')).toEqual([
      { relation: 'public.customer', outcome: 'anonymized', rows: 1, keptBy: null, until: null,
        changed: ['name', 'org_number', 'phone', 'email', 'street', 'postal_code', 'city'], unchanged: [] },
    ]);
  });

  it('a row kept by both a hold and the minimum is reported under the one that keeps it longer', async () => {
    const { rows } = await db.pool().query(`
      select r.reason, r.until::text as until, h.until::text as hold_until,
             (privacy.minimum_ends('bookkeeping', i.fiscal_year_end) - 1)::text as minimum_until
      from public.invoice i
      join privacy.hold h on h.subject_type = 'invoice' and h.subject_id = i.id::text
      join privacy.restricted_row r on r.table_name = 'invoice' and r.row_key = array[i.id::text] and r.origin = 'erasure'`);
    expect(rows).toHaveLength(expected.heldInvoices.length);
    for (const row of rows) {
      expect(row).toEqual(row.minimum_until > row.hold_until
        ? { ...row, reason: 'minimum:bookkeeping', until: row.minimum_until }
        : { ...row, reason: 'hold:debt', until: row.hold_until });
    }
  });

  it('names per table the columns it anonymized and the personal ones it left as they were, with why', () => {
    const columns = (relation: string) => lines.filter((l) => l.relation === relation && l.outcome === 'anonymized')
      .map((l) => ({ changed: l.changed, unchanged: l.unchanged }));
    // The amount of a payment stays on purpose (strategy keep); when it was paid is the anchor.
    expect(columns('public.payment')).toEqual([{ changed: ['payer_reference'], unchanged: [
      { column: 'paid_at', why: 'the retention anchor' }, { column: 'amount_sek', why: 'strategy keep' }] }]);
    expect(columns('public.device')).toEqual([{ changed: ['imei', 'serial', 'sim_iccid', 'phone_number'], unchanged: [] }]);
    expect(columns('public.invoice')[0]!.unchanged).toEqual([{ column: 'status', why: 'the retention policy\'s filter reads it' }]);
    // Lines of rows deleted or kept say nothing of columns.
    for (const l of lines.filter((x) => x.outcome !== 'anonymized')) expect(l, l.relation).toMatchObject({ changed: null, unchanged: null });
  });

  it('the kept rows are restricted: a masked login of the tenant sees none of them, only rows anonymized', async () => {
    const seen = await asRole(app, (client) => maskedCounts(client, 2));
    const anonymized = Object.fromEntries(await Promise.all(CUSTOMER_TABLES.map(async (t) =>
      [t, await customerRows(db.pool(), t, 2) - Number((await db.pool().query(
        `select count(*) from privacy.restricted_row where table_name = $1 and origin = 'erasure'`, [t])).rows[0].count)])));
    expect(seen).toEqual(anonymized);
    expect(seen.invoice).toBe(await customerRows(db.pool(), 'invoice', 2) - expected.invoices.length);
    const other = await asRole(app, (client) => maskedCounts(client, 1));
    expect(other.position).toBe(await customerRows(db.pool(), 'position', 1));
  });

  it('writes the report to the ledger without a personal value', async () => {
    const entries = await ledgerSince(db.pool(), ledgerBefore, 'subject.erase');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ object: 'customer', detail: { reason: 'Art. 17 request of 2026-11-02, ticket 4711' } });
    expect((entries[0]!.detail.report as unknown[]).length).toBe(lines.length);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(entries[0]!.text).not.toContain(secret);
    // Nor anywhere else the erasure wrote to the ledger.
    const { rows } = await db.pool().query(`select string_agg(detail::text, ' ') as text from privacy.ledger where id > $1`, [ledgerBefore]);
    for (const secret of secrets) expect(rows[0].text).not.toContain(secret);
  });

  it('a second erasure reports nothing left to do, and changes nothing', async () => {
    const { rows: [before] } = await db.pool().query(`select (select count(*) from public.invoice) + (select count(*) from public.payment)
      + (select count(*) from privacy.restricted_row) as n`);
    expect(await eraseAsAdmin('customer', '2')).toEqual([]);
    const { rows: [after] } = await db.pool().query(`select (select count(*) from public.invoice) + (select count(*) from public.payment)
      + (select count(*) from privacy.restricted_row) as n`);
    expect(after.n).toBe(before.n);
  });

  it('when a hold is released, the rows it kept are erased by privacy.erase_due() unless the law still keeps them', async () => {
    // The oldest held invoice: its bookkeeping minimum is over, only the debt kept it.
    const { rows: [oldest] } = await db.pool().query(`select i.id, h.id as hold_id from public.invoice i
      join privacy.hold h on h.subject_type = 'invoice' and h.subject_id = i.id::text
      where i.customer_id = 2 and i.status = 'overdue' and privacy.minimum_ends('bookkeeping', i.fiscal_year_end) <= ${today}
      order by i.fiscal_year_end limit 1`);
    expect(oldest).toBeDefined();
    await db.pool().query(`select privacy.release_hold($1)`, [oldest.hold_id]);
    const sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
    const due = await asRole(sweeper, async (client) => (await client.query(
      `select subject_type, relation, outcome, row_count::int as rows, kept_by from privacy.erase_due()`)).rows);
    // Anonymized in place, as the invoice table's retention policy anonymizes (and its payment with it).
    expect(due).toContainEqual({ subject_type: 'customer', relation: 'public.invoice', outcome: 'anonymized', rows: 1, kept_by: null });
    expect(await ids(`select id from public.invoice where id = $1 and billing_name <> 'anonymized'`, [oldest.id])).toEqual([]);
    // Nothing more is due now.
    expect((await db.pool().query(`select * from privacy.erase_due()`)).rows).toEqual([]);
  });
});

describe('who may erase', () => {
  it('a masked login cannot call erase_subject or its internals (elevation_via_erasure), nor can a sweeper', async () => {
    const sweeper = await createLoginRole(db, { memberOf: ['privacy_sweeper'] });
    for (const role of [app, sweeper]) {
      await asRole(role, async (client) => {
        for (const sql of [`select * from privacy.erase_subject('customer', '1', 'x')`,
                           `select * from privacy.erase_subject_rows('customer', '1')`,
                           `select * from privacy.restrict_subject('customer', '1', 'x')`]) {
          const error = await failureOf(client, sql);
          expect(error, sql).toBeInstanceOf(AccessDeniedError);
        }
      });
    }
    expect(await customerRows(db.pool(), 'position', 1)).toBeGreaterThan(0);
  });

  it('a reason is required, and goes to the ledger', async () => {
    expect(await failureOf(db.pool(), `select * from privacy.erase_subject('customer', '1', '  ')`)).toMatchObject({ code: 'PV011' });
  });
});
