-- integritet: the tenant of the current transaction.
--
--   begin;
--   select privacy.set_tenant('42');
--   select * from vehicle;        -- only customer 42's vehicles, masked
--   commit;                       -- the tenant ends with the transaction
--
-- set_tenant() is the only way in: it writes the setting `privacy.transaction_tenant` and, beside
-- it, `privacy.tenant_stamp`, the start of the transaction it runs in, both transaction-locally;
-- row-level security reads the tenant only while the stamp is the current transaction's. A value
-- that outlives its transaction therefore names no tenant, whoever wrote it: a session-level
-- `SET privacy.transaction_tenant = …` (or set_config(…, false)) left on a connection that a
-- transaction pooler hands to the next client, a connection option, a role default, even both
-- settings copied from an earlier transaction. The next transaction sees no rows, not another
-- tenant's.
--
-- The stamp is the transaction's start (CURRENT_TIMESTAMP, the same for all of it, another for
-- the next) as seconds since the epoch, a numeric written the same whatever TimeZone, DateStyle
-- or extra_float_digits the transaction sets afterwards. txid_current_if_assigned() would be no
-- marker: a read-only transaction has no transaction id, and assigning one costs every such
-- transaction a commit record (and is impossible on a hot standby).
--
-- Row-level security evaluates current_tenant() once per statement, as an initplan, so it is written
-- for what a statement costs to start: every function call in it is set up anew (its EXECUTE
-- privilege checked, its definition looked up) each time a statement runs. The check is one
-- setting read compared with the stamp, and the tenant read when they match; what it costs in a
-- masked key lookup is measured in bench/masked-reads-instructions.ts (README "Benchmarks").

-- Why invoker: sets two transaction-local settings of the caller's own session. No tenant ('' or
-- NULL) gets no stamp, so current_tenant() never returns ''.
create or replace function privacy.set_tenant(tenant text)
returns text
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.set_config('privacy.tenant_stamp',
                               case when coalesce(set_tenant.tenant, '') = '' then ''
                                    else extract(epoch from CURRENT_TIMESTAMP)::text end,
                               true);
  select pg_catalog.set_config('privacy.transaction_tenant', coalesce(set_tenant.tenant, ''), true);
$$;
comment on function privacy.set_tenant(text) is
  'Sets the tenant for the rest of the current transaction (and only for it); NULL or '''' sets none.';

-- Inlined into row-level security policies and evaluated once per statement there, as a scalar
-- subquery: NULL (no row matches) unless privacy.tenant_stamp is this transaction's stamp. The
-- body is SQL-standard (RETURN): it is parsed once, here, and inlined from the stored tree, so
-- its `=` and extract() are pg_catalog's for good and not looked up again in the search_path of
-- each query that reads a protected table.
-- Why invoker: reads settings of the caller's own session.
create or replace function privacy.current_tenant()
returns text
language sql stable parallel safe
return CASE WHEN pg_catalog.current_setting('privacy.tenant_stamp', true) = extract(epoch from CURRENT_TIMESTAMP)::text
            THEN pg_catalog.current_setting('privacy.transaction_tenant', true) END;
comment on function privacy.current_tenant() is
  'The tenant set by privacy.set_tenant() in this transaction, or NULL (which matches no row).';

grant execute on function privacy.set_tenant(text), privacy.current_tenant()
  to privacy_masked, privacy_view_owner, privacy_unmasked, privacy_sweeper, privacy_admin;
