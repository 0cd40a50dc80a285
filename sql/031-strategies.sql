-- integritet: the registry of mask and anonymization strategies and their parameters.
-- Their functions are in sql/100–185 (privacy.mask_<name>), write-minimisation rules are
-- registered in sql/170, custom strategies through privacy.register_strategy (sql/185).
--
-- A strategy's param_spec maps each parameter to {type, minimum?, maximum?, enum?, required?,
-- default?}; declarations are checked against it, so a bad parameter is refused when it is
-- declared, never discovered at read or sweep time.
--
-- needs: none

insert into privacy.strategy as s (name, usable_for, param_spec, description, builtin) values
  ('null', 'both', '{}', 'Replaces the value with NULL.', true),
  ('redact', 'both',
   '{"replacement": {"type": "string", "default": "***"}}',
   'Replaces the value with a fixed text.', true),
  ('partial', 'both',
   '{"keep_first": {"type": "integer", "minimum": 0, "maximum": 64, "default": 1},
     "keep_last":  {"type": "integer", "minimum": 0, "maximum": 64, "default": 0},
     "fill":       {"type": "string", "default": "*"}}',
   'Keeps the first and last characters and fills the rest.', true),
  ('email', 'both',
   '{"keep_domain": {"type": "boolean", "default": true}}',
   'Masks the local part of an e-mail address, optionally keeping the domain.', true),
  ('phone', 'both',
   '{"keep_last": {"type": "integer", "minimum": 0, "maximum": 6, "default": 2}}',
   'Masks a phone number but for its last digits.', true),
  ('pseudonym', 'both',
   '{"length": {"type": "integer", "minimum": 8, "maximum": 64, "default": 16}}',
   'Keyed HMAC of the value (hex prefix; integers map to integers): equal inputs give equal pseudonyms. Anonymizing writes a random value of the same form instead.', true),
  ('hash', 'both',
   '{"algorithm": {"type": "string", "enum": ["md5", "sha256", "sha512"], "default": "sha256"}}',
   'Unkeyed hex hash of the value (weak for guessable values: prefer pseudonym). Anonymizing writes a random value of the same form instead.', true),
  ('generalize', 'both',
   '{"unit":      {"type": "string", "enum": ["hour", "day", "week", "month", "quarter", "year", "decade"]},
     "step":      {"type": "number", "minimum": 0},
     "time_zone": {"type": "string", "default": "UTC"}}',
   'Dates truncated to a unit (needs unit; timestamptz in time_zone), numbers to the lower bound of a range of the given step (needs step > 0).', true),
  ('round', 'both',
   '{"digits": {"type": "integer", "minimum": -12, "maximum": 12, "default": 0}}',
   'Rounds a number to the given number of decimal digits.', true),
  ('noise', 'both',
   '{"ratio":    {"type": "number", "minimum": 0, "maximum": 1},
     "absolute": {"type": "number", "minimum": 0},
     "interval": {"type": "string"}}',
   'Adds bounded random noise: numbers by a ratio of the value or an absolute amount (one of them), dates and timestamps by an interval.', true),
  ('fake', 'both',
   '{"kind":   {"type": "string", "required": true,
                "enum": ["first_name", "last_name", "full_name", "company", "street", "city", "email", "phone"]},
     "locale": {"type": "string", "enum": ["sv", "en"], "default": "sv"}}',
   'Replaces the value with invented data of the same kind, stable for equal inputs.', true),
  ('grid', 'both',
   '{"meters":             {"type": "number", "minimum": 1, "maximum": 1000000, "default": 1000},
     "axis":               {"type": "string", "enum": ["lat", "lon", "either"], "default": "either"},
     "reference_latitude": {"type": "number", "minimum": -85, "maximum": 85, "default": 60}}',
   'Snaps a latitude or longitude to the centre of its grid cell of at least the given size; longitude cells are sized at reference_latitude, and so are cells of either axis when the axis is not given.', true),
  ('time', 'both',
   '{"unit":      {"type": "string", "enum": ["minute", "quarter_hour", "hour", "day"], "default": "hour"},
     "time_zone": {"type": "string", "default": "UTC"}}',
   'Coarsens a timestamp to the given unit (timestamptz: hours and days as in time_zone).', true),
  -- Location strategies (sql/500–599): a latitude or longitude column, with the row's other
  -- coordinate named by pair_column (sql/530-location-call.sql says when it is needed).
  ('geo_grid', 'both',
   '{"axis":        {"type": "string", "enum": ["lat", "lon"], "required": true},
     "meters":      {"type": "number", "minimum": 1, "maximum": 1000000, "default": 1000},
     "pair_column": {"type": "string"}}',
   'Snaps a point to the centre of its grid cell of meters × meters at every latitude (WGS84); a longitude needs pair_column, its latitude column.', true),
  ('geo_noise', 'both',
   '{"axis":        {"type": "string", "enum": ["lat", "lon"], "required": true},
     "epsilon":     {"type": "number", "minimum": 0.000001, "maximum": 1, "default": 0.01},
     "pair_column": {"type": "string"}}',
   'Geo-indistinguishable noise, epsilon in 1/m: reads add fresh Laplace noise of scale √2/ε per axis; anonymizing moves the point by one planar Laplace draw (mean 2/ε metres) shared with pair_column, its other coordinate.', true),
  ('geo_trim', 'both',
   '{"axis":          {"type": "string", "enum": ["lat", "lon"], "required": true},
     "pair_column":   {"type": "string"},
     "tenant_column": {"type": "string"},
     "meters":        {"type": "number", "minimum": 1, "maximum": 1000000}}',
   'NULL for a point inside a privacy zone (reads: the tenant''s zones; anonymizing: those of tenant_column''s tenant), elsewhere the value, or its geo_grid cell of meters.', true)
on conflict (name) do update
  -- A custom strategy registered under a name that became built in gives way to the built-in one.
  set usable_for = excluded.usable_for, param_spec = excluded.param_spec,
      description = excluded.description, builtin = true, function_name = null
  where (s.usable_for, s.param_spec, s.description, s.builtin, s.function_name)
        is distinct from (excluded.usable_for, excluded.param_spec, excluded.description, true, null);

-- Why invoker: reads the strategy registry, which the definer functions calling it can read.
create or replace function privacy.check_strategy(strategy text, purpose text, params jsonb, object text)
returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_spec  pg_catalog.jsonb;
  v_usable pg_catalog.text;
  v_key   pg_catalog.text;
  v_value pg_catalog.jsonb;
  v_rule  pg_catalog.jsonb;
  v_kind  pg_catalog.text;
  v_ok    boolean;
begin
  select s.param_spec, s.usable_for into v_spec, v_usable
  from privacy.strategy s where s.name = check_strategy.strategy;
  if v_spec is null then
    raise exception using errcode = 'PV003',
      message = pg_catalog.format('%s: unknown %s strategy %L', object, purpose, strategy),
      hint = (select pg_catalog.format('Strategies to %s: ', purpose) || pg_catalog.string_agg(s.name, ', ' order by s.name)
              from privacy.strategy s
              where s.usable_for = purpose or (s.usable_for = 'both' and purpose in ('mask', 'anonymize')));
  end if;
  -- 'both' means reading and anonymizing; write-minimisation rules are 'write' and only that.
  -- The hints list only what may be used for the purpose: a write rule offered as a mask would
  -- be refused next.
  if v_usable is distinct from purpose and not (v_usable = 'both' and purpose in ('mask', 'anonymize')) then
    raise exception using errcode = 'PV003',
      message = pg_catalog.format('%s: strategy %L cannot be used to %s', object, strategy, purpose),
      hint = (select pg_catalog.format('Strategies to %s: ', purpose) || pg_catalog.string_agg(s.name, ', ' order by s.name)
              from privacy.strategy s
              where s.usable_for = purpose or (s.usable_for = 'both' and purpose in ('mask', 'anonymize')));
  end if;
  if params is null or pg_catalog.jsonb_typeof(params) <> 'object' then
    raise exception using errcode = 'PV004',
      message = pg_catalog.format('%s: parameters of %s must be a JSON object', object, strategy);
  end if;

  for v_key, v_value in select * from pg_catalog.jsonb_each(params) loop
    v_rule := v_spec -> v_key;
    if v_rule is null then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('%s: strategy %s has no parameter %L', object, strategy, v_key),
        hint = coalesce((select 'Its parameters: ' || pg_catalog.string_agg(k, ', ' order by k)
                         from pg_catalog.jsonb_object_keys(v_spec) k), 'It takes no parameters.');
    end if;
    v_kind := pg_catalog.jsonb_typeof(v_value);
    v_ok := case v_rule->>'type'
              when 'integer' then v_kind = 'number' and (v_value #>> '{}')::numeric % 1 = 0
              when 'number'  then v_kind = 'number'
              when 'string'  then v_kind = 'string'
              when 'boolean' then v_kind = 'boolean'
              else false
            end;
    if not v_ok then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('%s: parameter %s.%s must be %s, not %s',
                                    object, strategy, v_key, v_rule->>'type', v_value::pg_catalog.text);
    end if;
    if v_rule ? 'minimum' and (v_value #>> '{}')::numeric < (v_rule->>'minimum')::numeric
       or v_rule ? 'maximum' and (v_value #>> '{}')::numeric > (v_rule->>'maximum')::numeric then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('%s: parameter %s.%s = %s is outside %s..%s', object, strategy, v_key,
                                    v_value::pg_catalog.text, coalesce(v_rule->>'minimum', ''), coalesce(v_rule->>'maximum', ''));
    end if;
    if v_rule ? 'enum' and not (v_rule->'enum') @> pg_catalog.jsonb_build_array(v_value) then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('%s: parameter %s.%s = %s is not one of %s',
                                    object, strategy, v_key, v_value::pg_catalog.text, v_rule->>'enum');
    end if;
  end loop;

  for v_key in
    select k from pg_catalog.jsonb_each(v_spec) as e(k, r)
    where (r->>'required')::boolean and not params ? k
  loop
    raise exception using errcode = 'PV004',
      message = pg_catalog.format('%s: strategy %s needs parameter %L', object, strategy, v_key);
  end loop;
end
$$;
comment on function privacy.check_strategy(text, text, jsonb, text) is
  'Validates a strategy name and its JSON parameters against the registry (PV003/PV004).';

-- The declaration API, for admins.
grant execute on function privacy.check_strategy(text, text, jsonb, text)
  to privacy_admin;
