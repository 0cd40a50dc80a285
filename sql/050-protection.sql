-- integritet: protecting tables — the tables restricted roles read masked and tenant-isolated.
--
--   select privacy.protect_table('vehicle', tenant_column => 'customer_id');
--   select privacy.protect_table('rental', tenant_column => 'store_id', tenant_via => '{customer_id}');
--   select privacy.protect_table('film', shared => true);
--
-- This step records the declaration; the masked views, grants and row-level security that
-- enforce it are generated from the catalog.
--
-- needs: 010-names
-- uses later: 206-tenant-paths

-- Before 0015 protect_table took no tenant path; a second overload would make calls ambiguous.
drop function if exists privacy.protect_table(text, text);

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
-- The tenant is a column of the table (tenant_column), or of the table a path of foreign keys
-- leads to (tenant_via: the foreign-key columns, hop by hop, sql/206-tenant-paths.sql; PV016 when
-- a hop has no foreign key); `shared => true` declares that the table has no tenant on purpose.
create or replace function privacy.protect_table(table_name text, tenant_column text default null,
                                                 tenant_via text[] default null, shared boolean default false)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
  v_via    name[] := nullif(protect_table.tenant_via, '{}')::name[];
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(protect_table.table_name) t;
  if protect_table.shared and (protect_table.tenant_column is not null or v_via is not null) then
    raise exception using errcode = 'PV011', schema = v_schema, table = v_table,
      message = pg_catalog.format('%I.%I cannot be shared and have a tenant: declare one or the other', v_schema, v_table);
  end if;
  if v_via is not null and protect_table.tenant_column is null then
    raise exception using errcode = 'PV011', schema = v_schema, table = v_table,
      message = pg_catalog.format('tenant path of %I.%I leads to no column: name the tenant column of its last table (tenant_column)',
                                  v_schema, v_table);
  end if;
  if v_via is not null then
    perform privacy.check_tenant_path(v_schema, v_table, v_via, protect_table.tenant_column);
  elsif protect_table.tenant_column is not null then
    perform privacy.column_type(v_schema, v_table, protect_table.tenant_column);
  end if;
  insert into privacy.protected_table as p (schema_name, table_name, tenant_column, tenant_via, shared)
  values (v_schema, v_table, protect_table.tenant_column, v_via, protect_table.shared)
  on conflict on constraint protected_table_pkey do update
    set tenant_column = excluded.tenant_column, tenant_via = excluded.tenant_via, shared = excluded.shared
    where (p.tenant_column, p.tenant_via, p.shared) is distinct from (excluded.tenant_column, excluded.tenant_via, excluded.shared);
end
$$;
comment on function privacy.protect_table(text, text, text[], boolean) is
  'Protects a table (reads by restricted roles are masked) and declares its tenant: a column, a path of foreign keys to one, or shared.';

-- Why definer: as protect_table.
create or replace function privacy.unprotect_table(table_name text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(unprotect_table.table_name) t;
  delete from privacy.protected_table p where p.schema_name = v_schema and p.table_name = v_table;
  return found;
end
$$;
comment on function privacy.unprotect_table(text) is 'Removes a table''s protection. True if it was protected.';

-- The declaration API, for admins.
grant execute on function
  privacy.protect_table(text, text, text[], boolean),
  privacy.unprotect_table(text)
  to privacy_admin;
