-- integritet: location strategies, part 1 — the earth's metric and the `geo_grid` strategy.
--
-- The location strategies (sql/500–599) work on a point stored as two columns, a latitude and a
-- longitude in degrees (WGS84). A mask sees one column, but a longitude's metres depend on its
-- latitude, and a point is in a privacy zone or not as a whole; so a strategy on one coordinate
-- may name the row's other one in its parameter `pair_column`, and the generators pass that
-- column's value along (privacy.location_call, sql/530). Functions here are written as described
-- in sql/100-strategy-building-blocks.sql: language sql, no SET clause, every name qualified.
--
-- Inlining and its one trap: PostgreSQL inlines a function whose parameter is used more than once
-- only when the argument is cheap (at most ~10 operators). The grid's longitude cell depends on
-- the latitude band, an expression of that size, so the bodies below repeat a call (with the
-- cheap column as its argument) rather than hand a computed value to a helper that would then not
-- be inlined.
--
-- `geo_grid`: a point becomes the centre of its cell of `meters` × `meters`, at every latitude.
--   * Latitude: bands of meters / 111,132.95 degrees, the mean length of a degree along a
--     meridian (a quarter meridian is 10,001,965.7 m). The true length of a degree of latitude is
--     110,574 m at the equator and 111,694 m at the poles, so a band's height is within 0.5 % of
--     `meters` anywhere (+0.17 % at 55°, +0.36 % at 68°). Equal heights in degrees keep the bands
--     a partition that needs no iteration to invert.
--   * Longitude: within a band, cells of meters / (metres per degree of longitude at the band's
--     centre latitude) degrees: on the WGS84 ellipsoid a parallel's degree is N(φ)·cos φ·π/180
--     metres, N the prime vertical radius. Every cell of a band has the same width, the stated
--     size at the band's centre (within 0.05 % across a band of 1 km at 70°). Near a pole a band
--     is one cell (a width of at most 360°).
-- A cell's centre depends on the cell alone, never on where in it the point was.
--
-- Every OPERATOR(pg_catalog.x) has one and the same precedence, left to right, whatever x is:
-- the bodies here and in sql/510–599 parenthesise every mixed expression.
--
-- needs: 100-strategy-building-blocks

-- Why: the WGS84 metres of one degree of latitude at a latitude (the meridional radius of
-- curvature M = a(1 − e²)/(1 − e² sin²φ)^1.5, times π/180), for converting metres north to degrees.
create or replace function privacy.geo_metres_per_deg_lat(lat double precision)
returns double precision
language sql immutable parallel safe
as $$
  select 110574.27582159435::double precision
         OPERATOR(pg_catalog./) pg_catalog.power(
           1::double precision OPERATOR(pg_catalog.-)
             (0.0066943799901413165::double precision OPERATOR(pg_catalog.*) pg_catalog.power(pg_catalog.sind(lat), 2::double precision)),
           1.5::double precision)
$$;
comment on function privacy.geo_metres_per_deg_lat(double precision) is
  'Metres of one degree of latitude at a latitude, on the WGS84 ellipsoid.';

-- Why: the WGS84 metres of one degree of longitude at a latitude, N(φ)·cos φ·π/180, written
-- with the latitude once: a·π/180 / sqrt((1 − e²)/cos²φ + e²). At a pole cos φ = 0: adding
-- 1e-30 to cos² keeps it finite (and tiny) instead of dividing by zero, and NULL stays NULL.
create or replace function privacy.geo_metres_per_deg_lon(lat double precision)
returns double precision
language sql immutable parallel safe
as $$
  select 111319.49079327357::double precision
         OPERATOR(pg_catalog./) pg_catalog.sqrt(
           (0.99330562000985867::double precision
             OPERATOR(pg_catalog./) (pg_catalog.power(pg_catalog.cosd(lat), 2::double precision) OPERATOR(pg_catalog.+) 1e-30::double precision))
           OPERATOR(pg_catalog.+) 0.0066943799901413165::double precision)
$$;
comment on function privacy.geo_metres_per_deg_lon(double precision) is
  'Metres of one degree of longitude at a latitude, on the WGS84 ellipsoid.';

-- Why: the centre latitude of a point's band (see the banner). NULL stays NULL: LEAST and
-- GREATEST skip NULLs, and would turn it into a pole.
create or replace function privacy.geo_grid_lat(lat double precision, meters double precision)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when lat is null or meters is null then null
    else least(greatest(
           (pg_catalog.floor(lat OPERATOR(pg_catalog./) (meters OPERATOR(pg_catalog./) 111132.952548::double precision))
            OPERATOR(pg_catalog.+) 0.5::double precision)
           OPERATOR(pg_catalog.*) (meters OPERATOR(pg_catalog./) 111132.952548::double precision),
           (-90)::double precision), 90::double precision)
  end
$$;
comment on function privacy.geo_grid_lat(double precision, double precision) is
  'The latitude of the centre of the grid band of `meters` (N-S) that holds lat.';

-- Why: the width in degrees of the longitude cells of lat's band: `meters` at the band's centre
-- latitude, at most 360.
create or replace function privacy.geo_grid_lon_cell(lat double precision, meters double precision)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when lat is null or meters is null then null
    else least(meters OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lon(privacy.geo_grid_lat(lat, meters)),
               360::double precision)
  end
$$;
comment on function privacy.geo_grid_lon_cell(double precision, double precision) is
  'Width in degrees of the longitude cells in the band of lat: `meters` at the band''s centre latitude.';

-- Why: the centre longitude of the point's cell. The cell width is written twice, each time as
-- a call on the cheap arguments (see the banner on inlining); the last cell before 180° may be
-- narrower, and its centre is kept at 180° at most.
create or replace function privacy.geo_grid_lon(lat double precision, lon double precision, meters double precision)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when lat is null or lon is null or meters is null then null
    else least(
           ((pg_catalog.floor((lon OPERATOR(pg_catalog.+) 180::double precision)
                              OPERATOR(pg_catalog./) privacy.geo_grid_lon_cell(lat, meters))
             OPERATOR(pg_catalog.+) 0.5::double precision)
            OPERATOR(pg_catalog.*) privacy.geo_grid_lon_cell(lat, meters))
           OPERATOR(pg_catalog.-) 180::double precision,
           180::double precision)
  end
$$;
comment on function privacy.geo_grid_lon(double precision, double precision, double precision) is
  'The longitude of the centre of the grid cell of `meters` × `meters` that holds the point (lat, lon).';

-- The strategy. Alone (no pair_column) it can snap a latitude; a longitude needs its latitude,
-- and without one gives NULL, never the value (declaring it so is refused: sql/530).
create or replace function privacy.mask_geo_grid(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then privacy.geo_grid_lat(value, privacy.param_float(params, 'meters', 1000))
  end
$$;
comment on function privacy.mask_geo_grid(double precision, jsonb) is
  'geo_grid on a latitude without its pair: the centre of its band of meters (default 1000); NULL for a longitude.';

-- With the row's other coordinate (`pair`); `tenant` is not used by this strategy.
create or replace function privacy.mask_geo_grid(value double precision, params jsonb, pair double precision, tenant text)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then privacy.geo_grid_lat(value, privacy.param_float(params, 'meters', 1000))
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lon'
      then privacy.geo_grid_lon(pair, value, privacy.param_float(params, 'meters', 1000))
  end
$$;
comment on function privacy.mask_geo_grid(double precision, jsonb, double precision, text) is
  'geo_grid: the centre of the point''s cell of meters × meters (default 1000); value is the axis coordinate, pair the other one.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.geo_metres_per_deg_lat(double precision),
  privacy.geo_metres_per_deg_lon(double precision),
  privacy.geo_grid_lat(double precision, double precision),
  privacy.geo_grid_lon_cell(double precision, double precision),
  privacy.geo_grid_lon(double precision, double precision, double precision),
  privacy.mask_geo_grid(double precision, jsonb),
  privacy.mask_geo_grid(double precision, jsonb, double precision, text)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
