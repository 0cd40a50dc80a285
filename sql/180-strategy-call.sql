-- integritet: turning a declared strategy into SQL — the entry point of every generator (masked
-- views, retention anonymization, write-minimisation triggers).
--
--   select privacy.strategy_call('partial', '{"keep_first": 1}', 't."name"', 'varchar', 'mask');
--   --> (privacy.mask_partial((t."name")::pg_catalog.text, '{"fill": "*", "keep_last": 0, "keep_first": 1}'::pg_catalog.jsonb))::pg_catalog."varchar"
--
-- The expression calls the strategy's function for the column's type: privacy.mask_<name>
-- (reads), privacy.anonymize_<name> where one exists (retention: irreversible), or
-- privacy.minimise_<name> (write rules), or a custom strategy's registered function. A type with
-- no function of its own uses a close one and is cast back: character types (varchar, char,
-- citext …) use text, real uses double precision, cidr uses inet. There is no widening of
-- smallint to integer: a pseudonym or noise could then leave smallint's range. A domain is
-- masked as its base type, and the expression is of the base type (a masked value may not meet
-- the domain's checks, and reads must not fail on that).
--
-- Nothing from a declaration reaches the SQL as text: the strategy's function is found in the
-- system catalog and named with format('%I'), types likewise, the parameters (the registry's
-- defaults, then the declared ones) are one literal through format('%L'). value_sql comes from
-- the generator, which quotes the column itself.
--
-- SQLSTATEs raised here (besides PV003/PV004 from check_strategy):
--   PV101 the strategy has no function for the column's type (or a write rule for it)
--   PV004 parameters that do not fit the type: generalize needs unit for dates and step > 0 for
--         numbers, noise needs interval for dates and ratio or absolute for numbers, time_zone
--         must be a known zone
--   PV011 an unknown purpose, or no value expression
--
-- needs: 031-strategies
-- uses later: 181-mask-specialised, 530-location-call

-- Why invoker: reads the system catalog only.
create or replace function privacy.base_type(value_type regtype)
returns regtype
language sql stable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  with recursive chain (oid, typtype, typbasetype) as (
    select t.oid, t.typtype, t.typbasetype from pg_catalog.pg_type t where t.oid = value_type
    union all
    select t.oid, t.typtype, t.typbasetype from chain c join pg_catalog.pg_type t on t.oid = c.typbasetype
    where c.typtype = 'd'
  )
  select c.oid::pg_catalog.regtype from chain c where c.typtype <> 'd'
$$;
comment on function privacy.base_type(regtype) is 'The type itself, or the base type of a domain (through domains over domains).';

-- Why: generated SQL may run under any search_path, so type names in it are schema-qualified.
create or replace function privacy.type_sql(value_type regtype)
returns text
language sql stable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format('%I.%I', n.nspname, t.typname)
  from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
  where t.oid = value_type
$$;
comment on function privacy.type_sql(regtype) is 'A type''s schema-qualified, quoted name, e.g. pg_catalog."varchar".';

-- Why invoker: reads the registry and the system catalog.
create or replace function privacy.strategy_function(strategy text, purpose text, value_type regtype)
returns regprocedure
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_custom pg_catalog.text;
  v_schema pg_catalog.text := 'privacy';
  v_name   pg_catalog.text;
  v_types  pg_catalog.regtype[] := array[value_type];
  v_fn     pg_catalog.regprocedure;
begin
  select s.function_name into v_custom from privacy.strategy s where s.name = strategy_function.strategy;
  if v_custom is not null then
    -- Stored by register_strategy as a quoted schema.function.
    select p[1], p[2] into v_schema, v_name from pg_catalog.parse_ident(v_custom) as p;
  elsif purpose = 'write' then
    v_name := 'minimise_' || strategy;
  elsif purpose = 'anonymize' and exists (
    select from pg_catalog.pg_proc p
    where p.pronamespace = 'privacy'::pg_catalog.regnamespace and p.proname = 'anonymize_' || strategy_function.strategy
  ) then
    -- A strategy with an irreversible variant is never anonymized by its mask, for no type.
    v_name := 'anonymize_' || strategy;
  else
    v_name := 'mask_' || strategy;
  end if;

  if value_type <> 'pg_catalog.text'::pg_catalog.regtype
     and (select t.typcategory from pg_catalog.pg_type t where t.oid = value_type) = 'S' then
    v_types := v_types || 'pg_catalog.text'::pg_catalog.regtype;
  elsif value_type = 'pg_catalog.float4'::pg_catalog.regtype then
    v_types := v_types || 'pg_catalog.float8'::pg_catalog.regtype;
  elsif value_type = 'pg_catalog.cidr'::pg_catalog.regtype then
    v_types := v_types || 'pg_catalog.inet'::pg_catalog.regtype;
  end if;

  select p.oid::pg_catalog.regprocedure into v_fn
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.unnest(v_types) with ordinality as c(type, preference) on c.type::pg_catalog.oid = p.proargtypes[0]
  where n.nspname = v_schema and p.proname = v_name and p.prokind = 'f' and not p.proretset
    and p.pronargs = 2 and p.proargtypes[1] = 'pg_catalog.jsonb'::pg_catalog.regtype
    and p.prorettype = p.proargtypes[0]
  order by c.preference
  limit 1;
  return v_fn;
end
$$;
comment on function privacy.strategy_function(text, text, regtype) is
  'The function implementing a strategy for a purpose (mask, anonymize, write) and a (base) type, or NULL.';

-- Why invoker: reads the system catalog; for the hint of PV101.
create or replace function privacy.strategy_types(strategy text, purpose text)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(pg_catalog.string_agg(distinct pg_catalog.format_type(p.proargtypes[0], null), ', '), 'no type')
  from pg_catalog.pg_proc p
  where p.oid in (select privacy.strategy_function(strategy, purpose, t.oid::pg_catalog.regtype)
                  from pg_catalog.pg_type t where t.typtype = 'b' and t.typelem = 0)
$$;
comment on function privacy.strategy_types(text, text) is 'The types a strategy has a function for, as a list for messages.';

-- Why invoker: reads the registry.
create or replace function privacy.strategy_defaults(strategy text)
returns jsonb
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(pg_catalog.jsonb_object_agg(e.key, e.value -> 'default') filter (where e.value ? 'default'), '{}')
  from privacy.strategy s, pg_catalog.jsonb_each(s.param_spec) as e
  where s.name = strategy
$$;
comment on function privacy.strategy_defaults(text) is 'The default of each parameter of a strategy that has one.';

-- Why invoker: pure validation of parameters against a type (built-in strategies only).
create or replace function privacy.check_strategy_for_type(strategy text, params jsonb, value_type regtype, object text)
returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_is_date   boolean := value_type in ('pg_catalog.date'::pg_catalog.regtype, 'pg_catalog.timestamp'::pg_catalog.regtype,
                                        'pg_catalog.timestamptz'::pg_catalog.regtype);
  v_is_number boolean := value_type in ('pg_catalog.numeric'::pg_catalog.regtype, 'pg_catalog.int2'::pg_catalog.regtype,
                                        'pg_catalog.int4'::pg_catalog.regtype, 'pg_catalog.int8'::pg_catalog.regtype,
                                        'pg_catalog.float4'::pg_catalog.regtype, 'pg_catalog.float8'::pg_catalog.regtype);
  v_type      pg_catalog.text := pg_catalog.format_type(value_type, null);
  v_problem   pg_catalog.text;
  v_interval  interval;
begin
  if strategy = 'generalize' and v_is_date then
    v_problem := case when not params ? 'unit' then 'needs parameter "unit" for ' || v_type
                      when params ? 'step' then 'takes "unit", not "step", for ' || v_type end;
  elsif strategy = 'generalize' and v_is_number then
    v_problem := case when not params ? 'step' then 'needs parameter "step" for ' || v_type
                      when (params ->> 'step')::numeric <= 0 then 'needs "step" greater than 0'
                      when params ? 'unit' then 'takes "step", not "unit", for ' || v_type end;
  elsif strategy = 'noise' and v_is_date then
    if params ? 'ratio' or params ? 'absolute' then
      v_problem := 'takes "interval", not "ratio" or "absolute", for ' || v_type;
    elsif not params ? 'interval' then
      v_problem := 'needs parameter "interval" for ' || v_type;
    else
      begin
        v_interval := (params ->> 'interval')::interval;
      exception when others then
        v_problem := pg_catalog.format('has an invalid "interval" %L', params ->> 'interval');
      end;
      if v_problem is null and v_interval <= interval '0' then
        v_problem := 'needs an "interval" greater than 0';
      end if;
    end if;
  elsif strategy = 'noise' and v_is_number then
    v_problem := case when params ? 'interval' then 'takes "ratio" or "absolute", not "interval", for ' || v_type
                      when (params ? 'ratio') = (params ? 'absolute') then 'needs exactly one of "ratio" and "absolute"' end;
  end if;
  if v_problem is null and strategy in ('generalize', 'time') and params ? 'time_zone' then
    begin
      perform pg_catalog.timezone(params ->> 'time_zone', pg_catalog.now());
    exception when others then
      v_problem := pg_catalog.format('has an unknown "time_zone" %L', params ->> 'time_zone');
    end;
  end if;
  if v_problem is not null then
    raise exception using errcode = 'PV004',
      message = pg_catalog.format('%s: strategy %s %s', object, strategy, v_problem);
  end if;
end
$$;
comment on function privacy.check_strategy_for_type(text, jsonb, regtype, text) is
  'Checks the parameters of a built-in strategy that depend on the column''s type (PV004).';

-- draw_sql: a masked view's strong draw of the row for geo_noise (sql/200, sql/530).
drop function if exists privacy.strategy_expression(text, jsonb, text, regtype, text, text);

-- Why invoker: builds text from the registry and the system catalog; executes nothing.
create or replace function privacy.strategy_expression(strategy text, params jsonb, value_sql text, value_type regtype,
                                                       purpose text, object text, draw_sql text default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_base    pg_catalog.regtype;
  v_params  pg_catalog.jsonb;
  v_fn      pg_catalog.regprocedure;
  v_fn_type pg_catalog.regtype;
  v_call    pg_catalog.text;
begin
  if purpose is null or purpose not in ('mask', 'anonymize', 'write') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('%s: unknown purpose %L: use mask, anonymize or write', object, purpose);
  end if;
  if value_sql is null or pg_catalog.btrim(value_sql) = '' or value_type is null then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('%s: a value expression and its type are needed', object);
  end if;
  perform privacy.check_strategy(strategy, purpose, coalesce(params, '{}'), object);
  v_base := privacy.base_type(value_type);

  if strategy = 'null' then
    return pg_catalog.format('NULL::%s', privacy.type_sql(v_base));
  end if;
  -- keep (anonymize only, check_strategy saw to that): the value itself, of any type.
  if strategy = 'keep' then
    return pg_catalog.format('(%s)', value_sql);
  end if;

  v_params := privacy.strategy_defaults(strategy) || coalesce(params, '{}');
  perform privacy.check_strategy_for_type(strategy, v_params, v_base, object);

  v_fn := privacy.strategy_function(strategy, purpose, v_base);
  if v_fn is null then
    raise exception using errcode = 'PV101',
      message = pg_catalog.format('%s: %s strategy %s has no function for type %s', object,
                                  case purpose when 'write' then 'write' else purpose end, strategy,
                                  pg_catalog.format_type(value_type, null)),
      hint = pg_catalog.format('Strategy %s takes: %s.', strategy, privacy.strategy_types(strategy, purpose));
  end if;

  select p.proargtypes[0]::pg_catalog.regtype, pg_catalog.format('%I.%I', n.nspname, p.proname) || '('
         || case when p.proargtypes[0] = value_type then value_sql
                 else pg_catalog.format('(%s)::%s', value_sql, privacy.type_sql(p.proargtypes[0]::pg_catalog.regtype)) end
         || pg_catalog.format(', %L::pg_catalog.jsonb)', v_params::pg_catalog.text)
    into v_fn_type, v_call
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where p.oid = v_fn;

  -- A built-in text mask: the cheapest expression for these parameters (sql/181-mask-specialised.sql).
  v_call := coalesce(privacy.mask_specialised(v_fn, v_params, value_sql, value_type), v_call);

  -- Location strategies may also read the row's other coordinate, named by their parameters:
  -- sql/530-location-call.sql writes that call, or answers NULL for every other strategy.
  v_call := coalesce(privacy.location_call(strategy, purpose, v_params, value_sql, v_base, object, draw_sql), v_call);

  if v_fn_type <> v_base then
    v_call := pg_catalog.format('(%s)::%s', v_call, privacy.type_sql(v_base));
  end if;
  return v_call;
end
$$;
comment on function privacy.strategy_expression(text, jsonb, text, regtype, text, text, text) is
  'strategy_call and write_rule_call with the object to name in errors (internal).';

-- Why invoker: builds text; the generators (definer functions of the catalog owner) call it.
create or replace function privacy.strategy_call(strategy text, params jsonb, value_sql text, value_type regtype, purpose text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if purpose is null or purpose not in ('mask', 'anonymize') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('%s: unknown purpose %L: use mask or anonymize (write rules: write_rule_call)',
                                  value_sql, purpose);
  end if;
  return privacy.strategy_expression(strategy, params, value_sql, value_type, purpose, value_sql);
end
$$;
comment on function privacy.strategy_call(text, jsonb, text, regtype, text) is
  'SQL expression applying a mask (purpose mask) or anonymization (anonymize: irreversible) strategy to value_sql of value_type; PV101 when the type is not supported.';

-- Why invoker: as strategy_call.
create or replace function privacy.write_rule_call(rule text, params jsonb, value_sql text, value_type regtype)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select privacy.strategy_expression(rule, params, value_sql, value_type, 'write', value_sql)
$$;
comment on function privacy.write_rule_call(text, jsonb, text, regtype) is
  'SQL expression applying a write-minimisation rule to value_sql of value_type; PV101 when the type is not supported.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Admins declare, and may preview the SQL a declaration turns into.
grant execute on function
  privacy.strategy_call(text, jsonb, text, regtype, text),
  privacy.write_rule_call(text, jsonb, text, regtype),
  privacy.strategy_expression(text, jsonb, text, regtype, text, text, text),
  privacy.strategy_function(text, text, regtype),
  privacy.strategy_types(text, text),
  privacy.strategy_defaults(text),
  privacy.check_strategy_for_type(text, jsonb, regtype, text),
  privacy.base_type(regtype),
  privacy.type_sql(regtype)
  to privacy_admin;
