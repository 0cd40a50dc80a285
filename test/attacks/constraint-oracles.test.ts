import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, type LoginRole } from '../support/login-role.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { createRentalApp, protectNaively, verifyFindings } from './rental-fixture.ts';

// A CHECK constraint that compares a masked column with a column the application writes is an
// oracle row-level security cannot hide: each write is accepted or refused by the stored value.
// The toolkit cannot take the constraint away without changing the schema's meaning, so the
// defence is verify naming it (and README documenting the class beside the unique-index oracle).
const db = useTestDatabase('rental');
let app: LoginRole;

beforeAll(async () => {
  await protectNaively(db);
  // Rentals: when a film left the store is coarsened to the day for the application.
  await db.pool().query(`
    select privacy.classify_column('rental', c, 'not_personal')
      from unnest(array['rental_id', 'inventory_id', 'customer_id', 'return_date', 'staff_id', 'last_update']) c;
    select privacy.classify_column('rental', 'rental_date', 'technical', mask => 'time', mask_params => '{"unit": "day"}');
    select privacy.protect_table('rental');`);
  app = await createRentalApp(db);
});

describe('constraint oracles over masked columns', () => {
  it('bisecting return_date against check (return_date >= rental_date) in savepoints recovers the masked rental_date to the microsecond: verify names the constraint', async () => {
    const target = await db.pool().query<{ id: number; raw: string }>(
      `select rental_id as id, to_char(rental_date at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as raw
       from rental where return_date is not null order by rental_id limit 1`);
    const { id, raw } = target.rows[0]!;

    const recovered = await asRole(app, async (client) => {
      await client.query('begin');
      const shown = await client.query<{ day: Date }>('select rental_date as day from rental where rental_id = $1', [id]);
      expect(shown.rows[0]!.day.toISOString(), 'the app reads only the day').toMatch(/T00:00:00\.000Z$/);
      // Microseconds since the masked day's start: the stored value lies within the next 24 hours.
      let low = 0n;
      let high = 86_400_000_000n;
      let probes = 0;
      while (low < high) {
        const middle = (low + high) / 2n;
        await client.query('savepoint probe');
        try {
          await client.query(
            `update rental set return_date = (select rental_date from rental where rental_id = $1) + $2 * interval '1 microsecond'
             where rental_id = $1`, [id, middle.toString()]);
          high = middle; // accepted: the stored rental_date is at most this
        } catch (error) {
          expect((error as { code?: string }).code).toBe('23514');
          low = middle + 1n;
        }
        await client.query('rollback to savepoint probe');
        probes += 1;
      }
      const found = await client.query<{ t: string }>(
        `select to_char(((select rental_date from rental where rental_id = $1) + $2 * interval '1 microsecond') at time zone 'UTC',
                        'YYYY-MM-DD HH24:MI:SS.US') as t`, [id, low.toString()]);
      await client.query('rollback');
      expect(probes).toBeLessThanOrEqual(40);
      return found.rows[0]!.t;
    });
    expect(recovered, 'the oracle works: the defence is to be told').toBe(raw);

    const oracles = (await verifyFindings(db)).filter((f) => f.check_name === 'check_constraint_oracle');
    expect(oracles.map((f) => `${f.severity} ${f.object}`)).toEqual(['medium rental_check on public.rental']);
    expect(oracles[0]!.message).toContain('ties masked column rental_date to return_date, which the application writes');
    expect(oracles[0]!.message).toMatch(/alter table public\.rental drop constraint rental_check$/);
  });

  it('a unique index over a masked column (the documented existence oracle) is named as low', async () => {
    const found = (await verifyFindings(db)).filter((f) => f.check_name === 'unique_index_oracle').map((f) => `${f.severity} ${f.object}`);
    expect(found).toEqual(['low public.customer_store_id_personnummer_key']);
  });
});
