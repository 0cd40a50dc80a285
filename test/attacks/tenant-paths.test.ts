// Finding: a table whose tenant is one or more joins away (rental → customer.store_id) could only
// be protected without a tenant, so its policy was `true` and every store read every store's
// rentals, reviews and payments. The rental schema is protected here as examples/rental/protect.sql
// declares it (tenant paths through foreign keys, sql/206-tenant-paths.sql), and a store's
// application login tries to reach the other store's rows: by counting, by EXPLAIN ANALYZE, by a
// leaky function of its own in WHERE, by writing rows that point at the other store's parents,
// and with no tenant set.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt } from './fixture.ts';
import { createRentalApp, verifyFindings } from './rental-fixture.ts';

const PROTECTION = readFileSync(new URL('../../examples/rental/protect.sql', import.meta.url), 'utf8');

const db = useTestDatabase('rental');
let app: LoginRole;

/** Each table's rows per store, as the owner counts them through the foreign keys. */
const OWN_ROWS: Record<string, string> = {
  rental: 'select r.rental_id::text as id from rental r join customer c using (customer_id) where c.store_id = $1',
  film_review: `select f.review_id::text as id from film_review f join rental r using (rental_id)
                join customer c using (customer_id) where c.store_id = $1`,
  payment: 'select p.payment_id::text as id from payment p join customer c using (customer_id) where c.store_id = $1',
};
const KEY: Record<string, string> = { rental: 'rental_id', film_review: 'review_id', payment: 'payment_id' };

async function ids(table: string, store: number): Promise<string[]> {
  return (await db.pool().query<{ id: string }>(OWN_ROWS[table]!, [store])).rows.map((r) => r.id).sort();
}

/** Runs `work` as the application, in a transaction of store `store` (none: no tenant set), rolled back. */
async function asStore<T>(store: number | null, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return asRole(app, async (client) => {
    await client.query('begin');
    if (store !== null) await client.query('select privacy.set_tenant($1)', [String(store)]);
    try {
      return await work(client);
    } finally {
      await client.query('rollback');
    }
  });
}

/** The rows every scan of `table` (or of its partitions) returned, by EXPLAIN ANALYZE. */
function scannedRows(plan: unknown, table: string): number {
  let rows = 0;
  const visit = (node: Record<string, unknown>) => {
    const relation = node['Relation Name'];
    if (typeof relation === 'string' && (relation === table || relation.startsWith(`${table}_p`))) {
      rows += Number(node['Actual Rows']) * Number(node['Actual Loops'] ?? 1);
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  visit((plan as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return rows;
}

beforeAll(async () => {
  await db.pool().query(PROTECTION);
  await db.pool().query(`
    create function public.app_peek(value text) returns boolean language plpgsql as $$
    begin raise notice 'peek %', value; return true; end $$;
    grant execute on function public.app_peek(text) to public;`);
  app = await createRentalApp(db);
});

describe.each(['rental', 'film_review', 'payment'])('%s, whose store is reached through foreign keys', (table) => {
  it('store 1 counts exactly its own rows, none of store 2\'s', async () => {
    const own = await ids(table, 1);
    const other = await ids(table, 2);
    expect(own.length, 'store 1 has rows').toBeGreaterThan(0);
    expect(other.length, 'store 2 has rows to steal').toBeGreaterThan(0);
    const read = await asStore(1, async (c) =>
      (await c.query<{ id: string }>(`select ${KEY[table]}::text as id from masked.${table}`)).rows.map((r) => r.id).sort());
    expect(read).toEqual(own);
  });

  it('EXPLAIN ANALYZE counts only store 1\'s rows in the scan', async () => {
    const own = await ids(table, 1);
    const plan = await asStore(1, async (c) =>
      (await c.query(`explain (analyze, format json) select * from masked.${table}`)).rows[0]['QUERY PLAN']);
    expect(scannedRows(plan, table)).toBe(own.length);
  });

  it('a leaky function of the application in WHERE sees only store 1\'s rows', async () => {
    const other = new Set(await ids(table, 2));
    const notices = await asStore(1, async (c) => {
      const seen: string[] = [];
      c.on('notice', (n) => seen.push((n.message ?? '').replace(/^peek /, '')));
      await c.query(`select count(*) from masked.${table} where public.app_peek(${KEY[table]}::text)`);
      return seen;
    });
    expect(notices.length, 'the function ran').toBeGreaterThan(0);
    expect(notices.filter((id) => other.has(id))).toEqual([]);
  });

  it('with no tenant set, nothing', async () => {
    const outcome = await asStore(null, (c) => attempt(c, `select count(*)::int as n from masked.${table}`));
    expect(outcome.error).toBeUndefined();
    expect(outcome.rows[0]!.n).toBe(0);
  });
});

describe('writing rows that point at the other store\'s parents', () => {
  /** A parent row of each store, as the owner finds them. */
  async function parents(store: number): Promise<{ customer: number; rental: number }> {
    const { rows: [row] } = await db.pool().query(`
      select c.customer_id as customer, (select r.rental_id from rental r where r.customer_id = c.customer_id limit 1) as rental
      from customer c where c.store_id = $1 and exists (select from rental r where r.customer_id = c.customer_id)
      order by c.customer_id limit 1`, [store]);
    return row;
  }

  const insertRental = `insert into masked.rental (rental_date, inventory_id, customer_id, staff_id)
                        values ('2026-06-30', 1, $1, 1) returning rental_id`;
  const insertReview = 'insert into masked.film_review (rental_id, stars, body) values ($1, 5, \'great\') returning review_id';
  const insertPayment = `insert into masked.payment (customer_id, staff_id, amount, payment_date)
                         values ($1, 1, 9.99, '2026-06-30') returning payment_id`;

  it('an insert for one of its own customers, rentals: accepted (the control)', async () => {
    const own = await parents(1);
    for (const [sql, parent] of [[insertRental, own.customer], [insertReview, own.rental], [insertPayment, own.customer]] as const) {
      const outcome = await asStore(1, (c) => attempt(c, sql, [parent]));
      expect(outcome.error?.message, sql).toBeUndefined();
      expect(outcome.rows).toHaveLength(1);
    }
  });

  it('an insert pointing at store 2\'s customer or rental is refused by row-level security', async () => {
    const other = await parents(2);
    for (const [sql, parent] of [[insertRental, other.customer], [insertReview, other.rental], [insertPayment, other.customer]] as const) {
      const outcome = await asStore(1, (c) => attempt(c, sql, [parent]));
      expect(outcome.error?.code, sql).toBe('42501');
      expect(outcome.error?.message).toMatch(/row-level security/);
    }
  });

  it('an update moving its own row to store 2\'s customer is refused, and store 2\'s rows cannot be updated', async () => {
    const other = await parents(2);
    const own = (await ids('rental', 1))[0]!;
    const moved = await asStore(1, (c) => attempt(c, 'update masked.rental set customer_id = $1 where rental_id = $2', [other.customer, own]));
    expect(moved.error?.code).toBe('42501');
    const theirs = await asStore(1, async (c) =>
      (await c.query('update masked.rental set return_date = now() where rental_id = $1', [other.rental])).rowCount);
    expect(theirs).toBe(0);
  });
});

describe('a parent nobody protected (mailing_list, the store of customer_mailing_list)', () => {
  it('the policy reads it as the views\' owner, which may read its key and store only; store 1 reads its own memberships', async () => {
    await db.pool().query(`
      select privacy.classify_column('customer_mailing_list', c, 'not_personal') from unnest(array['customer_id', 'list_id', 'joined_at']) c;
      select privacy.protect_table('customer_mailing_list', tenant_column => 'store_id', tenant_via => '{list_id}');`);
    const { rows: [grants] } = await db.pool().query(`
      select has_table_privilege('privacy_view_owner', 'public.mailing_list', 'select') as whole_table,
             has_column_privilege('privacy_view_owner', 'public.mailing_list', 'name', 'select') as name,
             has_column_privilege('privacy_view_owner', 'public.mailing_list', 'store_id', 'select') as store_id`);
    expect(grants).toEqual({ whole_table: false, name: false, store_id: true });
    const own = (await db.pool().query(`
      select count(*)::int as n from customer_mailing_list m join mailing_list l using (list_id) where l.store_id = 1`)).rows[0].n;
    expect(own).toBeGreaterThan(0);
    const read = await asStore(1, async (c) => (await c.query('select count(*)::int as n from masked.customer_mailing_list')).rows[0].n);
    expect(read).toBe(own);
  });
});

describe('what verify and the policy say about tenants', () => {
  it('a protected table with no tenant is reported: every tenant sees its rows; a shared one is not', async () => {
    await db.pool().query(`
      select privacy.classify_column('inventory', c, 'not_personal') from unnest(array['inventory_id', 'film_id', 'store_id', 'last_update']) c;
      select privacy.protect_table('inventory');`);
    try {
      const findings = await verifyFindings(db);
      const without = findings.filter((f) => f.check_name === 'protected_table_without_tenant');
      expect(without.map((f) => f.object)).toEqual(['public.inventory']);
      expect(without[0]!.severity).toBe('medium');
      expect(without[0]!.message).toMatch(/every tenant sees its rows/);
      const { rows } = await db.pool().query(`select value from privacy.status() where item = 'read_by_every_tenant'`);
      expect(Number(rows[0].value)).toBe(1);
    } finally {
      await db.pool().query(`select privacy.unprotect_table('inventory')`);
    }
  });

  it('a hop without a foreign key is refused (PV016), naming the table and column', async () => {
    const outcome = await attempt(db.pool() as unknown as pg.ClientBase,
      `select privacy.protect_table('rental', tenant_column => 'store_id', tenant_via => '{customer_id,activebool}')`);
    expect(outcome.error?.code).toBe('PV016');
    expect(outcome.error?.message).toMatch(/column activebool of public\.customer is not a single-column foreign key/);
  });

  it('a path that leads back to the table itself is refused (PV016)', async () => {
    await db.pool().query('alter table staff add column mentor_id integer references staff');
    try {
      const outcome = await attempt(db.pool() as unknown as pg.ClientBase,
        `select privacy.protect_table('staff', tenant_column => 'store_id', tenant_via => '{mentor_id}')`);
      expect(outcome.error?.code).toBe('PV016');
      expect(outcome.error?.message).toMatch(/leads back to the table itself/);
    } finally {
      await db.pool().query('alter table staff drop column mentor_id');
    }
  });

  it('dropping a hop\'s foreign key: verify reports it as high, and the policy lets no row through (never all)', async () => {
    await db.pool().query(`alter table film_review drop constraint film_review_rental_id_fkey; select * from privacy.sync()`);
    try {
      const findings = (await verifyFindings(db)).filter((f) => f.check_name === 'tenant_path_broken');
      expect(findings.map((f) => [f.severity, f.object])).toEqual([['high', 'public.film_review']]);
      const n = await asStore(1, async (c) => (await c.query('select count(*)::int as n from masked.film_review')).rows[0].n);
      expect(n).toBe(0);
    } finally {
      await db.pool().query(`alter table film_review add foreign key (rental_id) references rental; select * from privacy.sync()`);
    }
    const n = await asStore(1, async (c) => (await c.query('select count(*)::int as n from masked.film_review')).rows[0].n);
    expect(n).toBe((await ids('film_review', 1)).length);
  });

  it('a renamed foreign-key column and tenant column: the path follows, isolation holds', async () => {
    const own = (await ids('rental', 1)).length;
    await db.pool().query(`
      alter table rental rename column customer_id to renter_id;
      alter table customer rename column store_id to shop_id;
      select * from privacy.sync();`);
    try {
      const { rows: [p] } = await db.pool().query(`select tenant_via::text[], tenant_column from privacy.protected_table where table_name = 'rental'`);
      expect(p).toEqual({ tenant_via: ['renter_id'], tenant_column: 'shop_id' });
      expect((await verifyFindings(db)).filter((f) => f.check_name === 'tenant_path_broken')).toEqual([]);
      const n = await asStore(1, async (c) => (await c.query('select count(*)::int as n from masked.rental')).rows[0].n);
      expect(n).toBe(own);
    } finally {
      await db.pool().query(`
        alter table rental rename column renter_id to customer_id;
        alter table customer rename column shop_id to store_id;
        select * from privacy.sync();`);
    }
  });
});
