-- integritet: verify — protected tables whose rows every tenant reads.
--
-- A protected table isolates tenants only when its tenant is declared: a column of its own, or
-- one a path of foreign keys leads to (sql/206-tenant-paths.sql). Without either, its policy
-- lets every tenant read every row (masked): right for reference data, which is then declared
-- `shared`, and wrong for anything that belongs to a tenant. So an undeclared one is reported as
-- medium: the rows stay masked (which is why it is not high, and why verify still exits 0), but
-- one tenant reads the other tenants' rows, and nothing tells a DBA which was meant. A path
-- that no longer holds (a foreign key dropped, a column renamed on a table nobody protected)
-- is high: its policy lets no row through until it is declared anew.
--
-- The child's foreign-key column needs no index for the policy: the lookup goes from the row to
-- its parent by the parent's key, which the foreign key requires to be unique (indexed). verify
-- therefore does not report it.
--
-- needs: 050-protection, 206-tenant-paths

-- Why invoker: reads the catalog and pg_catalog only, which privacy.verify() (definer) can.
create or replace function privacy.verify_tenants()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with declared as (
    select p.schema_name, p.table_name, d.tenant_column, d.tenant_via, d.shared
    from privacy.protected_table p
    cross join lateral privacy.tenant_declaration(p.schema_name, p.table_name) d
    where pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name)) is not null
  )
  select 'medium'::text, 'protected_table_without_tenant'::text, pg_catalog.format('%I.%I', d.schema_name, d.table_name),
         pg_catalog.format('every tenant sees its rows (masked): it has no tenant column, no tenant path and is not declared shared. '
                           'Declare its tenant: select privacy.protect_table(%L, tenant_column => ...), or one foreign keys away '
                           '(tenant_via => ''{...}''), or declare it shared reference data: select privacy.protect_table(%L, shared => true)',
                           pg_catalog.format('%I.%I', d.schema_name, d.table_name), pg_catalog.format('%I.%I', d.schema_name, d.table_name))
  from declared d
  where d.tenant_column is null and not d.shared
  union all
  select 'high', 'tenant_path_broken', pg_catalog.format('%I.%I', d.schema_name, d.table_name),
         pg_catalog.format('its tenant path %s → %s no longer follows foreign keys (hop %s, column %I, is not one), so restricted roles read none of its rows: '
                           'restore the foreign key, or declare the path anew: select privacy.protect_table(%L, tenant_column => %L, tenant_via => %L)',
                           pg_catalog.array_to_string(d.tenant_via, ' → '), d.tenant_column, h.hops + 1, d.tenant_via[h.hops + 1],
                           pg_catalog.format('%I.%I', d.schema_name, d.table_name), d.tenant_column, d.tenant_via::text)
  from declared d
  cross join lateral (select pg_catalog.count(*)::integer as hops
                      from privacy.tenant_path_hops(d.schema_name, d.table_name, d.tenant_via) x) h
  where d.tenant_via is not null and h.hops < pg_catalog.cardinality(d.tenant_via)
  union all
  select 'high', 'tenant_path_broken', pg_catalog.format('%I.%I', d.schema_name, d.table_name),
         pg_catalog.format('the table its tenant path %s leads to has no column %I, so restricted roles read none of its rows: '
                           'declare the path anew with privacy.protect_table(%L, tenant_column => ..., tenant_via => %L)',
                           pg_catalog.array_to_string(d.tenant_via, ' → '), d.tenant_column,
                           pg_catalog.format('%I.%I', d.schema_name, d.table_name), d.tenant_via::text)
  from declared d
  cross join lateral (select x.parent, pg_catalog.count(*) over () as hops
                      from privacy.tenant_path_hops(d.schema_name, d.table_name, d.tenant_via) x
                      order by x.hop desc limit 1) l
  where d.tenant_via is not null and l.hops = pg_catalog.cardinality(d.tenant_via)
    and not exists (select from pg_catalog.pg_attribute a
                    where a.attrelid = l.parent and a.attname = d.tenant_column and a.attnum > 0 and not a.attisdropped)
$$;
comment on function privacy.verify_tenants() is
  'Verify findings: protected tables every tenant reads (no tenant declared), and tenant paths that no longer hold.';

revoke execute on function privacy.verify_tenants() from public;
