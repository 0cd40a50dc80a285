import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { PolicyError } from '../../src/policy/policy-error.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { createLoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { catalogFootprint, changed, kyselyFor, smallPolicy } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');

type Case = [description: string, change: (p: any) => void, path: string, message: RegExp];

// Each a policy broken in one place: refused with the path named, and nothing applied.
const MALFORMED: Case[] = [
  ['a flag of the wrong type', (p) => { p.tables.customer.protect = 'yes'; }, 'tables.customer.protect', /must be a boolean, not "yes"/],
  ['columns that are not an object', (p) => { p.tables.customer.columns = ['email']; }, 'tables.customer.columns', /must be an object/],
  ['a misspelt key', (p) => { p.tables.customer.colums = p.tables.customer.columns; delete p.tables.customer.columns; }, 'tables.customer.colums', /unknown key "colums" \(did you mean "columns"\?\)/],
  ['an unknown table', (p) => { p.tables.custmer = p.tables.customer; delete p.tables.customer; p.subjects.customer.table = 'custmer'; }, 'tables.custmer', /no table "custmer" in schema public \(did you mean "customer"\?\)/],
  ['an unknown column', (p) => { p.tables.customer.columns.emial = p.tables.customer.columns.email; delete p.tables.customer.columns.email; }, 'tables.customer.columns.emial', /no column "emial" in public.customer \(did you mean "email"\?\)/],
  ['an unknown category', (p) => { p.tables.customer.columns.email.category = 'contacts'; }, 'tables.customer.columns.email.category', /unknown category "contacts" \(did you mean "contact"\?\)/],
  ['an unknown strategy', (p) => { p.tables.customer.columns.email.mask = 'emial'; }, 'tables.customer.columns.email.mask', /unknown strategy "emial" \(did you mean "email"\?\)/],
  ['a write rule used as a mask', (p) => { p.tables.customer.columns.email.mask = 'truncate_ip'; }, 'tables.customer.columns.email.mask', /cannot be used to mask/],
  ['a mask used as a write rule', (p) => { p.tables.customer.columns.email.write = 'email'; }, 'tables.customer.columns.email.write', /strategy "email" cannot be used to write/],
  ['an unknown write rule', (p) => { p.tables.customer.columns.email.write = 'scrub_txt'; }, 'tables.customer.columns.email.write', /unknown strategy "scrub_txt" \(did you mean "scrub_text"\?\)/],
  ['an unknown parameter of a write rule', (p) => { p.tables.customer.columns.email.write = 'scrub_text'; p.tables.customer.columns.email.writeParams = { emails: false }; }, 'tables.customer.columns.email.writeParams.emails', /unknown parameter of scrub_text "emails" \(did you mean "email"\?\)/],
  ['write parameters without a rule', (p) => { p.tables.customer.columns.email.writeParams = { email: false }; }, 'tables.customer.columns.email.writeParams', /writeParams given without write/],
  // Only SQL knows the column's type: truncate_ip has no function for text.
  ['a write rule that does not fit the column type', (p) => { p.tables.customer.columns.email.write = 'truncate_ip'; }, 'tables.customer.columns.email.write', /truncate_ip/],
  ['a parameter of the wrong type', (p) => { p.tables.customer.columns.name.maskParams = { keepFirst: 'two' }; }, 'tables.customer.columns.name.maskParams.keepFirst', /must be a number, not "two"/],
  ['an unknown parameter', (p) => { p.tables.customer.columns.name.maskParams = { keepFrist: 1 }; }, 'tables.customer.columns.name.maskParams.keepFrist', /unknown parameter of partial "keepFrist" \(did you mean "keepFirst"\?\)/],
  ['a parameter out of range', (p) => { p.tables.customer.columns.name.maskParams = { keepFirst: 99 }; }, 'tables.customer.columns.name.maskParams.keepFirst', /must be at most 64, not 99/],
  ['a missing required parameter', (p) => { p.tables.customer.columns.name.anonymize = 'fake'; }, 'tables.customer.columns.name.anonymizeParams.kind', /is required/],
  ['a parameter outside its choices', (p) => { p.tables.customer.columns.name.anonymize = 'fake'; p.tables.customer.columns.name.anonymizeParams = { kind: 'nickname' }; }, 'tables.customer.columns.name.anonymizeParams.kind', /must be one of "first_name"/],
  ['parameters without a strategy', (p) => { p.tables.customer.columns.email.maskParams = { keepDomain: false }; delete p.tables.customer.columns.email.mask; }, 'tables.customer.columns.email.maskParams', /maskParams given without mask/],
  ['a keep period that is no interval', (p) => { p.tables.invoice.retention.keep = 'forever'; }, 'tables.invoice.retention.keep', /keep period "forever" is not an interval/],
  ['a negative keep period', (p) => { p.tables.invoice.retention.keep = '-1 day'; }, 'tables.invoice.retention.keep', /is not positive/],
  ['an unknown statutory minimum', (p) => { p.tables.invoice.retention.minimum = 'bokkeeping'; }, 'tables.invoice.retention.minimum', /unknown statutory minimum "bokkeeping" \(did you mean "bookkeeping"\?\)/],
  ['a minimum without its anchor', (p) => { delete p.tables.invoice.retention.minimumAnchor; }, 'tables.invoice.retention.minimumAnchor', /needs minimumAnchor/],
  ['an unknown action', (p) => { p.tables.invoice.retention.action = 'shred'; }, 'tables.invoice.retention.action', /must be one of "anonymize", "delete", not "shred"/],
  ['an unknown time zone', (p) => { p.tables.invoice.retention.timeZone = 'Europe/Stockholmm'; }, 'tables.invoice.retention.timeZone', /unknown time zone "Europe\/Stockholmm"/],
  ['an unknown tenant column', (p) => { p.tables.invoice.tenantColumn = 'customer'; }, 'tables.invoice.tenantColumn', /no column "customer" in public.invoice/],
  ['a tenant column on an unprotected table', (p) => { p.tables.invoice.protect = false; }, 'tables.invoice.tenantColumn', /needs a protected table/],
  ['a link that names no column', (p) => { p.subjects.customer.links = ['invoice']; }, 'subjects.customer.links[0]', /must be 'table.column'/],
  ['a link to an unknown column', (p) => { p.subjects.customer.links = ['invoice.customr_id']; }, 'subjects.customer.links[0]', /no column "customr_id" in public.invoice \(did you mean "customer_id"\?\)/],
  ['a subject type that is no label', (p) => { p.subjects.Customer = p.subjects.customer; delete p.subjects.customer; }, 'subjects.Customer', /lower-case letters/],
  ['an unknown legal basis', (p) => { p.tables.customer.legalBasis = 'because'; }, 'tables.customer.legalBasis', /is not valid here/],
  ['a partition instead of its table', (p) => { p.tables.position_default = { columns: {} }; }, 'tables.position_default', /is a partition of public.position: declare public.position instead/],
  ["the toolkit's own catalog", (p) => { p.tables['privacy.ledger'] = { columns: {} }; }, 'tables["privacy.ledger"]', /system or toolkit schema/],
  ['the same table twice', (p) => { p.tables['public.customer'] = p.tables.customer; }, 'tables["public.customer"]', /names the same table as tables.customer/],
  // Only SQL knows this one (TypeScript does not check column types): its error is mapped back
  // to the path, after the declarations before it ran in the same transaction.
  ['a mask that does not fit the column type', (p) => { p.tables.customer.columns.name.mask = 'round'; p.tables.customer.columns.name.maskParams = { digits: 1 }; }, 'tables.customer.columns.name.mask', /has no function for type text/],
  ['an anchor column that is no date', (p) => { p.tables.invoice.retention.anchor = 'billing_name'; }, 'tables.invoice.retention.anchor', /must be a date or timestamp/],
];

describe('a malformed policy is refused with its path named, and nothing is applied', () => {
  let admin: ReturnType<typeof kyselyFor>;
  beforeAll(async () => {
    const role = await createLoginRole(db, { memberOf: ['privacy_admin'] });
    admin = kyselyFor(role.url);
  });

  it('the unbroken policy applies (so each case below fails for its own fault)', async () => {
    const owner = kyselyFor(db.url);
    const before = await catalogFootprint(owner);
    // Applied inside a transaction that is rolled back: the cases below start from the same catalog.
    await admin.transaction().execute(async (trx) => {
      await applyPolicy(trx, smallPolicy());
      throw new Error('roll back');
    }).catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await catalogFootprint(owner)).toBe(before);
  });

  it.each(MALFORMED)('%s', async (_, change, path, message) => {
    const owner = kyselyFor(db.url);
    const before = await catalogFootprint(owner);
    const policy: Policy = changed(smallPolicy(), change);
    const error = await applyPolicy(admin, policy).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    const issues = (error as PolicyError).issues;
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)!.message).toMatch(message);
    expect((error as PolicyError).message).toContain(path);
    expect(await catalogFootprint(owner)).toBe(before);
  });

  it('suggests only strategies that may be used where the typo is', async () => {
    const hint = async (change: (p: any) => void, path: string) => {
      const error = (await applyPolicy(admin, changed(smallPolicy(), change)).catch((e: unknown) => e)) as PolicyError;
      return error.issues.find((i) => i.path === path)!.hint!;
    };
    const maskHint = await hint((p) => { p.tables.customer.columns.email.mask = 'emial'; }, 'tables.customer.columns.email.mask');
    expect(maskHint).toMatch(/^Strategies: .*\bpartial\b/);
    expect(maskHint).not.toMatch(/scrub_text|truncate_ip|cap_precision|pseudonymise/);
    const writeHint = await hint((p) => { p.tables.customer.columns.email.write = 'scrub'; }, 'tables.customer.columns.email.write');
    expect(writeHint).toBe('Strategies: cap_precision, pseudonymise, scrub_text, truncate_ip');
  });

  it('has at least 15 cases', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(15);
  });

  it('reports every problem of a policy at once', async () => {
    const policy = changed(smallPolicy(), (p) => {
      p.tables.customer.columns.emial = { category: 'contact' };
      p.tables.customer.columns.name.category = 'nmae';
      p.tables.invoice.retention.keep = 'soon';
    });
    const error = (await applyPolicy(admin, policy).catch((e: unknown) => e)) as PolicyError;
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'tables.customer.columns.emial', 'tables.customer.columns.name.category', 'tables.invoice.retention.keep',
    ]);
    expect(error.message).toMatch(/^3 problems:/);
  });
});
