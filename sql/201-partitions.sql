-- integritet: partitions and inheritance children of a protected table.
--
-- Row-level security and grants belong to each table: a partition read by its own name is checked
-- against its own policies and privileges, never its parent's. A partition attached from a
-- staging table granted to PUBLIC, or made under ALTER DEFAULT PRIVILEGES … GRANT SELECT, or
-- reached through GRANT SELECT ON ALL TABLES, would otherwise hand every tenant's raw rows to an
-- application login. So each descendant of a protected table (every level of partitions, and
-- inheritance children) gets what the table has: row-level security with the same policies (the
-- tenant, restricted rows left out by the parent's keys), and no SELECT for anyone but its owner,
-- the views' owner and unmasked staff. Reads through the parent are checked against the parent's
-- policies only, so this costs the masked views nothing.
--
-- privacy.sync_table() calls it on every run, also when the table itself is unchanged, and the
-- event trigger (sql/230-ddl-sync.sql) runs sync_table after ATTACH PARTITION and after a
-- CREATE TABLE … PARTITION OF / INHERITS: a new descendant is covered in the statement that made it.
--
-- needs: 200-masked-views

-- Why invoker: called by privacy.sync_table (definer, the tables' owner). With redo, the policies
-- of every descendant are made anew (the parent's changed); otherwise only descendants that lack
-- them, or hold grants they should not, are touched, so an unchanged sync takes no lock on them.
create or replace function privacy.enforce_descendants(schema_name name, table_name name, redo boolean)
returns integer
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  d record;
  g record;
  v_policy text;
  v_visible text;
  v_done integer := 0;
begin
  for d in
    with recursive descendant(oid) as (
      select i.inhrelid from pg_catalog.pg_inherits i
      where i.inhparent = pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass
      union
      select i.inhrelid from pg_catalog.pg_inherits i join descendant x on i.inhparent = x.oid)
    select c.oid, n.nspname, c.relname, c.relrowsecurity, c.relowner,
           (select pg_catalog.count(*) from pg_catalog.pg_policy p
            where p.polrelid = c.oid and p.polname in ('privacy_rows', 'privacy_unmasked')) as policies
    from descendant x
    join pg_catalog.pg_class c on c.oid = x.oid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    order by n.nspname, c.relname
  loop
    if redo or not d.relrowsecurity or d.policies < 2 then
      -- A tenant path names the row's table: here the descendant.
      v_policy := privacy.tenant_predicate_sql(schema_name, table_name, d.relname);
      v_visible := v_policy || coalesce(' and ' || privacy.restricted_rows_filter_sql(schema_name, table_name, d.relname), '');
      execute pg_catalog.format('drop policy if exists privacy_rows on %I.%I', d.nspname, d.relname);
      execute pg_catalog.format('drop policy if exists privacy_unmasked on %I.%I', d.nspname, d.relname);
      execute pg_catalog.format('create policy privacy_rows on %I.%I for all to privacy_view_owner using (%s) with check (%s)',
                                d.nspname, d.relname, v_visible, v_policy);
      execute pg_catalog.format('create policy privacy_unmasked on %I.%I for select to privacy_unmasked using (true)',
                                d.nspname, d.relname);
      execute pg_catalog.format('alter table %I.%I enable row level security', d.nspname, d.relname);
      v_done := v_done + 1;
    end if;
    -- SELECT on the descendant, table-wide or on columns, for anyone but its owner and the roles
    -- the parent grants it to (a table-level REVOKE takes the column grants with it).
    for g in
      select distinct a.grantee from pg_catalog.aclexplode((select c.relacl from pg_catalog.pg_class c where c.oid = d.oid)) a
      where a.privilege_type = 'SELECT'
      union
      select distinct a.grantee from pg_catalog.pg_attribute t, pg_catalog.aclexplode(t.attacl) a
      where t.attrelid = d.oid and t.attacl is not null and a.privilege_type = 'SELECT'
    loop
      continue when g.grantee = d.relowner
        or g.grantee in (select r.oid from pg_catalog.pg_roles r where r.rolname in ('privacy_view_owner', 'privacy_unmasked'));
      execute pg_catalog.format('revoke select on %I.%I from %s', d.nspname, d.relname,
        case when g.grantee = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) end);
      v_done := v_done + 1;
    end loop;
  end loop;
  return v_done;
end
$$;
comment on function privacy.enforce_descendants(name, name, boolean) is
  'Gives every partition and inheritance child of a protected table its row-level security, and takes SELECT from other roles (internal).';
revoke execute on function privacy.enforce_descendants(name, name, boolean) from public;

-- Why invoker: called by privacy.remove_enforcement (definer, the tables' owner) when a table is
-- no longer protected: its descendants lose the policies enforce_descendants gave them.
create or replace function privacy.remove_descendant_enforcement(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  d record;
begin
  for d in
    with recursive descendant(oid) as (
      select i.inhrelid from pg_catalog.pg_inherits i
      where i.inhparent = pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass
      union
      select i.inhrelid from pg_catalog.pg_inherits i join descendant x on i.inhparent = x.oid)
    select n.nspname, c.relname from descendant x
    join pg_catalog.pg_class c on c.oid = x.oid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  loop
    execute pg_catalog.format('drop policy if exists privacy_rows on %I.%I', d.nspname, d.relname);
    execute pg_catalog.format('drop policy if exists privacy_unmasked on %I.%I', d.nspname, d.relname);
  end loop;
end
$$;
comment on function privacy.remove_descendant_enforcement(name, name) is
  'Drops the policies enforce_descendants gave the partitions and children of a table (internal).';
revoke execute on function privacy.remove_descendant_enforcement(name, name) from public;

-- Why invoker: reads the catalog. The protected tables `relation` descends from, nearest first.
create or replace function privacy.protected_ancestors(relation oid)
returns table (schema_name name, table_name name)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with recursive ancestor(oid, depth) as (
    select i.inhparent, 1 from pg_catalog.pg_inherits i where i.inhrelid = relation
    union
    select i.inhparent, a.depth + 1 from pg_catalog.pg_inherits i join ancestor a on i.inhrelid = a.oid)
  select p.schema_name, p.table_name
  from ancestor a
  join pg_catalog.pg_class c on c.oid = a.oid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join privacy.protected_table p on p.schema_name = n.nspname and p.table_name = c.relname
  order by a.depth
$$;
comment on function privacy.protected_ancestors(oid) is
  'The protected tables a partition or inheritance child descends from (internal).';
revoke execute on function privacy.protected_ancestors(oid) from public;
