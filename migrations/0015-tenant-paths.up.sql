-- integritet 0015: a tenant one or more foreign keys away, and tables declared shared.
--
-- * protected_table.tenant_via: the foreign-key columns followed from the table to the one that
--   holds the tenant, in order (rental: {customer_id}; film_review: {rental_id, customer_id});
--   tenant_column is then a column of that last table. NULL: tenant_column is the table's own.
-- * protected_table.shared: the table has no tenant on purpose (reference data every tenant
--   reads). A protected table with neither a tenant nor this declaration is reported by
--   privacy.verify() and privacy.status(): every tenant reads its rows.

alter table privacy.protected_table
  add column tenant_via name[],
  add column shared boolean not null default false,
  add constraint protected_table_tenant_check
    check ((tenant_via is null or (tenant_column is not null and pg_catalog.cardinality(tenant_via) > 0))
           and not (shared and tenant_column is not null));
comment on column privacy.protected_table.tenant_column is
  'The column holding each row''s tenant: of the table itself, or of the last table of tenant_via.';
comment on column privacy.protected_table.tenant_via is
  'Foreign-key columns followed, hop by hop, to the table that holds tenant_column; NULL: the column is the table''s own.';
comment on column privacy.protected_table.shared is
  'Declared without a tenant on purpose: every tenant reads its rows (reference data).';
