-- integritet: the tenant of the current transaction.
--
--   begin;
--   select privacy.set_tenant('42');
--   select * from vehicle;        -- only customer 42's vehicles, masked
--   commit;                       -- the tenant ends with the transaction
--
-- set_tenant() is the only way in: it writes the setting `privacy.transaction_tenant`, always
-- transaction-locally, and row-level security reads nothing else. A `SET privacy.tenant = …` (or
-- set_config(…, false)) left on a pooled connection, a connection option or a role default therefore
-- names no tenant at all: the next transaction sees no rows, not another tenant's. What this cannot
-- stop is code that writes `privacy.transaction_tenant` itself for the whole session; privacy.verify()
-- reports role and database defaults of it (finding tenant_set_for_sessions).
--
-- Row-level security evaluates current_tenant() once per statement, as an initplan, so it is written
-- for what a statement costs to start: every function call in it is set up anew (its EXECUTE
-- privilege checked, its definition looked up) each time a statement runs. The whole check, one
-- setting read, NULLIF and the cast, is about 3.4% of the instructions of a masked key lookup
-- (bench/masked-reads-instructions.ts, README "Benchmarks"). Checking on every statement that the
-- tenant was set in this very transaction (a stamp of the transaction's start) cost 2.7% more and
-- was given up for that: it only added a defence against code that writes the setting for a whole
-- session on purpose, and such code can as well call set_tenant() with any tenant.

-- Why invoker: sets a transaction-local setting of the caller's own session.
create or replace function privacy.set_tenant(tenant text)
returns text
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.set_config('privacy.transaction_tenant', coalesce(set_tenant.tenant, ''), true);
$$;
comment on function privacy.set_tenant(text) is
  'Sets the tenant for the rest of the current transaction (and only for it); NULL or '''' sets none.';

-- Inlined into row-level security policies and evaluated once per statement there, as a scalar
-- subquery. The setting reads '' once a transaction that set it has ended; NULLIF makes that no
-- tenant (NULL matches no row) instead of a cast error. The body is SQL-standard (RETURN): it is
-- parsed once, here, and inlined from the stored tree, so NULLIF's `=` is pg_catalog's for good
-- and not looked up again in the search_path of each query that reads a protected table.
-- Why invoker: reads a setting of the caller's own session.
create or replace function privacy.current_tenant()
returns text
language sql stable parallel safe
return NULLIF(pg_catalog.current_setting('privacy.transaction_tenant', true), '');
comment on function privacy.current_tenant() is
  'The tenant set by privacy.set_tenant() in this transaction, or NULL (which matches no row).';

grant execute on function privacy.set_tenant(text), privacy.current_tenant()
  to privacy_masked, privacy_view_owner, privacy_unmasked, privacy_sweeper, privacy_admin;
