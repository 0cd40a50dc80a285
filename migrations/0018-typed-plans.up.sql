-- integritet 0018: the retention plan and the erasure plan as composite types, not jsonb.
--
-- What a sweep, a guard, retention_of() or an erasure knows about a table (sql/300-retention-plan.sql,
-- sql/440-subject-erasure.sql) travelled between the toolkit's functions as jsonb, read back
-- with `plan->>'…'` and casts: a misspelt field was NULL, not an error, and plpgsql_check could
-- not see it. These types give every field a name and a type that the functions are checked
-- against.
--
-- Made only where missing: after `migrate down` the definitions of sql/ stay installed, and they
-- use these types (0018 down keeps them; see there), so the next `up` finds them in place.
-- The functions that took or returned the jsonb shapes go here; sql/ creates the typed ones right
-- after (a result type cannot be replaced in place, and an old jsonb overload would linger).

do $types$
declare
  t record;
begin
  for t in
    select x.name, x.body
    from (values
      (1, 'plan_column', 'name name, type text'),
      (2, 'retention_minimum', 'name text, column_name name, ends_sql text, ends_sql_old text'),
      (3, 'plan_link', 'column_name name, subject_type text, ids_sql text'),
      (4, 'plan_reference', 'relation text, predicate text'),
      (5, 'table_retention_plan',
          'schema_name name, table_name name, object text, relid oid, partitioned boolean, action text, '
          'keep interval, time_zone text, anchor name, anchor_type regtype, key privacy.plan_column[], '
          'order_by privacy.plan_column[], filter_sql text, filter_columns name[], '
          'minimum privacy.retention_minimum, links privacy.plan_link[], referenced_by privacy.plan_reference[], '
          'expired_partitions text'),
      (6, 'retention_predicates',
          'today date, min_ok text, held text, governed text, eligible text, can_block boolean, reason text, '
          'hold_join text, hold_id text, hold_until text, open_ended text, recheck_at text'),
      (7, 'column_anonymization', 'column_name name, expression text, problem text'),
      (8, 'table_erasure_plan',
          'schema_name name, table_name name, object text, relid oid, linked text, shared text, key text, '
          'row_id text, action text, retention privacy.table_retention_plan, has_policy boolean, kept text, '
          'can_keep boolean, hold_join text, reason text, until text, hold_id text, '
          'referenced_by privacy.plan_reference[], parents text[], columns privacy.column_anonymization[], '
          'set_sql text, set_problem text')
    ) as x(ord, name, body)
    where not exists (select from pg_catalog.pg_type y join pg_catalog.pg_namespace n on n.oid = y.typnamespace
                      where n.nspname = 'privacy' and y.typname = x.name)
    order by x.ord
  loop
    execute pg_catalog.format('create type privacy.%I as (%s)', t.name, t.body);
  end loop;
end
$types$;

comment on type privacy.plan_column is 'A key or order column of a retention plan: its name and type (internal).';
comment on type privacy.retention_minimum is
  'A retention plan''s statutory minimum: its name, anchor column, and the SQL of when it ends over t and old (internal).';
comment on type privacy.plan_link is
  'How a retention plan''s rows belong to a subject type: a column, or the SQL of the ids through path links (internal).';
comment on type privacy.plan_reference is
  'A foreign key into a table, as the referencing table and an EXISTS over the row (internal).';
comment on type privacy.table_retention_plan is
  'A table''s retention policy resolved against the catalog into SQL fragments (internal; sql/300-retention-plan.sql).';
comment on type privacy.retention_predicates is
  'The SQL predicates deciding whether an expired row may be swept on a day, and why not (internal).';
comment on type privacy.column_anonymization is
  'How a column is anonymized in place (expression), or why it cannot be (problem) (internal).';
comment on type privacy.table_erasure_plan is
  'What erasing one subject''s rows of a table takes, as SQL fragments (internal; sql/440-subject-erasure.sql).';

-- The jsonb shapes. Those whose arguments change would stay as overloads; those whose result
-- changes could not be replaced.
drop function if exists privacy.plan_key_columns(oid);
drop function if exists privacy.plan_filter(name, name, jsonb);
drop function if exists privacy.plan_minimum(name, name, text, name, text);
drop function if exists privacy.plan_links(name, name);
drop function if exists privacy.plan_references(oid);
drop function if exists privacy.plan_key_sql(jsonb, text);
drop function if exists privacy.plan_bound_sql(jsonb, text[]);
drop function if exists privacy.plan_order_sql(jsonb);
drop function if exists privacy.plan_link_match_sql(jsonb);
drop function if exists privacy.plan_predicates(jsonb, timestamptz);
drop function if exists privacy.anonymize_columns(jsonb);
drop function if exists privacy.anonymize_set_sql(jsonb);
drop function if exists privacy.retention_covered_sql(jsonb, jsonb, text);
drop function if exists privacy.retention_guard_refuse(jsonb, text, bigint, text, date, boolean, name[]);
drop function if exists privacy.create_retention_late_function(jsonb);
drop function if exists privacy.sweep_range_sql(jsonb, timestamptz, timestamptz, text[], text[]);
drop function if exists privacy.sweep_late_exclusion_sql(jsonb);
drop function if exists privacy.sweep_start(jsonb, integer);
drop function if exists privacy.sweep_plan_batches(bigint, jsonb, integer);
drop function if exists privacy.sweep_range_batches(bigint[], jsonb);
drop function if exists privacy.sweep_pending_batch(bigint, jsonb);
drop function if exists privacy.sweep_partitions(bigint, jsonb);
drop function if exists privacy.expired_partitions(jsonb, timestamptz);
drop function if exists privacy.sweep_unit_begin(name, name, jsonb, integer, timestamptz);
drop function if exists privacy.sweep_unit_partitions(bigint, jsonb);
drop function if exists privacy.sweep_unit_batches(bigint, jsonb, interval);
drop function if exists privacy.sweep_unit_pending(bigint, jsonb);
drop function if exists privacy.erasure_column_report(jsonb, jsonb);
drop function if exists privacy.erasure_anonymize_columns(jsonb);
drop function if exists privacy.erasure_anonymize_sql(jsonb);
drop function if exists privacy.erasure_restrict(jsonb, text, text, bigint, text, text, text, text);
drop function if exists privacy.erasure_anonymize(jsonb, text, text, bigint, text);
drop function if exists privacy.erasure_anonymize_partly(jsonb, text, text);
drop function if exists privacy.erasure_shared_rows(text, text, jsonb);
drop function if exists privacy.erasure_order(jsonb);
drop function if exists privacy.erasure_forget_gone_rows(text, text, jsonb);
drop function if exists privacy.erasure_first_pass(text, text, bigint, text[], jsonb);
drop function if exists privacy.erasure_second_pass(text, text, bigint, text[], jsonb, jsonb, text[], text[]);

-- Same arguments, a typed result: dropped only in their jsonb shape, so that a reinstall over
-- the typed definitions (after `migrate down`) leaves them be.
do $results$
declare
  f regprocedure;
begin
  for f in
    select p.oid::regprocedure
    from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'privacy' and p.prorettype = 'jsonb'::regtype
      and p.proname in ('retention_plan', 'erasure_plan', 'erasure_plans', 'erasure_foreign_keys')
  loop
    execute pg_catalog.format('drop function %s', f);
  end loop;
end
$results$;
