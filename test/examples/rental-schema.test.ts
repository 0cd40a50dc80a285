import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

// The second reference schema must keep the shapes that make it hard: if a later edit "tidies"
// them away, the attacks run against it would stop meaning anything.
describe('the rental reference schema (examples/rental) as a DBA brings it', () => {
  const db = useTestDatabase('rental');

  it('holds the invented data and the toolkit installed after it', async () => {
    const { rows } = await db.pool().query(`
      select (select count(*)::int from customer) as customers, (select count(*)::int from rental) as rentals,
             (select count(*)::int from payment) as payments, (select count(*)::int from film_review) as reviews,
             (select count(*)::int from customer_mailing_list) as memberships,
             to_regnamespace('privacy') is not null as installed`);
    expect(rows[0]).toEqual({ customers: 60, rentals: 480, payments: 480, reviews: 120, memberships: 80, installed: true });
  });

  it('has payments by month with foreign keys on some partitions only and a staging partition granted to PUBLIC', async () => {
    const { rows } = await db.pool().query(`
      select c.relname as partition,
             exists (select from pg_constraint k where k.conrelid = c.oid and k.contype = 'f') as has_foreign_key,
             has_table_privilege('public', c.oid, 'SELECT') as public_reads
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'payment'::regclass order by c.relname`);
    expect(rows.map((r) => r.partition)).toEqual(
      ['payment_p2026_01', 'payment_p2026_02', 'payment_p2026_03', 'payment_p2026_04', 'payment_p2026_05', 'payment_p2026_06']);
    expect(rows.filter((r) => r.has_foreign_key).map((r) => r.partition)).toEqual(['payment_p2026_01', 'payment_p2026_02']);
    expect(rows.filter((r) => r.public_reads).map((r) => r.partition)).toEqual(['payment_p2026_05']);
  });

  it('has sequences not owned by their columns, a GENERATED ALWAYS identity and a definer report function', async () => {
    const { rows } = await db.pool().query(`
      select (select array_agg(s.relname::text order by s.relname) from pg_class s
              where s.relkind = 'S' and s.relnamespace = 'public'::regnamespace
                and not exists (select from pg_depend d where d.objid = s.oid and d.deptype in ('a', 'i'))) as unowned,
             (select attidentity from pg_attribute where attrelid = 'rental'::regclass and attname = 'rental_id') as identity,
             (select prosecdef and proconfig is null from pg_proc where proname = 'rewards_report') as bare_definer`);
    expect(rows[0]).toEqual({
      unowned: ['customer_customer_id_seq', 'payment_payment_id_seq', 'staff_staff_id_seq'],
      identity: 'a',
      bare_definer: true,
    });
  });

  it('lets the application role read raw rows of every store before anything is protected', async () => {
    const { rows } = await db.pool().query(`
      select has_table_privilege('rental_app', 'customer', 'SELECT') as table_read,
             has_table_privilege('rental_app', 'customer_list', 'SELECT') as view_read,
             (select count(distinct sid)::int from customer_list) as stores`);
    expect(rows[0]).toEqual({ table_read: true, view_read: true, stores: 2 });
  });
});
