-- integritet: location strategies, part 3 — privacy zones and trip trimming, the `geo_trim`
-- strategy.
--
--   select privacy.add_location_zone(59.3293, 18.0686, 300, subject_type => 'device', subject_id => '7',
--                                    tenant => '1');
--   select * from privacy.trim_trip(array[...lats in time order...], array[...lons...]);
--
-- A zone (a home, a depot) is declared with a centre and a radius, and enforced as a larger disk
-- around a moved centre, both drawn at random once (migrations/0006-location.up.sql says why):
-- the enforced radius is the declared one times 1.01 + spread·u, u uniform in [0, 1) (spread 1 by
-- default: up to twice the declared radius), and the centre moves by up to the difference in a
-- uniform direction, so the declared disk always lies inside the enforced one. Each zone keeps
-- its own draw for good: the same every time it is used, different from every other zone's.
--
-- Which zones count: those of the transaction's tenant (privacy.set_tenant) and those of no
-- tenant. Reads (the geo_trim mask, trim_trip) use exactly these, so one tenant's zones never
-- show in another tenant's data. Anonymization at expiry runs without a tenant and uses the zones
-- of the row's tenant (its tenant_column), or every zone when the strategy names none.
--
-- What trimming cannot hide: a role that reads trimmed data sees where points stop, and over
-- many trips the enforced disk; it may also test points against its tenant's zones (the mask
-- runs with its rights). The enforced disk tells where the declared centre is only to within
-- (enforced − declared radius), in no known direction.
--
-- SQLSTATEs: PV501 invalid argument (coordinates, radius, spread, arrays of unequal length),
-- PV503 unknown zone.
--
-- needs: 020-ledger, 100-strategy-building-blocks, 205-tenant, 500-location-grid, 510-location-noise

-- Why definer: zones are written only through this validated call, which members of
-- privacy_admin may make without any privilege on the zone table (which nobody but its owner
-- reads: it locates homes).
create or replace function privacy.add_location_zone(lat double precision, lon double precision, radius_m double precision,
                                                     subject_type text default null, subject_id text default null,
                                                     tenant text default null, spread double precision default 1)
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_radius   double precision;
  v_shift    double precision;
  v_angle    double precision;
  v_lat      double precision;
  v_lon      double precision;
  v_per_lat  double precision;
  v_per_lon  double precision;
  v_half_lat double precision;
  v_half_lon double precision;
  v_id       bigint;
begin
  if add_location_zone.lat is null or add_location_zone.lon is null
     or add_location_zone.lat not between -90 and 90 or add_location_zone.lon not between -180 and 180 then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('location zone: invalid centre (%s, %s): give a latitude in [-90, 90] and a longitude in [-180, 180]',
                                  coalesce(add_location_zone.lat::pg_catalog.text, 'NULL'), coalesce(add_location_zone.lon::pg_catalog.text, 'NULL'));
  end if;
  if add_location_zone.radius_m is null or add_location_zone.radius_m <= 0 or add_location_zone.radius_m > 50000 then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('location zone: radius_m %s is outside (0, 50000] metres', coalesce(add_location_zone.radius_m::pg_catalog.text, 'NULL'));
  end if;
  if add_location_zone.spread is null or add_location_zone.spread < 0.1 or add_location_zone.spread > 3 then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('location zone: spread %s is outside [0.1, 3]', coalesce(add_location_zone.spread::pg_catalog.text, 'NULL'));
  end if;
  if (add_location_zone.subject_type is null) <> (add_location_zone.subject_id is null) then
    raise exception using errcode = 'PV501', message = 'location zone: give both subject_type and subject_id, or neither';
  end if;

  -- The 1 % margin keeps the declared disk inside even where the flat distance test of
  -- in_location_zone differs from the ellipsoid's by a fraction of that.
  v_radius := add_location_zone.radius_m * (1.01 + add_location_zone.spread * privacy.strong_uniform());
  v_shift := (v_radius - 1.01 * add_location_zone.radius_m) * pg_catalog.sqrt(privacy.strong_uniform());
  v_angle := 6.2831853071795862 * privacy.strong_uniform();
  select o.lat, o.lon into v_lat, v_lon
  from privacy.geo_offset(add_location_zone.lat, add_location_zone.lon,
                          v_shift * pg_catalog.sin(v_angle), v_shift * pg_catalog.cos(v_angle)) o;
  v_per_lat := privacy.geo_metres_per_deg_lat(v_lat);
  v_per_lon := greatest(privacy.geo_metres_per_deg_lon(v_lat), 1e-3);
  v_half_lat := v_radius / v_per_lat;
  v_half_lon := least(v_radius / v_per_lon, 360);

  insert into privacy.location_zone as z
    (tenant, subject_type, subject_id, radius_m, lat, lon, effective_radius_m, metres_per_deg_lat, metres_per_deg_lon, bbox)
  values (add_location_zone.tenant, add_location_zone.subject_type, add_location_zone.subject_id, add_location_zone.radius_m,
          v_lat, v_lon, v_radius, v_per_lat, v_per_lon,
          pg_catalog.box(pg_catalog.point(v_lon - v_half_lon, v_lat - v_half_lat), pg_catalog.point(v_lon + v_half_lon, v_lat + v_half_lat)))
  returning z.id into v_id;
  -- The ledger names the zone and what kind of subject it is for; no place, no subject id.
  perform privacy.record('location_zone_added', pg_catalog.format('privacy.location_zone %s', v_id),
                         pg_catalog.jsonb_build_object('subject_type', add_location_zone.subject_type,
                                                       'radius_m', add_location_zone.radius_m));
  return v_id;
end
$$;
comment on function privacy.add_location_zone(double precision, double precision, double precision, text, text, text, double precision) is
  'Adds a privacy zone (centre, radius in metres, optionally its subject and tenant), enforced with a random larger radius and moved centre; returns its id.';

-- Why definer: as add_location_zone.
create or replace function privacy.drop_location_zone(zone_id bigint)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  delete from privacy.location_zone z where z.id = drop_location_zone.zone_id;
  if not found then
    raise exception using errcode = 'PV503', schema = 'privacy', table = 'location_zone',
      message = pg_catalog.format('unknown location zone %s', coalesce(drop_location_zone.zone_id::pg_catalog.text, 'NULL'));
  end if;
  perform privacy.record('location_zone_dropped', pg_catalog.format('privacy.location_zone %s', drop_location_zone.zone_id));
end
$$;
comment on function privacy.drop_location_zone(bigint) is 'Removes one privacy zone (PV503 when there is none with that id).';

-- Why definer: as add_location_zone. For erasure: a subject's zones go with it.
create or replace function privacy.drop_location_zones(subject_type text, subject_id text)
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count bigint;
begin
  delete from privacy.location_zone z
  where z.subject_type = drop_location_zones.subject_type and z.subject_id = drop_location_zones.subject_id;
  get diagnostics v_count = row_count;
  if v_count > 0 then
    perform privacy.record('location_zones_dropped', 'privacy.location_zone',
                           pg_catalog.jsonb_build_object('subject_type', drop_location_zones.subject_type, 'count', v_count));
  end if;
  return v_count;
end
$$;
comment on function privacy.drop_location_zones(text, text) is 'Removes every privacy zone of a subject; returns how many.';

-- Why definer: admins see which zones exist and how they are enforced, without reading the
-- zone table and without the centres.
create or replace function privacy.location_zones()
returns table (id bigint, tenant text, subject_type text, subject_id text, radius_m double precision,
               effective_radius_m double precision, created_at timestamptz)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select z.id, z.tenant, z.subject_type, z.subject_id, z.radius_m, z.effective_radius_m, z.created_at
  from privacy.location_zone z
  order by z.id
$$;
comment on function privacy.location_zones() is 'The privacy zones with their declared and enforced radius (no centres).';

-- Why definer: reads the zone table, which the reading roles may not; answers one point at a
-- time, for the caller's tenant only (see the banner). NULL for a NULL coordinate.
create or replace function privacy.in_location_zone(lat double precision, lon double precision)
returns boolean
language sql stable parallel safe security definer
set search_path = pg_catalog, pg_temp
as $$
  select case when in_location_zone.lat is null or in_location_zone.lon is null then null
    else exists (
      select from privacy.location_zone z
      where z.bbox && pg_catalog.box(pg_catalog.point(in_location_zone.lon, in_location_zone.lat),
                                     pg_catalog.point(in_location_zone.lon, in_location_zone.lat))
        and (z.tenant is null or z.tenant = privacy.current_tenant())
        and pg_catalog.power((in_location_zone.lat - z.lat) * z.metres_per_deg_lat, 2)
            + pg_catalog.power((in_location_zone.lon - z.lon) * z.metres_per_deg_lon, 2)
            < pg_catalog.power(z.effective_radius_m, 2))
  end
$$;
comment on function privacy.in_location_zone(double precision, double precision) is
  'Whether the point is inside a privacy zone of the current tenant or of no tenant.';

-- Why definer: as in_location_zone. For anonymization at expiry, which runs without a tenant:
-- the zones of `tenant` and of no tenant, or every zone when tenant is NULL. Granted to the
-- sweeper only: it answers for any tenant.
create or replace function privacy.in_location_zone_of(lat double precision, lon double precision, tenant text)
returns boolean
language sql stable parallel safe security definer
set search_path = pg_catalog, pg_temp
as $$
  select case when in_location_zone_of.lat is null or in_location_zone_of.lon is null then null
    else exists (
      select from privacy.location_zone z
      where z.bbox && pg_catalog.box(pg_catalog.point(in_location_zone_of.lon, in_location_zone_of.lat),
                                     pg_catalog.point(in_location_zone_of.lon, in_location_zone_of.lat))
        and (z.tenant is null or in_location_zone_of.tenant is null or z.tenant = in_location_zone_of.tenant)
        and pg_catalog.power((in_location_zone_of.lat - z.lat) * z.metres_per_deg_lat, 2)
            + pg_catalog.power((in_location_zone_of.lon - z.lon) * z.metres_per_deg_lon, 2)
            < pg_catalog.power(z.effective_radius_m, 2))
  end
$$;
comment on function privacy.in_location_zone_of(double precision, double precision, text) is
  'Whether the point is inside a privacy zone of the given tenant or of no tenant (every zone for a NULL tenant); for anonymization.';

-- Why definer: as in_location_zone, for many points at once (one query, not one call per
-- point): an element per point, NULL where a coordinate is NULL.
create or replace function privacy.in_location_zones(lats double precision[], lons double precision[])
returns boolean[]
language sql stable parallel safe security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.array_agg(
           case when u.lat is null or u.lon is null then null
             else exists (
               select from privacy.location_zone z
               where z.bbox && pg_catalog.box(pg_catalog.point(u.lon, u.lat), pg_catalog.point(u.lon, u.lat))
                 and (z.tenant is null or z.tenant = (select privacy.current_tenant()))
                 and pg_catalog.power((u.lat - z.lat) * z.metres_per_deg_lat, 2)
                     + pg_catalog.power((u.lon - z.lon) * z.metres_per_deg_lon, 2)
                     < pg_catalog.power(z.effective_radius_m, 2))
           end order by u.n)
  from rows from (pg_catalog.unnest(lats), pg_catalog.unnest(lons)) with ordinality as u(lat, lon, n)
$$;
comment on function privacy.in_location_zones(double precision[], double precision[]) is
  'For each point of two arrays, whether it is inside a privacy zone of the current tenant or of no tenant.';

-- Why invoker: computes from its arguments; the zones are asked through in_location_zones, with
-- the caller's tenant. The points of one trip in time order, as two arrays: the points before
-- the first one outside every zone and after the last one are dropped, so the trip neither
-- starts nor ends in a zone; points in between are kept even where the trip crosses a zone. A
-- point with a NULL coordinate cannot be shown to be outside: at either end it is dropped too.
-- Returns the kept points with their position (1-based) in the arrays.
create or replace function privacy.trim_trip(lats double precision[], lons double precision[])
returns table (ordinal integer, lat double precision, lon double precision)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if pg_catalog.cardinality(lats) is distinct from pg_catalog.cardinality(lons) then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('trim_trip: %s latitudes but %s longitudes', pg_catalog.cardinality(lats), pg_catalog.cardinality(lons));
  end if;
  return query
    with pts as (
      select u.n::integer as n, u.lat, u.lon, coalesce(not u.inside, false) as outside
      from rows from (pg_catalog.unnest(lats), pg_catalog.unnest(lons), pg_catalog.unnest(privacy.in_location_zones(lats, lons)))
             with ordinality as u(lat, lon, inside, n)
    ), reach as (
      select p.*,
             pg_catalog.bool_or(p.outside) over (order by p.n rows between unbounded preceding and current row) as after_first,
             pg_catalog.bool_or(p.outside) over (order by p.n rows between current row and unbounded following) as before_last
      from pts p
    )
    select r.n, r.lat, r.lon from reach r where r.after_first and r.before_last order by r.n;
end
$$;
comment on function privacy.trim_trip(double precision[], double precision[]) is
  'The points of a trip (in time order) without those in privacy zones at its start and end.';

-- The strategy: NULL for a point in a zone, elsewhere the value, or its geo_grid cell when
-- `meters` is given. Alone (without pair_column, which declaring it requires) it cannot place
-- the point: NULL.
create or replace function privacy.mask_geo_trim(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select null::double precision
$$;
comment on function privacy.mask_geo_trim(double precision, jsonb) is
  'geo_trim needs the row''s other coordinate (pair_column): without it, NULL.';

create or replace function privacy.mask_geo_trim(value double precision, params jsonb, pair double precision, tenant text)
returns double precision
language sql stable parallel safe
as $$
  select case
    when value is null or pair is null then null
    when coalesce(privacy.in_location_zone(
           case when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat' then value else pair end,
           case when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat' then pair else value end), true)
      then null
    when privacy.param_float(params, 'meters', null) is null then value
    else privacy.mask_geo_grid(value, params, pair, tenant)
  end
$$;
comment on function privacy.mask_geo_trim(double precision, jsonb, double precision, text) is
  'geo_trim: NULL for a point in a privacy zone of the current tenant, else the value (its geo_grid cell when meters is given).';

-- Why invoker: builds text from its arguments; executes nothing. The geo_trim read mask as a
-- masked view runs it (sql/530-location-call.sql): the same answer as mask_geo_trim, with the
-- zone test of in_location_zone written out as subqueries on privacy.location_zone, which the
-- view's owner reads. `value_sql` and `pair_sql` are float8 expressions of the row;
-- `tenant_sql` the row's tenant as text (geo_grid's parameter when `meters` is given).
--
-- Most points are far from every zone, and a probe of the zones' GiST index costs about 36,000
-- instructions (bench/location-masking.ts, 1000 zones). So a grid comes first: square cells of
-- side s degrees, s the widest extent of the statement's zones' boxes (a scalar subquery,
-- evaluated once per statement), so that each box, widened by 1e-5° (more than the 1e-6 by which
-- && lets a point overlap), lies in at most 2 × 2 cells: its corners' cells. The set of those
-- cells is built once per statement and hashed; a point whose cell is not in it is outside every
-- box, and the index is asked only for the others. One large zone makes the cells large and the
-- grid less selective, never wrong. No subquery here has a subquery of its own (an initplan
-- inside a correlated subplan would make the view's expression parallel-restricted in
-- PostgreSQL 15 and 16: no parallel scan of the masked view at all).
create or replace function privacy.geo_trim_read_sql(value_sql text, pair_sql text, params jsonb, tenant_sql text)
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_lat text := case when params ->> 'axis' = 'lat' then value_sql else pair_sql end;
  v_lon text := case when params ->> 'axis' = 'lat' then pair_sql else value_sql end;
  -- The zones that count: this tenant's and those of no tenant (as in_location_zone).
  v_zones text := $z$(z.tenant is null or z.tenant OPERATOR(pg_catalog.=) privacy.current_tenant())$z$;
  v_side text;
begin
  -- The grid's cell side: the widest extent of the zones' boxes, widened (see above).
  v_side := pg_catalog.format($s$select pg_catalog.max(GREATEST(pg_catalog.width(z.bbox), pg_catalog.height(z.bbox)))
          OPERATOR(pg_catalog.+) 2e-5::pg_catalog.float8 as side from privacy.location_zone z where %s$s$, v_zones);
  return pg_catalog.format(
    $f$case when %1$s is null or %2$s is null then null::pg_catalog.float8
      when (pg_catalog.floor(%3$s OPERATOR(pg_catalog./) (%6$s)), pg_catalog.floor(%4$s OPERATOR(pg_catalog./) (%6$s))) in (
        select pg_catalog.floor(c.lat OPERATOR(pg_catalog./) g.side), pg_catalog.floor(c.lon OPERATOR(pg_catalog./) g.side)
        from (%6$s) g,
             privacy.location_zone z,
             lateral (values ((z.bbox[1])[1] OPERATOR(pg_catalog.-) 1e-5::pg_catalog.float8, (z.bbox[1])[0] OPERATOR(pg_catalog.-) 1e-5::pg_catalog.float8),
                             ((z.bbox[1])[1] OPERATOR(pg_catalog.-) 1e-5::pg_catalog.float8, (z.bbox[0])[0] OPERATOR(pg_catalog.+) 1e-5::pg_catalog.float8),
                             ((z.bbox[0])[1] OPERATOR(pg_catalog.+) 1e-5::pg_catalog.float8, (z.bbox[1])[0] OPERATOR(pg_catalog.-) 1e-5::pg_catalog.float8),
                             ((z.bbox[0])[1] OPERATOR(pg_catalog.+) 1e-5::pg_catalog.float8, (z.bbox[0])[0] OPERATOR(pg_catalog.+) 1e-5::pg_catalog.float8)) c(lat, lon)
        where %7$s) is not true then %5$s
      when exists (select from privacy.location_zone z
        where z.bbox OPERATOR(pg_catalog.&&) pg_catalog.box(pg_catalog.point(%4$s, %3$s), pg_catalog.point(%4$s, %3$s))
          and %7$s
          and pg_catalog.power((%3$s OPERATOR(pg_catalog.-) z.lat) OPERATOR(pg_catalog.*) z.metres_per_deg_lat, 2)
              OPERATOR(pg_catalog.+) pg_catalog.power((%4$s OPERATOR(pg_catalog.-) z.lon) OPERATOR(pg_catalog.*) z.metres_per_deg_lon, 2)
              OPERATOR(pg_catalog.<) pg_catalog.power(z.effective_radius_m, 2)) then null::pg_catalog.float8
      else %5$s end$f$,
    value_sql, pair_sql, v_lat, v_lon,
    case when privacy.param_float(params, 'meters', null) is null then value_sql
         else pg_catalog.format('privacy.mask_geo_grid(%s, %L::pg_catalog.jsonb, %s, %s)', value_sql, params::pg_catalog.text, pair_sql, tenant_sql) end,
    v_side, v_zones);
end
$$;
comment on function privacy.geo_trim_read_sql(text, text, jsonb, text) is
  'The geo_trim read mask as a masked view runs it: the zone test as a subquery on privacy.location_zone (internal; sql/530).';

create or replace function privacy.anonymize_geo_trim(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select null::double precision
$$;
comment on function privacy.anonymize_geo_trim(double precision, jsonb) is
  'geo_trim anonymization needs the row''s other coordinate (pair_column): without it, NULL.';

create or replace function privacy.anonymize_geo_trim(value double precision, params jsonb, pair double precision, tenant text)
returns double precision
language sql stable parallel safe
as $$
  select case
    when value is null or pair is null then null
    when coalesce(privacy.in_location_zone_of(
           case when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat' then value else pair end,
           case when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat' then pair else value end,
           tenant), true)
      then null
    when privacy.param_float(params, 'meters', null) is null then value
    else privacy.mask_geo_grid(value, params, pair, tenant)
  end
$$;
comment on function privacy.anonymize_geo_trim(double precision, jsonb, double precision, text) is
  'geo_trim anonymization: NULL for a point in a privacy zone of the row''s tenant (tenant_column; every zone without one), else the value or its geo_grid cell.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_geo_trim(double precision, jsonb),
  privacy.mask_geo_trim(double precision, jsonb, double precision, text),
  privacy.anonymize_geo_trim(double precision, jsonb),
  privacy.in_location_zone(double precision, double precision),
  privacy.in_location_zones(double precision[], double precision[]),
  privacy.trim_trip(double precision[], double precision[])
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;

-- The masked views' owner reads the zones: the geo_trim read mask tests each point against them
-- in the view itself (geo_trim_read_sql). It already reads every protected table raw to compute
-- the masks, so the zones give it nothing new; the application reaches them only through the
-- trimmed values, as through in_location_zone before.
grant select on privacy.location_zone to privacy_view_owner;

-- Sweeps only: zones of any tenant, and what anonymizes with them.
grant execute on function
  privacy.in_location_zone_of(double precision, double precision, text),
  privacy.anonymize_geo_trim(double precision, jsonb, double precision, text)
  to privacy_sweeper;

-- Admins may preview the SQL of a strategy (privacy.location_call, sql/530).
grant execute on function privacy.geo_trim_read_sql(text, text, jsonb, text) to privacy_admin;

-- Admins declare and list zones.
grant execute on function
  privacy.add_location_zone(double precision, double precision, double precision, text, text, text, double precision),
  privacy.drop_location_zone(bigint),
  privacy.drop_location_zones(text, text),
  privacy.location_zones()
  to privacy_admin;
