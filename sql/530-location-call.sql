-- integritet: location strategies, part 4 — calls that read the row's other coordinate.
--
-- A strategy call is privacy.<mask|anonymize>_<name>(value, params) (sql/180-strategy-call.sql).
-- The location strategies geo_grid, geo_noise and geo_trim also take the row's other coordinate
-- and, for geo_trim at expiry, its tenant, named by their parameters:
--
--   select privacy.classify_column('position', 'lon', 'location', mask => 'geo_grid',
--                                  mask_params => '{"axis": "lon", "pair_column": "lat", "meters": 500}');
--   -- the masked view shows: privacy.mask_geo_grid(t."lon", '{…}'::pg_catalog.jsonb, (t."lat")::pg_catalog.float8, NULL::pg_catalog.text)
--
-- privacy.strategy_expression (sql/180) asks location_call for that call and keeps its own
-- two-argument one when it answers NULL (any other strategy, or no pair_column given). The
-- columns are named with format('%I') after the same qualifier as the value (the generators
-- write `t."lat"`), so nothing from a declaration reaches the SQL but quoted names of columns
-- that exist: at declaration (object = schema.table.column) they are looked up in the table.
--
-- What must be given, refused with PV004 when it is not (at declaration, naming the column):
--   * a longitude needs pair_column (its latitude) for geo_grid and geo_noise;
--   * geo_trim always needs pair_column, and geo_noise when anonymizing (one draw for both);
--   * pair_column must be a numeric column of the table, tenant_column a column of it;
--   * geo_trim when anonymizing writes NULL for points in a zone: not on a NOT NULL column.
--
-- needs: 510-location-noise, 520-privacy-zones

-- A masked view gives geo_noise the point's one strong draw of the row (draw_sql, sql/200): its
-- read mask then takes its noise from its own bits of it (privacy.laplace_metres_of_draw,
-- sql/510), where alone it makes a draw of its own for each axis.
drop function if exists privacy.location_call(text, text, jsonb, text, regtype, text);

-- Why invoker: builds text from its arguments and the system catalog; executes nothing.
create or replace function privacy.location_call(strategy text, purpose text, params jsonb, value_sql text,
                                                 value_type regtype, object text, draw_sql text default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_axis     pg_catalog.text := params ->> 'axis';
  v_pair     pg_catalog.text := params ->> 'pair_column';
  v_tenant   pg_catalog.text := params ->> 'tenant_column';
  v_value    pg_catalog.text[];
  v_target   pg_catalog.text[];
  v_relation pg_catalog.regclass;
  v_prefix   pg_catalog.text := '';
  v_name     pg_catalog.text;
  v_problem  pg_catalog.text;
  v_float    pg_catalog.text := case when value_type = 'pg_catalog.float8'::pg_catalog.regtype then value_sql
                                     else pg_catalog.format('(%s)::pg_catalog.float8', value_sql) end;
begin
  if strategy is null or strategy not in ('geo_grid', 'geo_noise', 'geo_trim') then
    return null;
  end if;
  -- A latitude needs no pair to read the point's draw.
  if v_pair is null and strategy = 'geo_noise' and purpose = 'mask' and draw_sql is not null and v_axis = 'lat' then
    return pg_catalog.format('privacy.mask_geo_noise(%s, %L::pg_catalog.jsonb, NULL::pg_catalog.float8, NULL::pg_catalog.text, %s)',
                             v_float, params::pg_catalog.text, draw_sql);
  end if;
  if v_pair is null then
    v_problem := case
      when strategy = 'geo_trim' then 'needs "pair_column": the column of the row''s other coordinate'
      when strategy = 'geo_noise' and purpose = 'anonymize'
        then 'needs "pair_column" to anonymize: both coordinates move by one draw'
      when v_axis = 'lon' then 'needs "pair_column" on a longitude: the column of its latitude' end;
    if v_problem is null then
      return null;
    end if;
    raise exception using errcode = 'PV004', message = pg_catalog.format('%s: strategy %s %s', object, strategy, v_problem);
  end if;

  begin
    v_value := pg_catalog.parse_ident(value_sql);
  exception when others then
    v_value := null;
  end;
  if pg_catalog.cardinality(v_value) = 2 then
    v_prefix := pg_catalog.format('%I.', v_value[1]);
  elsif pg_catalog.cardinality(v_value) is distinct from 1 then
    raise exception using errcode = 'PV004',
      message = pg_catalog.format('%s: strategy %s reads other columns of the row, so it applies to a column, not to %s',
                                  object, strategy, value_sql);
  end if;

  -- At declaration the object is schema.table.column: the named columns must be there.
  begin
    v_target := pg_catalog.parse_ident(object);
  exception when others then
    v_target := null;
  end;
  if pg_catalog.cardinality(v_target) = 3 then
    v_relation := pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_target[1], v_target[2]));
  end if;
  if v_relation is not null then
    foreach v_name in array array['pair_column', 'tenant_column'] loop
      continue when params ->> v_name is null;
      if not exists (
        select from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
        where a.attrelid = v_relation and a.attname = params ->> v_name and a.attnum > 0 and not a.attisdropped
          and (v_name <> 'pair_column' or t.typcategory = 'N')
      ) then
        raise exception using errcode = 'PV004',
          message = pg_catalog.format('%s: parameter %s.%s = %L names no %scolumn of %s', object, strategy, v_name,
                                      params ->> v_name, case when v_name = 'pair_column' then 'numeric ' else '' end, v_relation);
      end if;
    end loop;
    if strategy = 'geo_trim' and purpose = 'anonymize' and exists (
      select from pg_catalog.pg_attribute a
      where a.attrelid = v_relation and a.attname = v_target[3] and a.attnotnull
    ) then
      raise exception using errcode = 'PV004',
        message = pg_catalog.format('%s: strategy geo_trim writes NULL for points in a privacy zone, and the column is NOT NULL', object),
        hint = 'Anonymize it with geo_grid, or trim a nullable column (a trip''s start and end).';
    end if;
  end if;

  -- geo_trim read in a masked view: the zone test written into the view as a correlated
  -- subquery, not a call of the definer in_location_zone per point. A definer function is never
  -- inlined: each call switched role and search_path and ran its query anew (29k rows/s with 1000
  -- zones; bench/location-masking.ts). Here a grid of the zones' boxes, hashed once per
  -- statement, answers for most points, and the zones' GiST index on bbox is probed for the
  -- others (geo_trim_read_sql, sql/520). It reads privacy.location_zone with
  -- the rights of the view's owner (granted in sql/520); a masked login still reads no zone, and
  -- gets only the trimmed values.
  if strategy = 'geo_trim' and purpose = 'mask' then
    return privacy.geo_trim_read_sql(
      v_float,
      pg_catalog.format('(%s%I)::pg_catalog.float8', v_prefix, v_pair),
      params,
      case when v_tenant is null then 'NULL::pg_catalog.text'
           else pg_catalog.format('(%s%I)::pg_catalog.text', v_prefix, v_tenant) end);
  end if;

  return pg_catalog.format('privacy.%I(%s, %L::pg_catalog.jsonb, (%s%I)::pg_catalog.float8, %s%s)',
    case when purpose = 'anonymize' and strategy in ('geo_noise', 'geo_trim') then 'anonymize_' else 'mask_' end || strategy,
    v_float, params::pg_catalog.text, v_prefix, v_pair,
    case when v_tenant is null then 'NULL::pg_catalog.text'
         else pg_catalog.format('(%s%I)::pg_catalog.text', v_prefix, v_tenant) end,
    case when strategy = 'geo_noise' and purpose = 'mask' and draw_sql is not null then ', ' || draw_sql else '' end);
end
$$;
comment on function privacy.location_call(text, text, jsonb, text, regtype, text, text) is
  'The call of a location strategy that reads the row''s other coordinate (and tenant, or a masked view''s draw), or NULL for any other strategy (internal; sql/180).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Admins may preview a location strategy's call.
grant execute on function privacy.location_call(text, text, jsonb, text, regtype, text, text)
  to privacy_admin;
