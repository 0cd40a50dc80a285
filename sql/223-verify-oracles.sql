-- integritet: self-check of constraints that answer questions about masked values. A CHECK
-- that compares a masked column with a column the application writes (`check (return_date >=
-- rental_date)`) accepts or refuses each value the application tries, so bisecting in
-- savepoints recovers the stored value; a unique index over a masked column tells an inserting
-- application whether some row holds a value. Row-level security cannot hide either
-- (README: "What it does not hide"); the DBA decides whether to keep them.
--
--   select * from privacy.verify_constraint_oracles();
--
-- Why invoker: privacy.verify() calls it with its definer rights; EXECUTE is revoked from PUBLIC.
--
-- needs: 200-masked-views

create or replace function privacy.verify_constraint_oracles()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with hidden as (
    select c.oid as relid, tc.column_name, a.attnum
    from privacy.protected_table p
    join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name))
    cross join lateral privacy.table_columns(p.schema_name, p.table_name) tc
    join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = tc.column_name
    where not tc.visible
  )
  select 'medium'::text, 'check_constraint_oracle'::text,
         pg_catalog.format('%I on %s', k.conname, k.conrelid::pg_catalog.regclass),
         pg_catalog.format('%s ties masked column %s to %s, which the application writes: trying values until one is '
                           'refused recovers the stored %s (savepoints make it cheap); if that is not acceptable: '
                           'alter table %s drop constraint %I',
                           pg_catalog.pg_get_constraintdef(k.oid), pg_catalog.string_agg(distinct pg_catalog.quote_ident(h.column_name), ', '),
                           (select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
                            from pg_catalog.pg_attribute a
                            where a.attrelid = k.conrelid and a.attnum = any (k.conkey)
                              and a.attnum not in (select h2.attnum from hidden h2 where h2.relid = k.conrelid)),
                           pg_catalog.string_agg(distinct pg_catalog.quote_ident(h.column_name), ', '),
                           k.conrelid::pg_catalog.regclass, k.conname)
  from pg_catalog.pg_constraint k
  join hidden h on h.relid = k.conrelid and h.attnum = any (k.conkey)
  where k.contype = 'c'
    and exists (select from pg_catalog.unnest(k.conkey) col
                where col not in (select h2.attnum from hidden h2 where h2.relid = k.conrelid))
  group by k.oid, k.conname, k.conrelid
  union all
  select 'low'::text, 'unique_index_oracle'::text, i.indexrelid::pg_catalog.regclass::text,
         pg_catalog.format('a unique index over masked column %s refuses a duplicate, so an application that inserts a '
                           'value learns that some row%s holds it (README: What it does not hide): accept it, or classify the column not_personal where it is a plain key',
                           pg_catalog.string_agg(distinct pg_catalog.quote_ident(h.column_name), ', '),
                           case when p.tenant_column is not null and exists (
                                  select from pg_catalog.pg_attribute a where a.attrelid = i.indrelid
                                    and a.attname = p.tenant_column and a.attnum = any (i.indkey::pg_catalog.int2[]))
                                then ' of its tenant' else ', of any tenant,' end)
  from pg_catalog.pg_index i
  join hidden h on h.relid = i.indrelid and h.attnum = any (i.indkey::pg_catalog.int2[])
  join pg_catalog.pg_class c on c.oid = i.indrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join privacy.protected_table p on p.schema_name = n.nspname and p.table_name = c.relname
  where i.indisunique
  group by i.indexrelid, i.indrelid, p.tenant_column
$$;
comment on function privacy.verify_constraint_oracles() is
  'Findings: CHECK constraints tying a masked column to another column, unique indexes over masked columns.';

revoke execute on function privacy.verify_constraint_oracles() from public;
