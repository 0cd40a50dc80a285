import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDeclarationError } from '../../src/errors/privacy-error.ts';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { failureOf } from './subject-fixtures.ts';
import { sweepToEnd } from '../retention/retention-fixtures.ts';

// The rental schema (examples/rental) as nobody here designed it: a customer's street and phone
// live in the address row the customer row references (customers 59 and 60 share address 65),
// mailing lists are many-to-many, reviews hang off rentals (two hops from the customer), and
// payments are partitioned with foreign keys on some partitions only.
const db = useTestDatabase('rental');
let app: LoginRole;

/** Everything of the schema's own that the subject links reach, read independently of them. */
const OWN_ROWS: Record<string, string> = {
  'public.customer': `select array_agg(customer_id::text order by customer_id) from customer where customer_id = $1`,
  'public.address': `select array_agg(address_id::text order by address_id) from address
                     where address_id in (select address_id from customer where customer_id = $1)`,
  'public.customer_mailing_list': `select array_agg(list_id::text order by list_id) from customer_mailing_list where customer_id = $1`,
  'public.mailing_list': `select array_agg(list_id::text order by list_id) from mailing_list
                          where list_id in (select list_id from customer_mailing_list where customer_id = $1)`,
  'public.rental': `select array_agg(rental_id::text order by rental_id) from rental where customer_id = $1`,
  'public.film_review': `select array_agg(review_id::text order by review_id) from film_review
                         where rental_id in (select rental_id from rental where customer_id = $1)`,
  'public.payment': `select array_agg(payment_id::text order by payment_id) from payment where customer_id = $1`,
};
const ID_COLUMN: Record<string, string> = {
  'public.customer': 'customer_id', 'public.address': 'address_id', 'public.customer_mailing_list': 'list_id',
  'public.mailing_list': 'list_id', 'public.rental': 'rental_id', 'public.film_review': 'review_id', 'public.payment': 'payment_id',
};

async function ownRows(customer: number): Promise<Record<string, string[]>> {
  const own: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(OWN_ROWS)) {
    own[table] = (await db.pool().query(sql, [customer])).rows[0].array_agg ?? [];
  }
  return own;
}

/** What the application (a privacy_masked login) reads of a customer's rows, by key. */
async function appReads(customer: number, keys: Record<string, string[]>): Promise<Record<string, number>> {
  return asRole(app, async (client) => {
    await client.query('begin');
    try {
      await client.query(`select privacy.set_tenant($1)`, [String(1 + (customer % 2))]);
      const seen: Record<string, number> = {};
      for (const table of ['customer', 'address', 'rental', 'film_review']) {
        const column = ID_COLUMN[`public.${table}`]!;
        seen[table] = (await client.query(`select count(*)::int as n from masked.${table} where ${column}::text = any ($1::text[])`,
          [keys[`public.${table}`] ?? []])).rows[0].n;
      }
      seen.customer_mailing_list = (await client.query(
        `select count(*)::int as n from masked.customer_mailing_list where customer_id = $1`, [customer])).rows[0].n;
      return seen;
    } finally {
      await client.query('commit');
    }
  });
}

beforeAll(async () => {
  await db.pool().query(`
    select privacy.declare_subject_type('customer', 'customer', 'customer_id');
    select privacy.link_subject_through('customer', 'address', 'customer');             -- customer.address_id → address
    select privacy.link_subject('customer', 'customer_mailing_list', 'customer_id');    -- the join table …
    select privacy.link_subject_through('customer', 'mailing_list', 'customer_mailing_list');  -- … and its other side
    select privacy.link_subject('customer', 'rental', 'customer_id');
    select privacy.link_subject_through('customer', 'film_review', 'rental');            -- two hops
    select privacy.link_subject('customer', 'payment', 'customer_id', unchecked => true);   -- no foreign key on the parent

    select privacy.protect_table('customer', tenant_column => 'store_id');
    select privacy.protect_table(t) from unnest(array['address', 'rental', 'film_review', 'customer_mailing_list']) t;
    select privacy.classify_column(t, c, 'not_personal')
    from (values ('customer', 'customer_id'), ('customer', 'store_id'), ('customer', 'address_id'), ('address', 'address_id'),
                 ('rental', 'rental_id'), ('rental', 'customer_id'), ('film_review', 'review_id'), ('film_review', 'rental_id'),
                 ('customer_mailing_list', 'customer_id'), ('customer_mailing_list', 'list_id')) v(t, c);
    select privacy.classify_column('address', 'phone', 'contact', mask => 'phone');
    select privacy.classify_column('address', 'address', 'contact', mask => 'partial');`);
  app = await createLoginRole(db, { memberOf: ['privacy_masked'] });
});

describe('subject links over a schema nobody here designed', () => {
  it('refuses a column that does not hold the subject\'s id, naming what it references, and changes nothing', async () => {
    const before = (await db.pool().query(`select count(*)::int as n from privacy.subject_link`)).rows[0].n;
    const wrong = await failureOf(db.pool(), `select privacy.link_subject('customer', 'customer', 'address_id')`);
    expect(wrong).toBeInstanceOf(InvalidDeclarationError);
    expect(wrong).toMatchObject({ code: 'PV409' });
    expect(wrong.message).toContain('it references public.address.address_id');
    // A column of the right name on a table whose foreign key is on some partitions only.
    expect(await failureOf(db.pool(), `select privacy.link_subject('customer', 'payment', 'staff_id')`)).toMatchObject({ code: 'PV409' });
    expect((await db.pool().query(`select count(*)::int as n from privacy.subject_link`)).rows[0].n).toBe(before);
  });

  it('shows each link with the foreign key behind it, and verify lists the one taken on trust', async () => {
    const { rows } = await db.pool().query(`select relation, link, foreign_key, finding from privacy.subject_graph('customer')
                                            where link is not null order by relation, link`);
    expect(rows).toEqual(expect.arrayContaining([
      { relation: 'public.address', link: 'address_id ← public.customer', foreign_key: 'customer_address_id_fkey', finding: null },
      { relation: 'public.mailing_list', link: 'list_id ← public.customer_mailing_list', foreign_key: 'customer_mailing_list_list_id_fkey', finding: null },
      { relation: 'public.film_review', link: 'rental_id → public.rental', foreign_key: 'film_review_rental_id_fkey', finding: null },
      { relation: 'public.payment', link: 'customer_id', foreign_key: null, finding: expect.stringMatching(/^unchecked: no foreign key backs it/) },
    ]));
    const verify = await db.pool().query(`select severity, object from privacy.verify() where check_name = 'subject_link_unchecked'`);
    expect(verify.rows).toEqual([{ severity: 'medium', object: 'public.payment.customer_id' }]);
  });

  it.each([59, 60, 7])('exports every row linked to customer %s, and nothing of another customer', async (customer) => {
    const own = await ownRows(customer);
    expect(own['public.address']).toHaveLength(1);
    expect(own['public.film_review']!.length).toBeGreaterThan(0);
    const { rows: [{ document }] } = await db.pool().query(`select privacy.export_subject('customer', $1) as document`, [String(customer)]);
    const exported: Record<string, string[]> = {};
    for (const t of document.tables as { table: string; rows: Record<string, unknown>[] }[]) {
      exported[t.table] = t.rows.map((r) => String(r[ID_COLUMN[t.table]!])).sort((a, b) => Number(a) - Number(b));
    }
    const expected = Object.fromEntries(Object.entries(own).filter(([, ids]) => ids.length > 0));
    expect(exported).toEqual(expected);
    const address = (document.tables as { table: string; rows: { phone: string }[] }[]).find((t) => t.table === 'public.address')!;
    expect(address.rows[0]!.phone).toMatch(/^070-/);  // the street and phone the issue found missing
  });
});

describe('erasure over the rental schema', () => {
  it('leaves nothing of the customer that the application could read: the address row it references included', async () => {
    const own = await ownRows(7);
    expect(await appReads(7, own)).toEqual({ customer: 1, address: 1, rental: own['public.rental']!.length,
                                             film_review: own['public.film_review']!.length,
                                             customer_mailing_list: own['public.customer_mailing_list']!.length });
    const { rows: report } = await db.pool().query(`select relation, outcome, row_count::int, kept_by
                                                    from privacy.erase_subject('customer', '7', 'test: Art. 17 request')`);
    expect(report).toEqual(expect.arrayContaining([
      { relation: 'public.address', outcome: 'deleted', row_count: 1, kept_by: null },
      { relation: 'public.film_review', outcome: 'deleted', row_count: own['public.film_review']!.length, kept_by: null },
    ]));
    // Mailing lists other customers are on stay, and the report says why.
    expect(report).toContainEqual({ relation: 'public.mailing_list', outcome: 'kept', row_count: own['public.mailing_list']!.length,
                                    kept_by: 'shared:customer' });
    expect(await appReads(7, own)).toEqual({ customer: 0, address: 0, rental: 0, film_review: 0, customer_mailing_list: 0 });
    const left = await db.pool().query(`select (select count(*)::int from address where address_id = any ($1::int[])) as addresses,
                                               (select count(*)::int from payment where customer_id = 7) as payments,
                                               (select count(*)::int from mailing_list where list_id = any ($2::int[])) as lists`,
      [own['public.address'], own['public.mailing_list']]);
    expect(left.rows[0]).toEqual({ addresses: 0, payments: 0, lists: own['public.mailing_list']!.length });
  });

  it('keeps an address another customer shares, for that customer, and says so in the report', async () => {
    const own = await ownRows(59);
    expect(own['public.address']).toEqual((await ownRows(60))['public.address']);
    const { rows: report } = await db.pool().query(`select relation, outcome, row_count::int, kept_by
                                                    from privacy.erase_subject('customer', '59', 'test: Art. 17 request')`);
    expect(report).toContainEqual({ relation: 'public.address', outcome: 'kept', row_count: 1, kept_by: 'shared:customer' });
    expect(report.filter((r) => r.relation === 'public.address')).toHaveLength(1);
    // Customer 59 is gone for the application; the address is still customer 60's.
    expect(await appReads(59, own)).toMatchObject({ customer: 0, rental: 0, film_review: 0, customer_mailing_list: 0, address: 1 });
    const { rows: [{ document }] } = await db.pool().query(`select privacy.export_subject('customer', '60') as document`);
    const address = (document.tables as { table: string; rows: { address_id: number }[] }[]).find((t) => t.table === 'public.address')!;
    expect(address.rows.map((r) => String(r.address_id))).toEqual(own['public.address']);
  });
});

describe('holds follow the same paths', () => {
  it('a hold on a customer keeps the reviews two hops away from a sweep, and the rest of the reviews go', async () => {
    const held = 11;
    const reviews = (await ownRows(held))['public.film_review']!;
    expect(reviews.length).toBeGreaterThan(0);
    await db.pool().query(`
      select privacy.place_hold('customer', '${held}', 'legal_claim', review_on => current_date + 30, note => 'test dispute');
      select privacy.set_retention('film_review', anchor => 'posted_at', keep => '1 day', action => 'delete');`);
    const retention = await db.pool().query(`select source, detail, governs from privacy.retention_of('film_review', $1)`, [reviews[0]]);
    expect(retention.rows).toContainEqual({ source: 'hold', detail: expect.stringMatching(/^legal_claim hold \d+ on customer/), governs: true });
    const client = await db.pool().connect();
    try {
      await sweepToEnd(client, 'film_review');
    } finally {
      client.release();
    }
    const { rows } = await db.pool().query(`select array_agg(review_id::text order by review_id) as ids from film_review`);
    expect(rows[0].ids).toEqual(reviews);
    // Deleting one by hand is refused too (the table's owner here): the guard follows the path.
    expect(await failureOf(db.pool(), `delete from film_review where review_id = $1`, [reviews[0]])).toMatchObject({ code: 'PV301' });
  });

  it('an erasure restricts what the hold keeps, through the address the customer references too', async () => {
    const { rows: report } = await db.pool().query(`select relation, outcome, kept_by from privacy.erase_subject('customer', '11', 'test')
                                                    where outcome = 'restricted' order by relation`);
    expect(report).toEqual(expect.arrayContaining([
      { relation: 'public.address', outcome: 'restricted', kept_by: 'hold:legal_claim' },
      { relation: 'public.film_review', outcome: 'restricted', kept_by: 'hold:legal_claim' },
    ]));
    expect(await appReads(11, await ownRows(11))).toEqual({ customer: 0, address: 0, rental: 0, film_review: 0, customer_mailing_list: 0 });
  });
});
