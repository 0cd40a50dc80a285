-- integritet: protected tables keep their rules through ALTER TABLE … RENAME, RENAME COLUMN and
-- SET SCHEMA.
--
-- The catalog names tables and columns. A rename keeps a table's OID and its columns' attribute
-- numbers, so sync_table() remembers both in privacy.enforcement (migration 0010); after a rename,
-- the DDL event trigger (superuser installs) or privacy.sync() (`integritet sync`) finds the
-- table under its new name, moves every catalog row to it, and the masked view follows (it is
-- named after its table). Every move is written to the ledger by the catalog's audit triggers.
-- Until then the old view keeps working: a view follows its table's OID as well.
--
-- needs: 206-tenant-paths
-- uses later: 320-retention-guards

-- Why invoker: called by sync_table (definer) only; writes the catalog its caller owns.
create or replace function privacy.remember_table_identity(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_relid oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name));
begin
  -- Below migration 0010 (a down step regenerating views) there is nothing to remember it in.
  if not exists (select from pg_catalog.pg_attribute a
                 where a.attrelid = 'privacy.enforcement'::pg_catalog.regclass and a.attname = 'relid' and not a.attisdropped) then
    return;
  end if;
  update privacy.enforcement e
  set relid = v_relid,
      column_names = (select pg_catalog.jsonb_object_agg(a.attnum::text, a.attname::text)
                      from pg_catalog.pg_attribute a
                      where a.attrelid = v_relid and a.attnum > 0 and not a.attisdropped)
  where e.schema_name = remember_table_identity.schema_name and e.table_name = remember_table_identity.table_name;
end
$$;
comment on function privacy.remember_table_identity(name, name) is
  'Records a protected table''s OID and column names, by which a rename is recognised (internal).';

-- Why definer: moves catalog rows and drops the generated view of the old name, which needs the
-- installing role's rights; called by the DDL event trigger and by privacy.sync().
create or replace function privacy.follow_renames()
returns table (renamed text, now_named text)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  e record;
  c record;
  t record;
begin
  if not exists (select from pg_catalog.pg_attribute a
                 where a.attrelid = 'privacy.enforcement'::pg_catalog.regclass and a.attname = 'relid' and not a.attisdropped) then
    return;
  end if;
  for e in
    select x.schema_name, x.table_name, x.view_name, x.relid, x.column_names, n.nspname as now_schema, k.relname as now_table
    from privacy.enforcement x
    join pg_catalog.pg_class k on k.oid = x.relid
    join pg_catalog.pg_namespace n on n.oid = k.relnamespace
    where x.relid is not null
  loop
    -- Columns first, under the table's old name: each catalog column that names one.
    for c in
      select o.value #>> '{}' as was, a.attname::text as now
      from pg_catalog.jsonb_each(e.column_names) o
      join pg_catalog.pg_attribute a on a.attrelid = e.relid and a.attnum = o.key::int and not a.attisdropped
      where a.attname::text <> o.value #>> '{}'
    -- The tenant column first, since every regeneration the updates below trigger builds the
    -- tenant filter from it; the column rules last, each making the view again.
    loop
      -- A tenant column of the table's own; one on a tenant path, through it or ending in it.
      update privacy.protected_table r set tenant_column = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.tenant_column = c.was
        and coalesce(pg_catalog.to_jsonb(r)->'tenant_via', 'null') = 'null'::jsonb;
      perform privacy.follow_tenant_path_rename(e.relid, c.was::name, c.now::name);
      update privacy.subject_link r set column_name = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.column_name = c.was;
      update privacy.subject_type r set key_column = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.key_column = c.was;
      update privacy.retention_policy r set anchor_column = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.anchor_column = c.was;
      update privacy.retention_policy r set minimum_anchor_column = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.minimum_anchor_column = c.was;
      update privacy.column_rule r set column_name = c.now
      where r.schema_name = e.schema_name and r.table_name = e.table_name and r.column_name = c.was;
      renamed := pg_catalog.format('%I.%I.%I', e.schema_name, e.table_name, c.was);
      now_named := pg_catalog.format('%I.%I.%I', e.schema_name, e.table_name, c.now);
      return next;
    end loop;

    continue when e.now_schema = e.schema_name and e.now_table = e.table_name;
    -- The view of the old name goes; the enforcement row moves first, so that the catalog
    -- triggers below regenerate the view under the new name rather than make a second row.
    execute pg_catalog.format('drop view if exists masked.%I', e.view_name);
    execute pg_catalog.format('drop function if exists masked.%I()', e.view_name || '_write');
    update privacy.enforcement x set schema_name = e.now_schema, table_name = e.now_table, view_name = e.now_table,
                                     definition_hash = ''
    where x.relid = e.relid;
    -- Then the protection, whose trigger makes the view under the new name; the rules after it,
    -- whose triggers make it again with each rule in place. (Rules moved before the protection
    -- would find their table unprotected, and its enforcement removed.)
    update privacy.protected_table p set schema_name = e.now_schema, table_name = e.now_table
    where p.schema_name = e.schema_name and p.table_name = e.table_name;
    -- Every other table of the toolkit that names tables by (schema_name, table_name), but the
    -- append-only ledger, whose entries keep the name the table had then.
    for t in
      select k.relname from pg_catalog.pg_class k
      where k.relnamespace = 'privacy'::pg_catalog.regnamespace and k.relkind in ('r', 'p')
        and k.relname not in ('enforcement', 'ledger', 'protected_table')
        and (select pg_catalog.count(*) from pg_catalog.pg_attribute a
             where a.attrelid = k.oid and a.attname in ('schema_name', 'table_name') and not a.attisdropped) = 2
      order by k.relname
    loop
      execute pg_catalog.format('update privacy.%I set schema_name = $1, table_name = $2 where schema_name = $3 and table_name = $4',
                                t.relname)
        using e.now_schema, e.now_table, e.schema_name, e.table_name;
    end loop;
    update privacy.subject_path p set parent_schema = e.now_schema, parent_table = e.now_table
    where p.parent_schema = e.schema_name and p.parent_table = e.table_name;
    if exists (select from privacy.retention_policy r where r.schema_name = e.now_schema and r.table_name = e.now_table) then
      perform privacy.install_retention_guards(e.now_schema, e.now_table);
    end if;
    renamed := pg_catalog.format('%I.%I', e.schema_name, e.table_name);
    now_named := pg_catalog.format('%I.%I', e.now_schema, e.now_table);
    return next;
  end loop;
end
$$;
comment on function privacy.follow_renames() is
  'Moves the catalog rows of protected tables renamed (or whose columns were) to their new names.';

revoke execute on function privacy.remember_table_identity(name, name), privacy.follow_renames() from public;
