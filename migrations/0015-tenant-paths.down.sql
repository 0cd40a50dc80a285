-- integritet 0015 down: a tenant through foreign keys cannot be expressed before 0015, and such
-- a table without it would be read by every tenant. The step refuses while one is declared:
-- give those tables a tenant column of their own, or unprotect them, first.

do $down$
declare
  v_tables text;
begin
  select pg_catalog.string_agg(pg_catalog.format('%I.%I', p.schema_name, p.table_name), ', ' order by p.schema_name, p.table_name)
    into v_tables
  from privacy.protected_table p where p.tenant_via is not null;
  if v_tables is not null then
    raise exception using errcode = 'PV013',
      message = pg_catalog.format('these tables reach their tenant through foreign keys, which migrations before 0015 cannot enforce: %s', v_tables),
      hint = 'Unprotect them, or give each a tenant column of its own (privacy.protect_table(..., tenant_column => ...)), then migrate down again.';
  end if;
end
$down$;

alter table privacy.protected_table drop constraint protected_table_tenant_check;
alter table privacy.protected_table drop column tenant_via, drop column shared;
comment on column privacy.protected_table.tenant_column is null;
