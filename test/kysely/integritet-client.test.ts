import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidDeclarationError, PrivacyError, UnknownObjectError,
} from '../../src/errors/privacy-error.ts';
import { createIntegritet, type Integritet } from '../../src/kysely/integritet.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import type { PrivacyDatabase } from '../../src/kysely/catalog/privacy-database.ts';
import { createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { catalogFootprint, kyselyFor } from '../policy/policy-fixtures.ts';

const db = useTestDatabase('tracking');

async function failure(work: Promise<unknown>): Promise<PrivacyError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PrivacyError);
  return error as PrivacyError;
}

describe('createIntegritet: typed calls of the declaration API, as a privacy_admin login', () => {
  let admin: Kysely<PrivacyDatabase>;
  let integritet: Integritet<PrivacyDatabase>;
  beforeAll(async () => {
    const role = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    admin = kyselyFor(role.url) as Kysely<PrivacyDatabase>;
    integritet = createIntegritet(admin);
  });

  it('classifies a column with typed (camelCase) parameters that SQL stores in snake_case', async () => {
    await integritet.classifyColumn({
      table: 'contact_person', column: 'first_name', category: 'identifier',
      mask: 'partial', maskParams: { keepFirst: 1, keepLast: 0 }, anonymize: 'fake', anonymizeParams: { kind: 'first_name' },
    });
    const rule = await admin.selectFrom('privacy.column_rule')
      .select(['category', 'mask_strategy', 'mask_params', 'anonymize_strategy', 'anonymize_params'])
      .where('table_name', '=', 'contact_person').where('column_name', '=', 'first_name').executeTakeFirstOrThrow();
    expect(rule).toEqual({
      category: 'identifier', mask_strategy: 'partial', mask_params: { keep_first: 1, keep_last: 0 },
      anonymize_strategy: 'fake', anonymize_params: { kind: 'first_name' },
    });
    expect(await integritet.declassifyColumn({ table: 'contact_person', column: 'first_name' })).toBe(true);
    expect(await integritet.declassifyColumn({ table: 'contact_person', column: 'first_name' })).toBe(false);
  });

  it("maps the database's refusals to the toolkit's error classes, with the SQLSTATE and object", async () => {
    const unknown = await failure(integritet.classifyColumn({ table: 'customer', column: 'emial', category: 'contact' }));
    expect(unknown).toBeInstanceOf(UnknownObjectError);
    expect(unknown).toMatchObject({ code: 'PV002', object: 'public.customer.emial' });

    const invalid = await failure(integritet.classifyColumn({
      table: 'customer', column: 'name', category: 'identifier', mask: 'partial', maskParams: { keepFirst: 99 },
    }));
    expect(invalid).toBeInstanceOf(InvalidDeclarationError);
    expect(invalid.code).toBe('PV004');

    const keep = await failure(integritet.setRetention({ table: 'trip', anchor: 'started_at', keep: 'forever', action: 'delete' }));
    expect(keep).toMatchObject({ code: 'PV005' });
    const hold = await failure(integritet.releaseHold({ holdId: 424242 }));
    expect(hold).toBeInstanceOf(UnknownObjectError);
    expect(hold.code).toBe('PV012');
  });

  it('protects and unprotects a table', async () => {
    await integritet.protectTable({ table: 'device', tenantColumn: 'customer_id' });
    const catalog = await integritet.readCatalog();
    expect(catalog.protectedTables).toContainEqual({ schema: 'public', table: 'device', tenantColumn: 'customer_id', tenantVia: null, shared: false });
    expect(await integritet.unprotectTable({ table: 'device' })).toBe(true);
    // A tenant one foreign key away, and a shared table.
    await integritet.protectTable({ table: 'contact_person', tenantColumn: 'id', tenantVia: ['customer_id'] });
    await integritet.protectTable({ table: 'vehicle', shared: true });
    const after = await integritet.readCatalog();
    expect(after.protectedTables).toContainEqual({ schema: 'public', table: 'contact_person', tenantColumn: 'id', tenantVia: ['customer_id'], shared: false });
    expect(after.protectedTables).toContainEqual({ schema: 'public', table: 'vehicle', tenantColumn: null, tenantVia: null, shared: true });
    expect(await integritet.unprotectTable({ table: 'contact_person' })).toBe(true);
    expect(await integritet.unprotectTable({ table: 'vehicle' })).toBe(true);
  });

  it('declares subject types and links', async () => {
    await integritet.declareSubjectType({ name: 'customer', table: 'customer', key: 'id', description: 'A customer' });
    await integritet.linkSubject({ subjectType: 'customer', table: 'invoice', column: 'customer_id' });
    const catalog = await integritet.readCatalog();
    expect(catalog.subjectLinks.filter((l) => l.subjectType === 'customer').map((l) => `${l.table}.${l.column}`).sort())
      .toEqual(['customer.id', 'invoice.customer_id']);
    expect(await integritet.unlinkSubject({ subjectType: 'customer', table: 'invoice', column: 'customer_id' })).toBe(true);
  });

  it('sets retention with its options, and drops it', async () => {
    await integritet.setRetention({
      table: 'invoice', anchor: 'issued_on', keep: '1 year', action: 'anonymize', minimum: 'bookkeeping', minimumAnchor: 'fiscal_year_end',
    });
    await integritet.setRetentionOptions({ table: 'invoice', filter: { status: ['paid', 'written_off'] } });
    const catalog = await integritet.readCatalog();
    expect(catalog.retentionPolicies).toContainEqual({
      schema: 'public', table: 'invoice', anchor: 'issued_on', keep: '1 year', action: 'anonymize', minimum: 'bookkeeping',
      minimumAnchor: 'fiscal_year_end', schedule: '0 3 * * *', timeZone: 'UTC', filter: { status: ['paid', 'written_off'] },
      expiredPartitions: 'drop',
    });
    expect(await integritet.dropRetention({ table: 'invoice' })).toBe(true);
  });

  it('places and releases holds, which the catalog counts but never lists', async () => {
    await integritet.declareSubjectType({ name: 'customer', table: 'customer', key: 'id' });
    const id = await integritet.placeHold({
      subjectType: 'customer', subjectId: 1, reason: 'legal_claim', reviewOn: new Date(Date.UTC(2030, 0, 31)), note: 'Dispute over invoice 17',
    });
    expect(id).toMatch(/^\d+$/);
    const catalog = await integritet.readCatalog();
    expect(catalog.holdsInForce).toEqual([{ subjectType: 'customer', reason: 'legal_claim', count: 1 }]);
    expect(JSON.stringify(catalog)).not.toContain('Dispute');
    await integritet.releaseHold({ holdId: id });
    expect((await integritet.readCatalog()).holdsInForce).toEqual([]);
    const unknown = await failure(integritet.placeHold({ subjectType: 'customer', subjectId: 999_999, reason: 'debt', until: '2030-01-01' }));
    expect(unknown).toMatchObject({ code: 'PV007' });
  });

  it('places a debt hold and restarts it with a reminder', async () => {
    await integritet.declareSubjectType({ name: 'customer', table: 'customer', key: 'id' });
    const debt = await integritet.placeDebtHold({ subjectType: 'customer', subjectId: 2, aroseOn: '2025-01-31', consumer: true });
    expect(await integritet.recordDebtEvent({ holdId: debt, event: 'reminder', occurredOn: '2025-06-30' })).toBe('2028-06-30');
    expect((await integritet.readCatalog()).holdsInForce).toEqual([{ subjectType: 'customer', reason: 'debt', count: 1 }]);
    await integritet.releaseHold({ holdId: debt });
  });

  it('transaction(): declarations commit together or not at all', async () => {
    const owner = kyselyFor(db.url);
    const before = await catalogFootprint(owner);
    await expect(integritet.transaction(async (tx) => {
      await tx.classifyColumn({ table: 'vehicle', column: 'make', category: 'not_personal' });
      await tx.classifyColumn({ table: 'vehicle', column: 'modle', category: 'not_personal' });
    })).rejects.toMatchObject({ code: 'PV002' });
    expect(await catalogFootprint(owner)).toBe(before);

    await admin.transaction().execute(async (trx) => {
      // A client made on the caller's transaction joins it instead of starting its own.
      await createIntegritet(trx).transaction((tx) => tx.classifyColumn({ table: 'vehicle', column: 'make', category: 'not_personal' }));
      throw new Error('the caller rolls back');
    }).catch(() => undefined);
    expect(await catalogFootprint(owner)).toBe(before);
  });
});

describe('withTenant', () => {
  it('sets the tenant for its transaction only, never for the next user of the connection', async () => {
    const role = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    const app = openKysely(role.url, { max: 1 }); // one connection: the next transaction reuses it
    try {
      const integritet = createIntegritet(app);
      const inside = await integritet.withTenant(42, async (trx) =>
        (await sql<{ tenant: string | null }>`select privacy.current_tenant() as tenant`.execute(trx)).rows[0]!.tenant);
      expect(inside).toBe('42');
      const after = await sql<{ tenant: string | null }>`select privacy.current_tenant() as tenant`.execute(app);
      expect(after.rows[0]!.tenant).toBeNull();
    } finally {
      await app.destroy();
    }
  });

  it("a restricted role reads only its tenant's rows, masked", async () => {
    const owner = kyselyFor(db.url);
    const ownerClient = createIntegritet(owner);
    await ownerClient.transaction(async (tx) => {
      for (const column of ['id', 'customer_id', 'make', 'model', 'created_at', 'vin', 'notes']) {
        await tx.classifyColumn({ table: 'vehicle', column, category: column === 'notes' ? 'free_text' : 'not_personal' });
      }
      await tx.classifyColumn({ table: 'vehicle', column: 'registration_number', category: 'identifier', mask: 'partial', maskParams: { keepFirst: 2, keepLast: 0 } });
      await tx.classifyColumn({ table: 'vehicle', column: 'driver_name', category: 'identifier' });
      await tx.protectTable({ table: 'vehicle', tenantColumn: 'customer_id' });
    });
    const { rows: raw } = await sql<{ registration_number: string }>`select registration_number from vehicle where customer_id = 1`.execute(owner);
    const role = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    const app = openKysely(role.url, { max: 1 });
    try {
      const read = () => sql<{ customer_id: string; registration_number: string; driver_name: string | null }>`
        select customer_id::text, registration_number, driver_name from masked.vehicle`;
      const rows = await createIntegritet(app).withTenant('1', async (trx) => (await read().execute(trx)).rows);
      expect(rows.length).toBe(raw.length);
      expect(new Set(rows.map((r) => r.customer_id))).toEqual(new Set(['1']));
      expect(rows.every((r) => r.driver_name === null)).toBe(true);
      expect(rows.map((r) => r.registration_number)).not.toContain(raw[0]!.registration_number);
      expect((await read().execute(app)).rows).toEqual([]); // no tenant set: no rows
    } finally {
      await app.destroy();
    }
  });
});
