-- integritet: what an erasure did to each column of the rows it anonymized — which it changed and
-- which it left as they were, and why — so that a personnummer left verbatim in an "anonymized"
-- row is stated in the report, not hidden behind the row count.
--
-- A column is reported when it is personal: classified in a personal category, or not classified
-- at all (the toolkit treats those as personal), except the key, anchor and filter columns the
-- retention policy keeps, which are reported only when classified personal (an `id` nobody
-- classified is no news; a personnummer as the key is). Columns classified not personal are left
-- out: they are kept on purpose.
-- Why a column is left as it was:
--   strategy keep                          its declared strategy keeps it (an amount, say)
--   cannot be anonymized: <problem>        no usable strategy (NOT NULL without one, a type the
--                                          strategy does not take …), as privacy.anonymize_columns says
--   <kind> <constraint> refuses its anonymized value
--                                          tried, and a constraint refused it (the row is kept,
--                                          anonymized in part, because other rows reference it)
--   a foreign key / links the row to its subject
--                                          what a row kept because others reference it keeps
--   the key / the retention anchor / the retention policy's filter reads it
--                                          what identifies the row and when it expires
-- A line none of whose columns changed (a table with nothing personal left to anonymize) is
-- reported `unchanged`, never `anonymized`.
--
-- needs: 410-subject-rows

-- Why invoker: called by erase_subject_rows (definer), for a line it reports. `plan` is the
-- table's erasure plan with `columns` (privacy.erasure_anonymize_columns: how each column is
-- anonymized, or its problem); `left_as_is` the columns of those that were not written, and why
-- ([{column, why}]; empty when the whole SET list was). Returns {outcome, changed, unchanged}:
-- `anonymized` or `unchanged`, the names of the columns changed, and [{column, why}] for the
-- columns left as they were, both in column order.
create or replace function privacy.erasure_column_report(plan privacy.table_erasure_plan, left_as_is jsonb default '[]')
returns jsonb
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with policy as (
    select p.anchor_column, p.minimum_anchor_column from privacy.retention_policy p
    where p.schema_name = plan.schema_name and p.table_name = plan.table_name),
  col as (
    select a.attnum, a.attname, k.personal, r.anonymize_strategy,
           exists (select from pg_catalog.unnest(plan.columns) c where c.column_name = a.attname) as planned,
           (select c.problem from pg_catalog.unnest(plan.columns) c where c.column_name = a.attname) as planned_problem,
           (select l->>'why' from pg_catalog.jsonb_array_elements(coalesce(left_as_is, '[]')) l
            where l->>'column' = a.attname limit 1) as left_why,
           a.attidentity <> '' as is_identity, a.attgenerated <> '' as is_generated,
           exists (select from privacy.primary_key_columns(plan.schema_name, plan.table_name) pk
                   where pk.column_name = a.attname) as is_key,
           a.attname in (select x from policy, pg_catalog.unnest(array[policy.anchor_column, policy.minimum_anchor_column]) x) as is_anchor
    from pg_catalog.pg_attribute a
    left join privacy.column_rule r on r.schema_name = plan.schema_name and r.table_name = plan.table_name
                                   and r.column_name = a.attname
    left join privacy.category k on k.name = r.category
    where a.attrelid = plan.relid and a.attnum > 0 and not a.attisdropped
      and coalesce(k.personal, true)),
  judged as (
    select c.attnum, c.attname,
           case
             when c.left_why is not null then c.left_why
             when not c.planned then
               case when c.personal is not true then null  -- kept by the plan, and not classified personal
                    when c.is_key then 'the key'
                    when c.is_identity then 'an identity column'
                    when c.is_generated then 'generated from other columns'
                    when c.is_anchor then 'the retention anchor'
                    else 'the retention policy''s filter reads it' end
             when c.planned_problem is not null then 'cannot be anonymized: ' || c.planned_problem
             when c.anonymize_strategy = 'keep' then 'strategy keep'
           end as why,
           c.planned and c.left_why is null and c.planned_problem is null
             and c.anonymize_strategy is distinct from 'keep' as changed
    from col c)
  select pg_catalog.jsonb_build_object(
    'outcome', case when pg_catalog.bool_or(j.changed) then 'anonymized' else 'unchanged' end,
    'changed', coalesce(pg_catalog.jsonb_agg(j.attname order by j.attnum) filter (where j.changed), '[]'),
    'unchanged', coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('column', j.attname, 'why', j.why) order by j.attnum)
                            filter (where not j.changed and j.why is not null), '[]'))
  from judged j
$$;
comment on function privacy.erasure_column_report(privacy.table_erasure_plan, jsonb) is
  'Which columns an erasure changed in a table''s anonymized rows and which it left as they were, and why (internal).';

-- Why invoker: called by erasure_anonymize_partly. Why a constraint refused a column's anonymized
-- value, from the error's SQLSTATE and constraint name: object names, never values (the report
-- goes to the ledger).
create or replace function privacy.erasure_refusal(sqlstate text, constraint_name text)
returns text
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select case
    when sqlstate = '23502' then 'NOT NULL refuses its anonymized value'
    when coalesce(constraint_name, '') = '' then pg_catalog.format('a trigger or rule refuses its anonymized value (SQLSTATE %s)', sqlstate)
    else pg_catalog.format('%s %s refuses its anonymized value',
                           case sqlstate when '23505' then 'unique' when '23514' then 'check' when '23P01' then 'exclusion'
                                         when '23503' then 'foreign key' else 'constraint' end,
                           constraint_name)
  end
$$;
comment on function privacy.erasure_refusal(text, text) is
  'Why a constraint refused an erasure''s anonymized value, named without values (internal).';

-- Why invoker: for the erasure functions' results. A report line's `changed` (a JSON array of
-- names) as the text[] they return; NULL for lines without one.
create or replace function privacy.erasure_report_columns(changed jsonb)
returns text[]
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select case when pg_catalog.jsonb_typeof(changed) = 'array'
              then array(select c from pg_catalog.jsonb_array_elements_text(changed) with ordinality as x(c, o) order by x.o) end
$$;
comment on function privacy.erasure_report_columns(jsonb) is
  'The columns an erasure report line changed, as text[] (internal).';

revoke execute on function privacy.erasure_column_report(privacy.table_erasure_plan, jsonb), privacy.erasure_refusal(text, text),
  privacy.erasure_report_columns(jsonb) from public;
