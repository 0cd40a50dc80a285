-- integritet: why a sweep run failed, and what to do about it, for everyone who must say so.
--
--   select * from privacy.sweep_failure(42);        -- the run's table, error and what to do
--
-- A failed sweep must never print as success: `integritet sweep`, `status`, the worker and the
-- demo all show the error and the advice from here. Errors hold only a SQLSTATE and the name of
-- the constraint (or column) that refused the change, never a value of a row.
--
-- needs: 220-verify

-- Why invoker: pure text. What to do about a sweep error, judged by its SQLSTATE.
create or replace function privacy.sweep_failure_hint(error text)
returns text
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select case
    when error is null then null
    when error ~ '(^|: )23514' then
      'a CHECK constraint refuses the anonymized value: give the column an anonymize strategy that passes it '
      '(integritet lint names the column and suggests one), or classify it not_personal'
    when error ~ '(^|: )23502' then
      'a NOT NULL column would become NULL: give it an anonymize strategy that fills a value (e.g. redact or fake)'
    when error ~ '(^|: )23505' then
      'a UNIQUE constraint refuses the same anonymized value twice: use a strategy unique per row '
      '(pseudonym, or one with unique => true)'
    when error ~ '(^|: )23503' then
      'a foreign key refuses the change: classify the key column not_personal, or sweep the referencing table first'
    when error ~ '(^|: )(22001|22003|22P02|22007|22008)' then
      'the anonymized value does not fit the column''s type: choose a strategy of the column''s type'
    when error ~ '(^|: )(55P03|40P01|40001)' or error like '%locked by other transactions%' then
      'the application kept these rows locked: run the sweep again later'
    when error like 'the retention policy changed%' then
      'the policy changed while it ran: run the sweep again'
    else 'see the error; integritet lint and privacy.verify() check the policy, then run the sweep again'
  end
$$;
comment on function privacy.sweep_failure_hint(text) is 'What to do about a sweep run''s error, by its SQLSTATE.';

-- Why definer: privacy_sweeper members, who run sweeps, may not read privacy.sweep_run; the
-- error is a SQLSTATE and a constraint name, never a value.
create or replace function privacy.sweep_failure(run_id bigint)
returns table (relation text, error text, hint text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format('%I.%I', r.schema_name, r.table_name), r.error, privacy.sweep_failure_hint(r.error)
  from privacy.sweep_run r
  where r.id = sweep_failure.run_id and r.phase = 'failed'
$$;
comment on function privacy.sweep_failure(bigint) is 'A failed sweep run''s table, error (SQLSTATE and constraint) and what to do.';

revoke execute on function privacy.sweep_failure_hint(text), privacy.sweep_failure(bigint) from public;
grant execute on function privacy.sweep_failure_hint(text), privacy.sweep_failure(bigint) to privacy_sweeper, privacy_admin;
