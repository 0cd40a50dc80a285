-- integritet: custom strategies — a DBA's own function registered as a strategy by name.
--
--   create function acme.mask_vin(value text, params jsonb) returns text
--     language sql immutable parallel safe as $$ select left(value, 3) || '**************' $$;
--   grant execute on function acme.mask_vin(text, jsonb) to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper;
--   select privacy.register_strategy('vin', 'acme.mask_vin', 'mask', '{}', 'Keeps the manufacturer code of a VIN.');
--
-- The function must take (value T, params jsonb) and return T, for one or more types T
-- (overloads); strategy_call picks the one for the column's type. It runs with the rights of
-- whoever reads or sweeps, so those roles need EXECUTE on it (and USAGE on its schema), and it
-- should qualify every name as the built-in strategies do (sql/100-strategy-building-blocks.sql).
-- Its name is looked up in the system catalog and stored quoted; strategy_call names it again
-- from the catalog, never from the text given here.
--
-- SQLSTATEs: PV008 invalid name, PV013 a built-in strategy's name, PV011 bad usable_for,
-- PV004 bad param_spec, PV102 no such function of the form (T, jsonb) returns T.
--
-- needs: 010-names

-- Why definer: the registry is writable only through validated calls, which members of
-- privacy_admin may make without holding any privilege on the catalog tables themselves.
create or replace function privacy.register_strategy(name text, function_name text, usable_for text,
                                                     param_spec jsonb, description text)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_ident  pg_catalog.text[];
  v_schema pg_catalog.name;
  v_name   pg_catalog.name;
  v_key    pg_catalog.text;
  v_rule   pg_catalog.jsonb;
begin
  perform privacy.check_label('strategy', register_strategy.name);
  if exists (select from privacy.strategy s where s.name = register_strategy.name and s.builtin) then
    raise exception using errcode = 'PV013',
      message = pg_catalog.format('strategy %s is built in and cannot be replaced', register_strategy.name);
  end if;
  if register_strategy.usable_for is null or register_strategy.usable_for not in ('mask', 'anonymize', 'both', 'write') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('strategy %s: usable_for %L must be mask, anonymize, both or write',
                                  register_strategy.name, register_strategy.usable_for);
  end if;
  if coalesce(pg_catalog.btrim(register_strategy.description), '') = '' then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('strategy %s: a description is needed', register_strategy.name);
  end if;

  -- The parameter spec, in the form check_strategy reads.
  if register_strategy.param_spec is null or pg_catalog.jsonb_typeof(register_strategy.param_spec) <> 'object' then
    raise exception using errcode = 'PV004',
      message = pg_catalog.format('strategy %s: param_spec must be a JSON object', register_strategy.name);
  end if;
  for v_key, v_rule in select * from pg_catalog.jsonb_each(register_strategy.param_spec) loop
    if v_key !~ '^[a-z][a-z0-9_]{0,62}$' or pg_catalog.jsonb_typeof(v_rule) <> 'object'
       or coalesce(v_rule ->> 'type', '') not in ('integer', 'number', 'string', 'boolean')
       or exists (select from pg_catalog.jsonb_object_keys(v_rule) k
                  where k not in ('type', 'minimum', 'maximum', 'enum', 'required', 'default', 'description'))
       or (v_rule ? 'default' and pg_catalog.jsonb_typeof(v_rule -> 'default')
             <> case v_rule ->> 'type' when 'integer' then 'number' else v_rule ->> 'type' end)
       or (v_rule ? 'enum' and pg_catalog.jsonb_typeof(v_rule -> 'enum') <> 'array')
    then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('strategy %s: parameter %L is not {type: integer|number|string|boolean, minimum?, maximum?, enum?, required?, default?}',
                                    register_strategy.name, v_key);
    end if;
  end loop;

  begin
    v_ident := pg_catalog.parse_ident(register_strategy.function_name);
  exception when others then
    v_ident := null;
  end;
  if pg_catalog.array_length(v_ident, 1) is distinct from 2 then
    raise exception using errcode = 'PV008',
      message = pg_catalog.format('strategy %s: invalid function name %L: give schema.function',
                                  register_strategy.name, register_strategy.function_name);
  end if;
  v_schema := v_ident[1];
  v_name := v_ident[2];
  if not exists (
    select from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = v_schema and p.proname = v_name and p.prokind = 'f' and not p.proretset
      and p.pronargs = 2 and p.proargtypes[1] = 'pg_catalog.jsonb'::pg_catalog.regtype
      and p.prorettype = p.proargtypes[0]
  ) then
    raise exception using errcode = 'PV102', schema = v_schema,
      message = pg_catalog.format('strategy %s: there is no function %I.%I(value T, params jsonb) returning T',
                                  register_strategy.name, v_schema, v_name),
      hint = 'Create the function first; overloads for several types are allowed.';
  end if;

  insert into privacy.strategy as s (name, usable_for, param_spec, description, builtin, function_name)
  values (register_strategy.name, register_strategy.usable_for, register_strategy.param_spec,
          register_strategy.description, false, pg_catalog.format('%I.%I', v_schema, v_name))
  on conflict on constraint strategy_pkey do update
    set usable_for = excluded.usable_for, param_spec = excluded.param_spec,
        description = excluded.description, function_name = excluded.function_name
    where (s.usable_for, s.param_spec, s.description, s.function_name)
          is distinct from (excluded.usable_for, excluded.param_spec, excluded.description, excluded.function_name);
end
$$;
comment on function privacy.register_strategy(text, text, text, jsonb, text) is
  'Registers (or updates) a custom strategy implemented by schema.function(value T, params jsonb) returns T.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Admins register strategies.
grant execute on function privacy.register_strategy(text, text, text, jsonb, text)
  to privacy_admin;
