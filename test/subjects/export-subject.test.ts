import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/errors/privacy-error.ts';
import { exportSubject } from '../../src/kysely/api/export-subject.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import { withPurposes } from '../../src/policy/export-purposes.ts';
import type { SubjectExport } from '../../src/subjects/subject-reports.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import {
  CUSTOMER_TABLES, REFERENCE_POLICY, applyReferencePolicy, customerRows, failureOf, lastLedgerId, ledgerSince,
} from './subject-fixtures.ts';

const db = useTestDatabase('tracking');
let admin: LoginRole;

beforeAll(async () => {
  await applyReferencePolicy(db);
  await db.pool().query(`select privacy.place_debt_hold('customer', '2', arose_on => '2025-12-31', consumer => true,
                                                        note => 'Owes for the December invoice')`);
  admin = await createLoginRole(db, { memberOf: ['privacy_admin'] });
});

async function exportAsAdmin(type: string, id: string): Promise<SubjectExport> {
  const kysely = openKysely(admin.url);
  try {
    return await exportSubject(kysely, { subjectType: type, subjectId: id });
  } finally {
    await kysely.destroy();
  }
}

describe('exporting a subject (Art. 15, 20)', () => {
  it('returns a customer\'s contacts, admin users, vehicles, devices, positions, trips, invoices and payments, raw', async () => {
    const before = await lastLedgerId(db.pool());
    const document = await exportAsAdmin('customer', '1');
    const byTable = Object.fromEntries(document.tables.map((t) => [t.table, t]));
    for (const table of CUSTOMER_TABLES) {
      const relation = table === 'position' ? 'public."position"' : `public.${table}`;
      expect(byTable[relation]?.row_count, relation).toBe(await customerRows(db.pool(), table, 1));
      expect(byTable[relation]!.rows).toHaveLength(byTable[relation]!.row_count);
      expect(byTable[relation]!.row_count).toBeGreaterThan(0);
    }
    // Raw values, exactly as stored: the answer goes to the subject.
    const { rows: [customer] } = await db.pool().query(`select name, email, org_number from public.customer where id = 1`);
    expect(byTable['public.customer']!.rows[0]).toMatchObject({ id: 1, name: customer.name, email: customer.email, org_number: customer.org_number });
    const { rows: [contact] } = await db.pool().query(`select first_name, phone from public.contact_person where customer_id = 1 order by id limit 1`);
    expect(byTable['public.contact_person']!.rows[0]).toMatchObject(contact);
    expect(document).toMatchObject({ subject_type: 'customer', subject_id: '1', holds: [] });

    // The ledger records the export with counts only.
    const [entry] = await ledgerSince(db.pool(), before, 'subject.export');
    expect(entry).toMatchObject({ object: 'customer', detail: { rows: expect.any(Number), tables: { 'public.contact_person': 2 } } });
    for (const value of [customer.name, customer.email, customer.org_number, contact.first_name, contact.phone]) {
      expect(entry!.text).not.toContain(value);
    }
  });

  it('tells per table the category of each column, the retention that applies and how many rows are restricted', async () => {
    const document = await exportAsAdmin('customer', '1');
    const invoice = document.tables.find((t) => t.table === 'public.invoice')!;
    expect(invoice.columns).toMatchObject({ billing_name: 'identifier', billing_address: 'contact', amount_sek: 'financial', id: 'not_personal' });
    expect(invoice.categories.sort()).toEqual(['contact', 'financial', 'identifier']);
    expect(invoice.retention).toMatchObject({
      action: 'anonymize', keep: '1 year', after: 'issued_on', applies_to: { status: ['paid', 'written_off'] },
      minimum: { name: 'bookkeeping', law: 'Bokföringslagen (1999:1078) 7 kap. 2 §', after: 'fiscal_year_end' },
    });
    expect(invoice.retention!.summary).toMatch(/^anonymized 1 year after issued_on, but kept at least as Bokföringslagen/);
    expect(document.tables.find((t) => t.table === 'public.vehicle')!.retention).toMatchObject({ keep: '1 year', action: 'anonymize' });
    expect(invoice.restricted_rows).toBe(0);
  });

  it('lists the holds in force on the subject, without their notes', async () => {
    const document = await exportAsAdmin('customer', '2');
    expect(document.holds).toEqual([{ reason: 'debt', until: '2028-12-31', placed_on: expect.any(String) }]);
    expect(JSON.stringify(document.holds)).not.toContain('December');
  });

  it('adds purposes and legal bases from the policy file, which the catalog does not hold', async () => {
    const document = withPurposes(await exportAsAdmin('customer', '1'), await loadPolicy(REFERENCE_POLICY));
    expect(document.tables.find((t) => t.table === 'public.trip')).toMatchObject({
      purpose: "The driver's log: trips, business or private, for the customer's tax and fleet reporting",
      legal_basis: ['contract', 'legal_obligation'],
    });
    expect(document.tables.find((t) => t.table === 'public."position"')!.purpose).toBe('Showing where vehicles are and have been');
  });

  it('exports a device subject: the device, its positions and trips only', async () => {
    const { rows: [device] } = await db.pool().query(`select id from public.device where customer_id = 1 order by id limit 1`);
    const document = await exportAsAdmin('device', String(device.id));
    const { rows: [counts] } = await db.pool().query(`select (select count(*)::int from public.position where device_id = $1) as positions,
                                                      (select count(*)::int from public.trip where device_id = $1) as trips`, [device.id]);
    expect(document.tables.map((t) => [t.table, t.row_count])).toEqual([
      ['public.device', 1], ['public."position"', counts.positions], ['public.trip', counts.trips],
    ]);
  });

  it('an unknown subject type or an id that fits no linked column is a clear error', async () => {
    expect(await failureOf(db.pool(), `select privacy.export_subject('driver', '1')`)).toMatchObject({ code: 'PV007' });
    const mismatch = await failureOf(db.pool(), `select privacy.export_subject('customer', 'anna@example.se')`);
    expect(mismatch).toMatchObject({ code: 'PV404' });
    expect(mismatch.message).not.toContain('anna@example.se');
    expect(await exportAsAdmin('customer', '999').then((d) => d.tables)).toEqual([]);
  });

  it('a masked login cannot call it (elevation_via_export), nor can a sweeper', async () => {
    for (const memberOf of ['privacy_masked', 'privacy_sweeper', 'privacy_unmasked']) {
      const role = await createLoginRole(db, { memberOf: [memberOf] });
      await asRole(role, async (client) => {
        const error = await failureOf(client, `select privacy.export_subject('customer', '1')`);
        expect(error, memberOf).toBeInstanceOf(AccessDeniedError);
        expect(error.code).toBe('42501');
      });
      await role.drop();
    }
  });
});

describe('the rows of an export are read by statements prepared once per session', () => {
  it('a second export in the session plans no row query again', async () => {
    const client = await db.pool().connect();
    try {
      await client.query(`select privacy.export_subject('customer', '1')`);
      const rowQueries = async () => (await client.query<{ name: string; statement: string }>(`
        select name, statement from pg_prepared_statements where statement like '%select pg_catalog.json_agg(t%'
        order by name`)).rows;
      const first = await rowQueries();
      expect(first.map((s) => s.statement.match(/ from (\S+) as t where/)?.[1]).sort()).toEqual(
        CUSTOMER_TABLES.map((t) => (t === 'position' ? 'public."position"' : `public.${t}`)).sort());
      await client.query(`select privacy.export_subject('customer', '3')`);
      expect(await rowQueries()).toEqual(first);
    } finally {
      client.release();
    }
  });
});
