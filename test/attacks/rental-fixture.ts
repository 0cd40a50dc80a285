import pg from 'pg';
import { expect } from 'vitest';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import type { TestDatabase } from '../support/test-database.ts';

/**
 * The rental schema (examples/rental) protected the naive way, as the README's first steps
 * read: classify the personal columns, protect the tables. Tenants only where the table has the
 * store as a column of its own; address and payment are protected without a tenant (every store
 * reads their rows, masked). Nothing else is touched: the views, the materialized view, the
 * definer report function, the grants on partitions and the app's default privileges stay.
 */
export const NAIVE_PROTECTION = `
  select privacy.classify_column('customer', c, 'not_personal')
    from unnest(array['customer_id', 'store_id', 'address_id', 'activebool', 'create_date', 'last_update']) c;
  select privacy.classify_column('customer', 'first_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('customer', 'last_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('customer', 'email', 'contact', mask => 'email');
  select privacy.classify_column('customer', 'personnummer', 'identifier');
  select privacy.protect_table('customer', tenant_column => 'store_id');

  select privacy.classify_column('staff', c, 'not_personal')
    from unnest(array['staff_id', 'store_id', 'address_id', 'active', 'username', 'last_update']) c;
  select privacy.classify_column('staff', 'first_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('staff', 'last_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('staff', 'email', 'contact', mask => 'email');
  select privacy.classify_column('staff', 'password', 'credential');
  select privacy.protect_table('staff', tenant_column => 'store_id');

  select privacy.classify_column('address', c, 'not_personal')
    from unnest(array['address_id', 'district', 'city_id', 'last_update']) c;
  select privacy.classify_column('address', 'address', 'contact', mask => 'redact');
  select privacy.classify_column('address', 'address2', 'contact');
  select privacy.classify_column('address', 'postal_code', 'contact', mask => 'partial', mask_params => '{"keep_first": 2}');
  select privacy.classify_column('address', 'phone', 'contact', mask => 'phone');
  select privacy.protect_table('address');

  select privacy.classify_column('payment', c, 'not_personal')
    from unnest(array['payment_id', 'customer_id', 'staff_id', 'rental_id', 'payment_date']) c;
  select privacy.classify_column('payment', 'amount', 'financial');
  select privacy.protect_table('payment');`;

/**
 * Protecting takes SELECT on the partitions away from everyone, and every sync does again; a month
 * granted afterwards (a staging script run again) is what verify must still find.
 */
export const REGRANT_STAGED_MONTH = 'grant select on payment_p2026_05 to public, rental_app';

/** Raw values of the two stores that no application login may ever read. */
export interface RentalSecrets {
  /** Full names, e-mail addresses, personnummer, streets and phones of customers and staff. */
  values: string[];
  /** The amounts of payments in the partition granted to PUBLIC, as text. */
  mayAmounts: string[];
}

/** Applies {@link NAIVE_PROTECTION} as the owner and reads the secrets to look for in answers. */
export async function protectNaively(db: TestDatabase): Promise<RentalSecrets> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(NAIVE_PROTECTION);
    const people = await client.query<{ v: string }>(`
      select v from (
        select first_name || ' ' || last_name as v from customer
        union select email from customer union select personnummer from customer
        union select first_name || ' ' || last_name from staff union select email from staff
        union select address from address union select phone from address) s
      where v is not null`);
    const amounts = await client.query<{ v: string }>(`select distinct amount::text as v from payment_p2026_05`);
    const values = people.rows.map((r) => r.v);
    expect(values.length, 'the seed has personal values').toBeGreaterThan(200);
    return { values, mayAmounts: amounts.rows.map((r) => r.v) };
  } finally {
    await client.end();
  }
}

/** An application login as they are made: member of privacy_masked and of the app's group role. */
export async function createRentalApp(db: TestDatabase): Promise<LoginRole> {
  const role = await createLoginRole(db, { memberOf: ['privacy_masked', 'rental_app'] });
  await db.pool().query(`alter role "${role.name}" set search_path = masked, public`);
  return role;
}

/** The raw values of `secrets` that appear in `text` (rows, errors: all as text). */
export function rawValuesIn(text: string, secrets: RentalSecrets): string[] {
  return secrets.values.filter((value) => text.includes(value));
}

/** One finding of privacy.verify(). */
export interface VerifyFinding { severity: string; check_name: string; object: string; message: string }

/** The findings of privacy.verify(), as the owner sees them. */
export async function verifyFindings(db: TestDatabase): Promise<VerifyFinding[]> {
  return (await db.pool().query<VerifyFinding>('select severity, check_name, object, message from privacy.verify()')).rows;
}

/**
 * The first statement a finding's message names as its fix: the text after the last ': ' up to
 * ', or ' or ' (or', as verify writes them.
 */
export function namedFix(finding: { message: string }): string {
  const tail = finding.message.slice(finding.message.lastIndexOf(': ') + 2);
  return tail.split(/, or | \(or /)[0]!.trim();
}
