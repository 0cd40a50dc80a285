// Finding: row-level security and revokes existed on the partitioned parent only. An application
// login with the grants applications usually have (GRANT SELECT ON ALL TABLES, default privileges)
// or a partition attached from a staging table granted to PUBLIC read any partition raw, for
// every tenant, with no tenant set. Protecting a table now covers every partition, present and
// future: row-level security on each, and no SELECT for the application (sql/201-partitions.sql).
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt } from './fixture.ts';

const db = useTestDatabase('rental');
let app: LoginRole;
let store: string;

beforeAll(async () => {
  await db.pool().query(`
    select privacy.classify_column('payment', c, 'not_personal')
      from unnest(array['payment_id', 'customer_id', 'staff_id', 'rental_id']) c;
    select privacy.classify_column('payment', 'amount', 'financial', mask => 'generalize', mask_params => '{"step": 100}');
    select privacy.classify_column('payment', 'payment_date', 'financial', mask => 'generalize', mask_params => '{"unit": "month"}');
    select privacy.protect_table('payment');`);
  store = (await db.pool().query(`select min(store_id)::text as s from store`)).rows[0].s;
  // The application's login as the schema's team made it (rental_app: all tables, default
  // privileges), now also in privacy_masked.
  app = await createLoginRole(db, { memberOf: ['privacy_masked', 'rental_app'] });
  await db.pool().query(`alter role "${app.name}" set search_path = masked, public`);
});

/** What the application reads of `relation` by its own name, in a transaction with a tenant. */
async function readsRaw(relation: string): Promise<{ rows: unknown[]; code?: string }> {
  return asRole(app, async (connection) => {
    await connection.query('begin');
    await connection.query('select privacy.set_tenant($1)', [store]);
    const outcome = await attempt(connection, `select payment_id, amount, payment_date from public.${relation}`);
    await connection.query('rollback');
    return { rows: outcome.rows, code: outcome.error?.code };
  });
}

async function partitions(): Promise<string[]> {
  const { rows } = await db.pool().query(`
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.payment'::regclass order by 1`);
  return rows.map((r) => r.relname as string);
}

function expectNothing(outcome: { rows: unknown[]; code?: string }, relation: string): void {
  expect(outcome.rows, `${relation} returned rows`).toEqual([]);
}

describe('reading the partitions of a protected table by their own names', () => {
  it('every partition present when the table was protected, the PUBLIC-granted staging one too, returns nothing', async () => {
    const names = await partitions();
    expect(names).toContain('payment_p2026_05');
    for (const name of names) {
      const { rows: [{ n }] } = await db.pool().query(`select count(*)::int as n from public.${name}`);
      expect(n, `${name} has rows to steal`).toBeGreaterThan(0);
      expectNothing(await readsRaw(name), name);
    }
  });

  it('a partition made later with PARTITION OF under the default privileges returns nothing', async () => {
    await db.pool().query(`
      create table public.payment_p2026_07 partition of public.payment for values from ('2026-07-01') to ('2026-08-01');
      insert into public.payment (customer_id, staff_id, amount, payment_date)
        select customer_id, 1, 12.34, '2026-07-15' from customer order by customer_id limit 3;`);
    expectNothing(await readsRaw('payment_p2026_07'), 'payment_p2026_07');
  });

  it('a staging table granted to PUBLIC and attached later returns nothing', async () => {
    await db.pool().query(`
      create table public.payment_p2026_08 (like public.payment including defaults including constraints);
      grant select on public.payment_p2026_08 to public;
      insert into public.payment_p2026_08 (customer_id, staff_id, amount, payment_date)
        select customer_id, 1, 56.78, '2026-08-15' from customer order by customer_id limit 3;
      alter table public.payment attach partition public.payment_p2026_08 for values from ('2026-08-01') to ('2026-09-01');`);
    expectNothing(await readsRaw('payment_p2026_08'), 'payment_p2026_08');
  });

  it('where no event trigger runs, privacy.sync() covers a partition attached meanwhile', async () => {
    await db.pool().query(`
      alter event trigger privacy_sync_after_ddl disable;
      create table public.payment_p2026_09 (like public.payment including defaults including constraints);
      grant select on public.payment_p2026_09 to public;
      insert into public.payment_p2026_09 (customer_id, staff_id, amount, payment_date)
        select customer_id, 1, 90.12, '2026-09-15' from customer order by customer_id limit 3;
      alter table public.payment attach partition public.payment_p2026_09 for values from ('2026-09-01') to ('2026-10-01');
      alter event trigger privacy_sync_after_ddl enable;`);
    expect((await readsRaw('payment_p2026_09')).rows.length, 'raw before sync: what sync is for').toBe(3);
    await db.pool().query(`select * from privacy.sync()`);
    expectNothing(await readsRaw('payment_p2026_09'), 'payment_p2026_09');
  });

  it('the masked view still reads every partition, masked', async () => {
    const { rows } = await asRole(app, (connection) => connection.query(
      `select count(*)::int as n, count(distinct amount) filter (where amount::text like '%.%' and amount <> round(amount, -2)) as raw from masked.payment`));
    const { rows: [all] } = await db.pool().query(`select count(*)::int as n from public.payment`);
    expect(rows[0].n).toBe(all.n);
    expect(Number(rows[0].raw)).toBe(0);
  });
});
