-- integritet: classifying columns — what each column holds, how restricted roles read it, and
-- how retention anonymizes it.
--
--   select privacy.classify_column('customer', 'email', 'contact',
--            mask => 'email', anonymize => 'fake', anonymize_params => '{"kind": "email"}');
--
-- Declaring again replaces the rule. Every change reaches the ledger through the catalog trigger.
--
-- needs: 010-names, 031-strategies
-- uses later: 180-strategy-call, 222-verify-anonymize

-- Why definer: the catalog is writable only through these validated calls, which members of
-- privacy_admin may make without holding any privilege on the catalog tables themselves.
create or replace function privacy.classify_column(
  table_name text,
  column_name text,
  category text,
  mask text default null,
  mask_params jsonb default '{}',
  anonymize text default null,
  anonymize_params jsonb default '{}'
)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  -- Types are schema-qualified as well as the path pinned to pg_catalog, pg_temp: a type name is
  -- never looked up in the caller's pg_temp first, where a domain could run the caller's code here.
  v_schema  pg_catalog.name;
  v_table   pg_catalog.name;
  v_type    pg_catalog.regtype;
  v_object  pg_catalog.text;
  v_state   pg_catalog.text;
  v_message pg_catalog.text;
  v_hint    pg_catalog.text;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(classify_column.table_name) t;
  v_type := privacy.column_type(v_schema, v_table, classify_column.column_name);
  v_object := pg_catalog.format('%I.%I.%I', v_schema, v_table, classify_column.column_name);

  if not exists (select from privacy.category c where c.name = classify_column.category) then
    raise exception using errcode = 'PV006', schema = v_schema, table = v_table, column = classify_column.column_name,
      message = pg_catalog.format('%s: unknown category %L', v_object, classify_column.category),
      hint = (select 'Categories: ' || pg_catalog.string_agg(c.name, ', ' order by c.name) from privacy.category c);
  end if;
  if classify_column.mask is not null then
    perform privacy.check_strategy(classify_column.mask, 'mask', coalesce(classify_column.mask_params, '{}'), v_object);
  elsif coalesce(classify_column.mask_params, '{}') <> '{}' then
    raise exception using errcode = 'PV004', message = pg_catalog.format('%s: mask_params given without a mask', v_object);
  end if;
  if classify_column.anonymize is not null then
    perform privacy.check_strategy(classify_column.anonymize, 'anonymize', coalesce(classify_column.anonymize_params, '{}'), v_object);
  elsif coalesce(classify_column.anonymize_params, '{}') <> '{}' then
    raise exception using errcode = 'PV004', message = pg_catalog.format('%s: anonymize_params given without a strategy', v_object);
  end if;

  -- The strategies must exist for the column's type, with parameters that fit it: refused now,
  -- naming the column, rather than when a view is generated or a sweep runs.
  begin
    if classify_column.mask is not null then
      perform privacy.strategy_expression(classify_column.mask, coalesce(classify_column.mask_params, '{}'),
                                          pg_catalog.format('%I', classify_column.column_name), v_type, 'mask', v_object);
    end if;
    if classify_column.anonymize is not null then
      perform privacy.strategy_expression(classify_column.anonymize, coalesce(classify_column.anonymize_params, '{}'),
                                          pg_catalog.format('%I', classify_column.column_name), v_type, 'anonymize', v_object);
    end if;
  exception when sqlstate 'PV101' or sqlstate 'PV004' then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_hint = pg_exception_hint;
    raise exception using errcode = v_state, message = v_message, hint = v_hint,
      schema = v_schema, table = v_table, column = classify_column.column_name;
  end;

  -- A strategy the column's constraints would refuse fails every sweep of the table: refused now
  -- (PV307), naming the constraint and a strategy that passes (sql/222-verify-anonymize.sql).
  perform privacy.check_anonymize_fits(v_schema, v_table, classify_column.column_name, classify_column.anonymize,
                                       classify_column.anonymize_params);

  insert into privacy.column_rule as r
    (schema_name, table_name, column_name, category, mask_strategy, mask_params, anonymize_strategy, anonymize_params)
  values
    (v_schema, v_table, classify_column.column_name, classify_column.category, classify_column.mask,
     coalesce(classify_column.mask_params, '{}'), classify_column.anonymize, coalesce(classify_column.anonymize_params, '{}'))
  on conflict on constraint column_rule_pkey do update
    set category = excluded.category, mask_strategy = excluded.mask_strategy, mask_params = excluded.mask_params,
        anonymize_strategy = excluded.anonymize_strategy, anonymize_params = excluded.anonymize_params,
        declared_at = pg_catalog.now(), declared_by = session_user
    where (r.category, r.mask_strategy, r.mask_params, r.anonymize_strategy, r.anonymize_params)
          is distinct from (excluded.category, excluded.mask_strategy, excluded.mask_params,
                            excluded.anonymize_strategy, excluded.anonymize_params);
end
$$;
comment on function privacy.classify_column(text, text, text, text, jsonb, text, jsonb) is
  'Classifies a column: category, read mask and anonymization strategy with their parameters.';

-- Why definer: as classify_column.
create or replace function privacy.declassify_column(table_name text, column_name text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema pg_catalog.name;
  v_table  pg_catalog.name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(declassify_column.table_name) t;
  delete from privacy.column_rule r
  where r.schema_name = v_schema and r.table_name = v_table and r.column_name = declassify_column.column_name;
  return found;
end
$$;
comment on function privacy.declassify_column(text, text) is
  'Removes a column''s rule, so it counts as unclassified (personal) again. True if there was one.';

-- The declaration API, for admins.
grant execute on function
  privacy.classify_column(text, text, text, text, jsonb, text, jsonb),
  privacy.declassify_column(text, text)
  to privacy_admin;
