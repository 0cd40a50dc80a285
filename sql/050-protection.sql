-- integritet: protecting tables — the tables restricted roles read masked and tenant-isolated.
--
--   select privacy.protect_table('vehicle', tenant_column => 'customer_id');
--
-- This step records the declaration; the masked views, grants and row-level security that
-- enforce it are generated from the catalog.
--
-- needs: 010-names

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
create or replace function privacy.protect_table(table_name text, tenant_column text default null)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(protect_table.table_name) t;
  if protect_table.tenant_column is not null then
    perform privacy.column_type(v_schema, v_table, protect_table.tenant_column);
  end if;
  insert into privacy.protected_table as p (schema_name, table_name, tenant_column)
  values (v_schema, v_table, protect_table.tenant_column)
  on conflict on constraint protected_table_pkey do update
    set tenant_column = excluded.tenant_column
    where p.tenant_column is distinct from excluded.tenant_column;
end
$$;
comment on function privacy.protect_table(text, text) is
  'Protects a table (reads by restricted roles are masked) and names its tenant column, if any.';

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
  privacy.protect_table(text, text),
  privacy.unprotect_table(text)
  to privacy_admin;
