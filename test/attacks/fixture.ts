import pg from 'pg';
import { expect } from 'vitest';
import { createLoginRole, type LoginRole } from '../support/login-role.ts';
import type { TestDatabase } from '../support/test-database.ts';

/**
 * The protection the attacks are tried against: the reference tracking schema with customers,
 * vehicles and positions protected per tenant (customer), personal columns masked or hidden.
 */
export const PROTECTION = `
  select privacy.classify_column('customer', c, 'not_personal')
    from unnest(array['id', 'kind', 'country', 'contract_start', 'contract_end', 'created_at']) c;
  select privacy.classify_column('customer', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
  select privacy.classify_column('customer', 'email', 'contact', mask => 'email');
  select privacy.classify_column('customer', 'phone', 'contact', mask => 'phone');
  select privacy.classify_column('customer', 'org_number', 'identifier');
  select privacy.protect_table('customer', tenant_column => 'id');

  select privacy.classify_column('vehicle', c, 'not_personal')
    from unnest(array['id', 'customer_id', 'make', 'model', 'created_at']) c;
  select privacy.classify_column('vehicle', 'registration_number', 'identifier', mask => 'partial',
                                 mask_params => '{"keep_first": 2}');
  select privacy.classify_column('vehicle', 'driver_name', 'identifier');
  select privacy.classify_column('vehicle', 'notes', 'free_text');
  select privacy.protect_table('vehicle', tenant_column => 'customer_id');

  select privacy.classify_column('position', c, 'not_personal')
    from unnest(array['id', 'customer_id', 'device_id', 'recorded_at', 'speed_kmh', 'heading', 'ignition']) c;
  select privacy.classify_column('position', 'lat', 'location', mask => 'round', mask_params => '{"digits": 2}');
  select privacy.classify_column('position', 'lon', 'location', mask => 'round', mask_params => '{"digits": 2}');
  select privacy.protect_table('position', tenant_column => 'customer_id');
  analyze customer, vehicle, position;`;

/** Raw values of two tenants that no restricted role may ever see. */
export interface Secrets {
  /** The attacker's own tenant (a customer id) and another one. */
  own: string;
  other: string;
  /** Raw personal values of both tenants, and the other tenant's id, as text. */
  values: string[];
  otherEmail: string;
  ownEmail: string;
  otherOrgNumber: string;
  ownVehicleId: string;
}

interface SecretRow {
  id: string; name: string; email: string; phone: string; org_number: string; street: string;
  vehicle_id: string; registration: string; driver: string | null; lat: string;
}

/** Applies {@link PROTECTION} as the owner and reads the secrets to look for in every answer. */
export async function protectAndReadSecrets(db: TestDatabase): Promise<Secrets> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(PROTECTION);
    const { rows } = await client.query<SecretRow>(`
      select c.id::text, c.name, c.email, c.phone, c.org_number, c.street,
             (select v.id::text from vehicle v where v.customer_id = c.id order by v.id limit 1) as vehicle_id,
             (select v.registration_number from vehicle v where v.customer_id = c.id order by v.id limit 1) as registration,
             (select v.driver_name from vehicle v where v.customer_id = c.id and v.driver_name is not null order by v.id limit 1) as driver,
             (select p.lat::text from position p where p.customer_id = c.id order by p.id limit 1) as lat
      from customer c
      where exists (select from vehicle v where v.customer_id = c.id)
      order by c.id limit 2`);
    expect(rows.length, 'the seed has at least two customers with vehicles').toBe(2);
    const [own, other] = rows as [SecretRow, SecretRow];
    const values = rows.flatMap((r) => [r.name, r.email, r.phone, r.org_number, r.street, r.registration, r.driver, r.lat])
      .filter((v): v is string => typeof v === 'string' && v.length >= 4);
    return {
      own: own.id, other: other.id, values, otherEmail: other.email, ownEmail: own.email,
      otherOrgNumber: other.org_number, ownVehicleId: own.vehicle_id,
    };
  } finally {
    await client.end();
  }
}

/** A real application login: member of privacy_masked, reading through `masked` first. */
export async function createAttacker(db: TestDatabase): Promise<LoginRole> {
  const role = await createLoginRole(db, { memberOf: ['privacy_masked'] });
  await db.pool().query(`alter role "${role.name}" set search_path = masked, public`);
  return role;
}

/** Fails when any secret value appears in `text` (rows, plans, notices, errors: all as text). */
export function expectNoSecret(text: string, secrets: Secrets): void {
  for (const value of secrets.values) expect(text, `leaked ${value}`).not.toContain(value);
}

/** Runs `sql` and returns its rows, or the error it raised (never throws). */
export async function attempt(client: pg.ClientBase, sql: string, params: unknown[] = []):
  Promise<{ rows: Record<string, unknown>[]; error?: pg.DatabaseError }> {
  try {
    const result = await client.query(sql, params);
    return { rows: result.rows ?? [] };
  } catch (error) {
    return { rows: [], error: error as pg.DatabaseError };
  }
}

/** Everything an answer shows: rows, error message, detail, hint, where. */
export function asText(outcome: { rows: unknown[]; error?: pg.DatabaseError }): string {
  const e = outcome.error;
  return JSON.stringify(outcome.rows) + (e ? ` ${e.message} ${e.detail ?? ''} ${e.hint ?? ''} ${e.where ?? ''}` : '');
}
