-- integritet: the tenant of the current transaction.
--
--   begin;
--   select privacy.set_tenant('42');
--   select * from vehicle;        -- only customer 42's vehicles, masked
--   commit;                       -- the tenant ends with the transaction
--
-- The tenant counts only in the transaction that set it: set_tenant() stamps it with that
-- transaction's start time, and row-level security ignores a tenant without the current stamp.
-- A session-level `SET privacy.tenant = …` left on a pooled connection therefore shows the
-- next transaction nothing, instead of another tenant's rows. The stamp is the start time in its
-- binary form (hex), not as text: text follows TimeZone and DateStyle, which the transaction may
-- change after set_tenant().
--
-- Row-level security evaluates current_tenant() once per statement, so it is written for what a
-- statement costs to start: each function call in it is set up anew (its EXECUTE privilege
-- checked, its definition looked up) every time a statement runs. CURRENT_TIMESTAMP (the same
-- value as now()) is no function call, and an empty tenant gets an empty stamp, so no NULLIF is
-- needed to turn '' into no tenant. The whole check is about 5% of the instructions of a masked key
-- lookup, half of it the stamp (bench/masked-reads-instructions.ts, README "Benchmarks").

-- Why invoker: sets two transaction-local settings of the caller's own session.
create or replace function privacy.set_tenant(tenant text)
returns text
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.set_config('privacy.tenant_stamp',
                               case when set_tenant.tenant OPERATOR(pg_catalog.<>) ''
                                    then pg_catalog.encode(pg_catalog.timestamptz_send(CURRENT_TIMESTAMP), 'hex') else '' end,
                               true);
  select pg_catalog.set_config('privacy.tenant', coalesce(set_tenant.tenant, ''), true);
$$;
comment on function privacy.set_tenant(text) is
  'Sets the tenant for the rest of the current transaction (and only for it); NULL or '''' sets none.';

-- Inlined into row-level security policies (hence no SET clause: every name is qualified), and
-- evaluated once per statement there, as a scalar subquery.
-- Why invoker: reads settings of the caller's own session.
create or replace function privacy.current_tenant()
returns text
language sql stable parallel safe
as $$
  select case when pg_catalog.current_setting('privacy.tenant_stamp', true)
                   OPERATOR(pg_catalog.=) pg_catalog.encode(pg_catalog.timestamptz_send(CURRENT_TIMESTAMP), 'hex')
              then pg_catalog.current_setting('privacy.tenant', true) end
$$;
comment on function privacy.current_tenant() is
  'The tenant set by privacy.set_tenant() in this transaction, or NULL (which matches no row).';

grant execute on function privacy.set_tenant(text), privacy.current_tenant()
  to privacy_masked, privacy_view_owner, privacy_unmasked, privacy_sweeper, privacy_admin;
