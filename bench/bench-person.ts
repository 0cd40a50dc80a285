// The protected table the masked-read benchmarks read: one tenant holds 999 of every 1000 rows,
// three personal columns carry a mask each (partial, email, phone), four are not personal.
import type pg from 'pg';

/** Creates, fills, classifies and protects public.bench_person with `rows` rows, then vacuums it. */
export async function createBenchPerson(client: pg.ClientBase, rows: number): Promise<void> {
  await client.query(`
    create table public.bench_person (
      id bigint primary key, tenant_id int not null, name text not null, email text not null,
      phone text not null, city text not null, amount numeric(10, 2) not null);
    insert into public.bench_person
      select i, case when i % 1000 = 0 then 2 else 1 end,
             'Person ' || md5(i::text), 'user' || i || '@example.se', '070-' || lpad((i % 10000000)::text, 7, '0'),
             (array['Malmö', 'Lund', 'Umeå', 'Kiruna'])[1 + i % 4], (i % 100000) / 100.0
      from generate_series(1, ${rows}) i;
    select privacy.classify_column('bench_person', c, 'not_personal') from unnest(array['id', 'tenant_id', 'city', 'amount']) c;
    select privacy.classify_column('bench_person', 'name', 'identifier', mask => 'partial', mask_params => '{"keep_first": 1}');
    select privacy.classify_column('bench_person', 'email', 'contact', mask => 'email');
    select privacy.classify_column('bench_person', 'phone', 'contact', mask => 'phone');
    select privacy.protect_table('bench_person', tenant_column => 'tenant_id');`);
  await client.query('vacuum analyze public.bench_person');
}

/**
 * The SELECT of the masked view with the row filter of its policy that leaves restricted rows out,
 * to run by hand on the base table (callers append `and` the tenant and any other condition).
 */
export async function maskedViewSql(client: pg.ClientBase): Promise<string> {
  return (await client.query(`select privacy.masked_view_sql('public', 'bench_person')
                                     || ' where ' || privacy.restricted_rows_filter_sql('public', 'bench_person', 't') as s`)).rows[0].s;
}

/** A PL/pgSQL block that runs `select` `count` times, with $ID replaced by a key spread over `rows`. */
export function lookupLoop(select: string, count: number, rows: number): string {
  return `do $$ declare r record; begin
      for i in 1..${count} loop ${select.replace('$ID', `(i * 7919 % ${rows}) + 1`)} into r; end loop; end $$`;
}
