// Finding: writes through the masked views on a schema nobody here designed. Inserts failed with
// "permission denied for sequence" where a default reads a sequence not OWNED BY its column, and
// the INSTEAD OF INSERT ran OVERRIDING SYSTEM VALUE, so the application could choose a
// GENERATED ALWAYS id: take the sequence's next values and make other inserts fail.
import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { attempt } from './fixture.ts';

const db = useTestDatabase('rental');
let app: LoginRole;
let store: string;
interface Sample { customer_id: number; inventory_id: number; staff_id: number; address_id: number; store: string }
let sample: Sample;

beforeAll(async () => {
  const pool = db.pool();
  await pool.query(`
    select privacy.classify_column('customer', c, 'not_personal')
      from unnest(array['customer_id', 'store_id', 'address_id', 'activebool', 'create_date', 'last_update']) c;
    select privacy.classify_column('customer', 'first_name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
    select privacy.classify_column('customer', 'last_name', 'identifier');
    select privacy.classify_column('customer', 'email', 'contact', mask => 'email');
    select privacy.classify_column('customer', 'personnummer', 'identifier');
    select privacy.protect_table('customer', tenant_column => 'store_id');
    select privacy.classify_column('rental', c, 'not_personal')
      from unnest(array['rental_id', 'inventory_id', 'customer_id', 'staff_id', 'last_update']) c;
    select privacy.classify_column('rental', c, 'personal', mask => 'generalize', mask_params => '{"unit": "day"}')
      from unnest(array['rental_date', 'return_date']) c;
    select privacy.protect_table('rental');`);
  sample = (await pool.query<Sample>(`
    select c.customer_id, i.inventory_id, s.staff_id, c.address_id, c.store_id::text as store
    from customer c join inventory i on i.store_id = c.store_id join staff s on s.store_id = c.store_id
    order by c.customer_id, i.inventory_id, s.staff_id limit 1`)).rows[0]!;
  store = sample.store;
  // The application's login, as the schema's team would make it: in rental_app, now also masked.
  app = await createLoginRole(db, { memberOf: ['privacy_masked', 'rental_app'] });
  await pool.query(`alter role "${app.name}" set search_path = masked, public`);
});

async function inStore(sql: string, params: unknown[] = []) {
  return asRole(app, async (connection) => {
    await connection.query('begin');
    await connection.query('select privacy.set_tenant($1)', [store]);
    const outcome = await attempt(connection, sql, params);
    await connection.query('rollback');
    return outcome;
  });
}

describe('inserting through a masked view', () => {
  it('works where the default reads a sequence not OWNED BY its column (customer_customer_id_seq)', async () => {
    const { rows: [owned] } = await db.pool().query(
      `select pg_get_serial_sequence('public.customer', 'customer_id') as seq`);
    expect(owned.seq, 'the sequence is not owned by the column').toBeNull();
    const outcome = await inStore(`insert into customer (store_id, first_name, last_name, email, address_id)
                                   values ($1, 'Ny', 'Kund', 'ny.kund@example.se', $2) returning customer_id`,
                                  [store, sample.address_id]);
    expect(outcome.error).toBeUndefined();
    expect(Number(outcome.rows[0]!.customer_id)).toBeGreaterThan(0);
  });

  it('an id the application chooses for a GENERATED ALWAYS identity is refused, as on the table itself', async () => {
    const { rows: [before] } = await db.pool().query(`select max(rental_id) as max from rental`);
    const chosen = Number(before.max) + 1000;
    const outcome = await inStore(`insert into rental (rental_id, rental_date, inventory_id, customer_id, staff_id)
                                   values ($1, now(), $2, $3, $4)`, [chosen, sample.inventory_id, sample.customer_id, sample.staff_id]);
    expect(outcome.error?.code).toBe('428C9');
    // The table's own inserts go on from its sequence, which the application did not move.
    const { rows: [next] } = await db.pool().query(`
      insert into rental (rental_date, inventory_id, customer_id, staff_id) values (now(), $1, $2, $3) returning rental_id`,
      [sample.inventory_id, sample.customer_id, sample.staff_id]);
    expect(Number(next.rental_id)).toBeLessThan(chosen);
  });

  it('without an id the table chooses it', async () => {
    const outcome = await inStore(`insert into rental (rental_date, inventory_id, customer_id, staff_id)
                                   values (now(), $1, $2, $3) returning rental_id`, [sample.inventory_id, sample.customer_id, sample.staff_id]);
    expect(outcome.error).toBeUndefined();
    expect(Number(outcome.rows[0]!.rental_id)).toBeGreaterThan(0);
  });
});
