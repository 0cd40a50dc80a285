-- integritet: verify — catalog rows that name a table or column that no longer exists.
--
-- Such a rule protects nothing: the table was dropped, or renamed where no event trigger follows
-- renames (then `integritet sync` moves the rules to the new name, sql/235-follow-renames.sql).
-- privacy.verify() returns these findings with its own.
--
-- needs: 200-masked-views

-- Why invoker: reads the catalog and pg_catalog only, which privacy.verify() (definer) can.
create or replace function privacy.verify_catalog_names()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with named(what, schema_name, table_name, column_name) as (
    -- A tenant column at the end of a tenant path is another table's (sql/226-verify-tenants.sql).
    select 'protection', p.schema_name, p.table_name, p.tenant_column from privacy.protected_table p
    where coalesce(pg_catalog.to_jsonb(p)->'tenant_via', 'null') = 'null'::jsonb
    union all select 'column rule', r.schema_name, r.table_name, r.column_name from privacy.column_rule r
    union all select 'retention policy', r.schema_name, r.table_name, r.anchor_column from privacy.retention_policy r
    union all select 'retention policy', r.schema_name, r.table_name, r.minimum_anchor_column from privacy.retention_policy r
    union all select 'subject type ' || s.name, s.schema_name, s.table_name, s.key_column from privacy.subject_type s
    union all select 'subject link ' || l.subject_type, l.schema_name, l.table_name, l.column_name from privacy.subject_link l
  ),
  resolved as (
    select n.*, pg_catalog.to_regclass(pg_catalog.format('%I.%I', n.schema_name, n.table_name)) as relid from named n
  )
  select distinct 'high'::text, 'catalog_table_missing'::text, pg_catalog.format('%I.%I', r.schema_name, r.table_name),
         pg_catalog.format('a %s names this table, which does not exist: if it was renamed, run integritet sync '
                           '(select * from privacy.sync()) to move its rules; if it was dropped, remove them', r.what)
  from resolved r where r.relid is null
  union all
  select distinct 'high', 'catalog_column_missing', pg_catalog.format('%I.%I.%I', r.schema_name, r.table_name, r.column_name),
         pg_catalog.format('a %s names this column, which does not exist: if it was renamed, run integritet sync '
                           '(select * from privacy.sync()) to move its rules; if it was dropped, remove them', r.what)
  from resolved r
  where r.relid is not null and r.column_name is not null
    and not exists (select from pg_catalog.pg_attribute a
                    where a.attrelid = r.relid and a.attname = r.column_name and a.attnum > 0 and not a.attisdropped)
$$;
comment on function privacy.verify_catalog_names() is
  'Verify findings: catalog rows naming a table or column that no longer exists (renamed or dropped).';

revoke execute on function privacy.verify_catalog_names() from public;
