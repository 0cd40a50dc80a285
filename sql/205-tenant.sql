-- integritet: the tenant of the current transaction.
--
--   begin;
--   select privacy.set_tenant('42');
--   select * from vehicle;        -- only customer 42's vehicles, masked
--   commit;                       -- the tenant ends with the transaction
--
-- set_tenant() is the only way in: it writes the setting `privacy.transaction_tenant`,
-- transaction-locally, as the tenant behind a stamp of the transaction it runs in (its start,
-- CURRENT_TIMESTAMP: the same for all of it, another for the next), and row-level security reads
-- the tenant only behind the current transaction's stamp. A value that outlives its transaction
-- therefore names no tenant, whoever wrote it: a session-level `SET privacy.transaction_tenant = …`
-- (or set_config(…, false)) left on a connection that a transaction pooler hands to the next
-- client, a connection option, a role default, even a value copied from an earlier transaction.
-- The next transaction sees no rows, not another tenant's.
--
-- The stamp is the start's binary form in hex: its text form would follow TimeZone and DateStyle,
-- which the transaction may change after set_tenant(). txid_current_if_assigned() would be no
-- marker: a read-only transaction has no transaction id, and assigning one costs every such
-- transaction a commit record (and is impossible on a hot standby).
--
-- Row-level security evaluates current_tenant() once per statement, as an initplan, so it is written
-- for what a statement costs to start: every function call in it is set up anew (its EXECUTE
-- privilege checked, its definition looked up) each time a statement runs. Read for each row
-- instead, it would cost a full scan more than its 1.10x target; with the stamp it costs about
-- 18,800 instructions a statement, the cheapest safe form of those measured in
-- bench/results/row-policy-and-tenant-stamp.md (a second setting for the stamp, seconds since
-- the epoch, the start as text, which is also wrong once the transaction changes its time zone,
-- and parsing the stamp back into a timestamp all cost more).
--
-- needs: none

-- Why invoker: sets a transaction-local setting of the caller's own session. No tenant ('' or
-- NULL) is written without a stamp, which current_tenant() reads as none.
-- The body is SQL-standard (RETURN) and has no SET clause: it is parsed once, here, with every
-- function and operator qualified, so the caller's search_path cannot redirect it, and the planner
-- inlines it into the caller's statement instead of starting a SQL function for each call (a
-- transaction that sets its tenant and reads one row by key ran about 40% fewer instructions).
create or replace function privacy.set_tenant(tenant text)
returns text
language sql volatile
return pg_catalog.set_config('privacy.transaction_tenant',
                             case when COALESCE(set_tenant.tenant, '') OPERATOR(pg_catalog.=) '' then ''
                                  else pg_catalog.encode(pg_catalog.timestamptz_send(CURRENT_TIMESTAMP), 'hex')
                                       OPERATOR(pg_catalog.||) set_tenant.tenant end,
                             true);
comment on function privacy.set_tenant(text) is
  'Sets the tenant for the rest of the current transaction (and only for it); NULL or '''' sets none.';

-- Inlined into row-level security policies and evaluated once per statement there, as a scalar
-- subquery: what follows this transaction's stamp in the setting, or NULL (no row matches) when
-- the stamp is not there (split_part() gives '' then, and NULLIF makes that NULL instead of a
-- cast error). The body is SQL-standard (RETURN): it is parsed once, here, and inlined from the
-- stored tree, so its functions are pg_catalog's for good and not looked up again in the
-- search_path of each query that reads a protected table.
-- Why invoker: reads a setting of the caller's own session.
create or replace function privacy.current_tenant()
returns text
language sql stable parallel safe
return NULLIF(pg_catalog.split_part(pg_catalog.current_setting('privacy.transaction_tenant', true),
                                    pg_catalog.encode(pg_catalog.timestamptz_send(CURRENT_TIMESTAMP), 'hex'), 2), '');
comment on function privacy.current_tenant() is
  'The tenant set by privacy.set_tenant() in this transaction, or NULL (which matches no row).';

grant execute on function privacy.set_tenant(text), privacy.current_tenant()
  to privacy_masked, privacy_view_owner, privacy_unmasked, privacy_sweeper, privacy_admin;
