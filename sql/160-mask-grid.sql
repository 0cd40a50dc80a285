-- integritet: the `grid` strategy — a latitude or longitude snapped to the centre of its cell.
--
-- A position becomes "somewhere in this square of about `meters`": enough for heat maps and
-- route statistics, not enough to tell which house. A cell is meters / 111,195 degrees of
-- latitude (mean length of a degree on the sphere of radius 6371 km). A degree of longitude is
-- shorter by cos(latitude), which a function of one column cannot know; it is sized at
-- `reference_latitude` instead (default 60, mid-Sweden), so cells are about `meters` wide
-- there, wider toward the poles and narrower toward the equator. Each coordinate column should
-- declare its `axis`; without one (`either`), cells take the longitude size on both axes, at
-- least `meters` either way (latitude is then coarser than asked: cos 60° = 0.5, twice as
-- coarse). Written as described in sql/100-strategy-building-blocks.sql.
--
-- needs: 100-strategy-building-blocks

-- Why: the snapping itself, the same for both axes; kept within ±limit (a cell centre may lie
-- past 90° or 180° when the cell does not divide the range).
create or replace function privacy.grid_centre(value double precision, cell double precision, limit_degrees double precision)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when value is null or cell is null then null
    else least(greatest((pg_catalog.floor(value OPERATOR(pg_catalog./) cell) OPERATOR(pg_catalog.+) 0.5::double precision)
                        OPERATOR(pg_catalog.*) cell,
                        OPERATOR(pg_catalog.-) limit_degrees), limit_degrees)
  end
$$;
comment on function privacy.grid_centre(double precision, double precision, double precision) is
  'The centre of the cell of size `cell` that holds value, kept within ±limit_degrees.';

create or replace function privacy.mask_grid(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when privacy.param_text(params, 'axis', 'either') OPERATOR(pg_catalog.=) 'lat'
      then privacy.grid_centre(value, privacy.param_float(params, 'meters', 1000) OPERATOR(pg_catalog./) 111195, 90)
    when privacy.param_text(params, 'axis', 'either') OPERATOR(pg_catalog.=) 'lon'
      or privacy.param_text(params, 'axis', 'either') OPERATOR(pg_catalog.=) 'either'
      then privacy.grid_centre(value,
             privacy.param_float(params, 'meters', 1000)
             OPERATOR(pg_catalog./) (111195 OPERATOR(pg_catalog.*) pg_catalog.cosd(privacy.param_float(params, 'reference_latitude', 60))),
             180)
  end
$$;
comment on function privacy.mask_grid(double precision, jsonb) is
  'grid: the centre of the value''s cell of meters (default 1000) along axis lat, lon or either (default; lon and either sized at reference_latitude, default 60).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.grid_centre(double precision, double precision, double precision),
  privacy.mask_grid(double precision, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
