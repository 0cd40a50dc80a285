import type pg from 'pg';
import { toPrivacyError } from '../../src/errors/privacy-error.ts';
import { openKysely } from '../../src/kysely/open-kysely.ts';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import type { TestDatabase } from '../support/test-database.ts';

/** The reference policy of the tracking example: every table classified, protected, linked to its subjects. */
export const REFERENCE_POLICY = new URL('../../examples/tracking/integritet.config.ts', import.meta.url).pathname;

/** The tables of the reference schema a customer's rows are in. */
export const CUSTOMER_TABLES = ['admin_user', 'contact_person', 'customer', 'device', 'invoice', 'payment', 'position', 'trip', 'vehicle'];

/** Applies the reference policy to a `tracking` test database. */
export async function applyReferencePolicy(db: TestDatabase): Promise<void> {
  const kysely = openKysely(db.url);
  try {
    await applyPolicy(kysely, await loadPolicy(REFERENCE_POLICY));
  } finally {
    await kysely.destroy();
  }
}

/** Rows of `table` (schema public) that belong to customer `id`. */
export async function customerRows(db: pg.Pool | pg.ClientBase, table: string, id: number | string): Promise<number> {
  const column = table === 'customer' ? 'id' : 'customer_id';
  const { rows } = await db.query(`select count(*)::int as n from public.${table} where ${column} = $1`, [id]);
  return rows[0].n as number;
}

/** The error a statement fails with, as the toolkit's error class; fails the test if it succeeds. */
export async function failureOf(db: pg.Pool | pg.ClientBase, sql: string, values: unknown[] = []): Promise<Error & { code?: string; object?: string }> {
  try {
    await db.query(sql, values);
  } catch (error) {
    return toPrivacyError(error) as Error & { code?: string };
  }
  throw new Error(`expected an error from: ${sql}`);
}

/** The ledger entries after `afterId` of an action, as text (for looking for values that must not be there). */
export async function ledgerSince(db: pg.Pool | pg.ClientBase, afterId: number, action: string): Promise<{ object: string; detail: Record<string, unknown>; text: string }[]> {
  const { rows } = await db.query(`select object, detail, detail::text as text from privacy.ledger where id > $1 and action = $2 order by id`,
    [afterId, action]);
  return rows;
}

/** The id of the latest ledger entry. */
export async function lastLedgerId(db: pg.Pool | pg.ClientBase): Promise<number> {
  const { rows } = await db.query(`select coalesce(max(id), 0)::int as id from privacy.ledger`);
  return rows[0].id as number;
}

/** Rows a masked login sees of each table for one tenant, in one transaction. */
export async function maskedCounts(client: pg.ClientBase, tenant: number | string, tables = CUSTOMER_TABLES): Promise<Record<string, number>> {
  await client.query('begin');
  try {
    await client.query(`select privacy.set_tenant($1)`, [String(tenant)]);
    const counts: Record<string, number> = {};
    for (const table of tables) {
      counts[table] = (await client.query(`select count(*)::int as n from masked.${table}`)).rows[0].n;
    }
    return counts;
  } finally {
    await client.query('commit');
  }
}
