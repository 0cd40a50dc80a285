-- integritet: location strategies, part 2 — geo-indistinguishable noise, the `geo_noise` strategy.
--
-- Geo-indistinguishability (Andrés et al., CCS 2013): a mechanism is ε-geo-indistinguishable when
-- for any two true points x, x' and any output z, P(z | x) ≤ e^(ε·d(x, x')) · P(z | x'): points
-- within r metres of each other are hard to tell apart, ε·r being the privacy loss. ε is in 1/m;
-- ε = 0.01 moves a point by 2/ε = 200 m on average.
--
-- The planar Laplace mechanism achieves it: density ∝ e^(−ε·d). Drawn in polar coordinates
-- (the paper's method): angle θ uniform in [0, 2π), radius r = C⁻¹(p) for p uniform in [0, 1),
-- where C(r) = 1 − (1 + εr)·e^(−εr) is the radius' distribution, whose inverse is
-- r = −(1/ε)·(W₋₁((p − 1)/e) + 1), W₋₁ the lower branch of the Lambert W function (computed below
-- by Halley's iteration). The radius' mean is 2/ε.
--
-- Where the draws come from: gen_random_uuid() (core, the strong random source), not random(),
-- whose generator a reading session can fix with setseed(), or predict from its own outputs, and
-- so subtract the noise.
--
-- How the strategy uses it, and why reads and anonymization differ:
--   * Anonymizing (retention: the stored point is replaced for good) moves the point by ONE planar
--     draw, shared by the latitude and the longitude: each column's expression derives the draw
--     from an HMAC of the true point under a random key that lives in the sweeping transaction
--     only (a setting, never stored), so both compute the same θ and r. Nobody can replay it
--     later: the key is gone when the transaction ends.
--   * A read mask cannot do that safely. A view computes each column on its own, so one draw can
--     be shared only through a seed both compute, and the reader may call the mask itself, in the
--     same statement, on guessed points: with coordinates stored to 1e-6°, trying the points near
--     what it read until one maps to it is a search of about 10^8. So reads draw fresh noise for
--     each axis independently: Laplace noise of scale √2/ε metres on each. For the pair,
--     P(z | x)/P(z | x') ≤ e^((ε/√2)(|Δnorth| + |Δeast|)) ≤ e^(ε·d(x, x')): ε-geo-indistinguishable,
--     as the planar mechanism, at some cost in accuracy. A fresh draw at every read: reading the
--     same row n times and averaging costs n·ε (as any noise, sql/142); geo_grid does not.
--     In a masked view the two axes' draws come from one: the view draws 16 bytes once for each
--     point of the row (sql/200), and the latitude and the longitude read disjoint bits of them
--     (laplace_metres_of_draw), independent as two draws are. The reader never sees the draw, and
--     the view makes a new one at each read.
-- Written as described in sql/100-strategy-building-blocks.sql; the iteration and the keyed draw
-- are PL/pgSQL with a pinned search_path (not strategies themselves, called by them).
--
-- needs: 100-strategy-building-blocks, 130-hmac-sha256, 500-location-grid

-- privacy.strong_uniform() (a uniform draw from the strong random source) is in sql/100.

-- Why: W₋₁(x) for x in [−1/e, 0): the w ≤ −1 with w·e^w = x. Start near the branch point from
-- its series in p = −sqrt(2(e·x + 1)), elsewhere from the asymptote ln(−x) − ln(−ln(−x)); then
-- Halley's iteration, which converges cubically (three or four steps to double precision).
-- Outside the domain: NULL (0 itself is −∞).
create or replace function privacy.lambert_w_m1(x double precision)
returns double precision
language plpgsql immutable strict parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_branch constant double precision := -0.36787944117144233;  -- −1/e
  v_w    double precision;
  v_ew   double precision;
  v_f    double precision;
  v_step double precision;
  v_p    double precision;
begin
  if x < v_branch - 1e-15 or x >= 0 then
    return null;
  end if;
  if x <= v_branch then
    return -1;
  end if;
  if x < -0.25 then
    v_p := -pg_catalog.sqrt(2 * (2.7182818284590452 * x + 1));
    v_w := -1 + v_p - v_p * v_p / 3 + 11 * v_p * v_p * v_p / 72;
  else
    v_w := pg_catalog.ln(-x) - pg_catalog.ln(-pg_catalog.ln(-x));
  end if;
  for i in 1..20 loop
    -- At w = −1 the derivative vanishes; a start that close is already exact.
    exit when v_w >= -1;
    v_ew := pg_catalog.exp(v_w);
    v_f := v_w * v_ew - x;
    exit when v_f = 0;
    v_step := v_f / (v_ew * (v_w + 1) - (v_w + 2) * v_f / (2 * v_w + 2));
    v_w := v_w - v_step;
    exit when pg_catalog.abs(v_step) <= 1e-15 * pg_catalog.abs(v_w);
  end loop;
  return least(v_w, -1);
end
$$;
comment on function privacy.lambert_w_m1(double precision) is
  'The lower branch W₋₁ of the Lambert W function on [−1/e, 0), by Halley''s iteration.';

-- Why: the inverse of the planar Laplace radius' distribution, C⁻¹(p) = −(1/ε)(W₋₁((p − 1)/e) + 1),
-- in metres. p = 0 gives 0; p → 1 gives ever larger radii.
create or replace function privacy.planar_laplace_radius(epsilon double precision, p double precision)
returns double precision
language sql immutable parallel safe
as $$
  select (OPERATOR(pg_catalog.-) (privacy.lambert_w_m1((p OPERATOR(pg_catalog.-) 1::double precision)
                                                       OPERATOR(pg_catalog./) 2.7182818284590452::double precision)
                                  OPERATOR(pg_catalog.+) 1::double precision))
         OPERATOR(pg_catalog./) epsilon
$$;
comment on function privacy.planar_laplace_radius(double precision, double precision) is
  'Radius in metres of the planar Laplace mechanism with parameter epsilon (1/m) at probability p: the inverse of 1 − (1 + εr)e^(−εr).';

-- Why: one coordinate of Laplace noise of the given scale (metres), from ONE draw of the strong
-- random source (a version-4 UUID, 122 random bits, mixed into 64 by the core uuid hash), used
-- once. Its top 54 bits, made odd, give u = ±(k + ½)/2^52 with k uniform in [0, 2^52): a sign
-- and a magnitude, independent. The noise is scale·(−sgn u·ln|u|): the sign times an
-- exponential draw, so |noise| ≤ 36.7·scale. Written without using u twice, so that it can be
-- inlined (an inlined argument is evaluated where it is used: a second use would be a second
-- draw): with θ = atan u, cot 2θ = (1/u − u)/2 = sinh(−ln u) for u > 0, so asinh(cot(2·atan u))
-- = −ln u, and the whole is odd in u. Inlined, a draw costs the UUID and three libm calls
-- (about 9,000 instructions); called, as PL/pgSQL, it cost 13,400 (and 23,600 as two draws).
create or replace function privacy.laplace_metres(scale double precision)
returns double precision
language sql volatile parallel safe
as $$
  select scale OPERATOR(pg_catalog.*) pg_catalog.asinh(pg_catalog.cot(2::double precision OPERATOR(pg_catalog.*) pg_catalog.atan(
           ((pg_catalog.uuid_hash_extended(pg_catalog.gen_random_uuid(), 0::bigint) OPERATOR(pg_catalog.>>) 10)
            OPERATOR(pg_catalog.|) 1::bigint)::double precision
           OPERATOR(pg_catalog./) 9007199254740992::double precision)))
$$;
comment on function privacy.laplace_metres(double precision) is 'A draw of Laplace noise with the given scale (mean absolute value = scale).';

-- Why: a longitude brought into [−180, 180], as one use of its argument: tan has the period
-- 180° that wrapping by 360° needs of the half angle, and atan returns the principal half angle.
-- Written with the argument once so that a noisy longitude (a volatile draw) is inlined into
-- it and drawn once; in double precision (within 5e-14°), not numeric, whose conversions from
-- and to double precision cost about 3,000 instructions a value. 180° and −180° are the same
-- meridian; either may come out for it. NaN stays NaN; an infinite longitude is refused (input
-- is out of range), as the metres of a degree (sind, cosd) refuse an infinite latitude.
create or replace function privacy.geo_wrap_lon(lon double precision)
returns double precision
language sql immutable parallel safe
as $$
  select 2::double precision OPERATOR(pg_catalog.*) pg_catalog.atand(pg_catalog.tand(lon OPERATOR(pg_catalog./) 2::double precision))
$$;
comment on function privacy.geo_wrap_lon(double precision) is
  'The longitude lon wrapped into [-180, 180] (the same meridian).';

-- Why: a latitude moved by north_m metres (WGS84 scale at that latitude), kept within ±90.
-- NULL in, NULL out (LEAST and GREATEST would turn a NULL into a pole).
create or replace function privacy.geo_offset_lat(lat double precision, north_m double precision)
returns double precision
language sql immutable parallel safe
as $$
  select case when lat is null or north_m is null then null
              else least(greatest(lat OPERATOR(pg_catalog.+) (north_m OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lat(lat)),
                                  (-90)::double precision), 90::double precision) end
$$;
comment on function privacy.geo_offset_lat(double precision, double precision) is
  'The latitude lat moved north_m metres north (negative: south), within ±90.';

-- Why: a longitude moved by east_m metres at latitude lat, wrapped into [−180, 180].
create or replace function privacy.geo_offset_lon(lat double precision, lon double precision, east_m double precision)
returns double precision
language sql immutable parallel safe
as $$
  select privacy.geo_wrap_lon(lon OPERATOR(pg_catalog.+) (east_m OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lon(lat)))
$$;
comment on function privacy.geo_offset_lon(double precision, double precision, double precision) is
  'The longitude lon (at latitude lat) moved east_m metres east (negative: west), wrapped into [-180, 180].';

-- Why: both at once, for functions that move whole points.
create or replace function privacy.geo_offset(from_lat double precision, from_lon double precision,
                                              north_m double precision, east_m double precision,
                                              out lat double precision, out lon double precision)
language sql immutable parallel safe
as $$
  select privacy.geo_offset_lat(from_lat, north_m), privacy.geo_offset_lon(from_lat, from_lon, east_m)
$$;
comment on function privacy.geo_offset(double precision, double precision, double precision, double precision) is
  'The point (from_lat, from_lon) moved north_m metres north and east_m metres east (local tangent plane, WGS84).';

-- Why: the planar Laplace mechanism on a point, drawn fresh: for queries and exports that
-- release both coordinates at once (e.g. `cross join lateral privacy.geo_noise(p.lat, p.lon, 0.01) n`).
-- PL/pgSQL, so the draw is made once and used for both coordinates (a SQL body could be
-- flattened into its caller, each use of the draw drawing again), and cheaply per row.
create or replace function privacy.geo_noise(point_lat double precision, point_lon double precision, epsilon double precision)
returns table (lat double precision, lon double precision)
language plpgsql volatile parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_theta double precision;
  v_r     double precision;
begin
  if point_lat is null or point_lon is null or epsilon is null or epsilon <= 0 then
    return;
  end if;
  v_theta := 6.2831853071795862 * privacy.strong_uniform();
  v_r := privacy.planar_laplace_radius(epsilon, privacy.strong_uniform());
  lat := privacy.geo_offset_lat(point_lat, v_r * pg_catalog.sin(v_theta));
  lon := privacy.geo_offset_lon(point_lat, point_lon, v_r * pg_catalog.cos(v_theta));
  return next;
end
$$;
comment on function privacy.geo_noise(double precision, double precision, double precision) is
  'The point moved by one fresh draw of the planar Laplace mechanism with parameter epsilon (1/m); no row for NULL input.';

-- Why invoker: reads and sets a transaction-local setting of the caller's own session. The key
-- of the anonymizing draws: 32 random bytes, made on first use in a transaction, stamped with
-- that transaction's start (as privacy.set_tenant does) so that a value left by a session-level
-- SET is never used. Gone at the end of the transaction; never stored.
create or replace function privacy.location_noise_key()
returns bytea
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_stamp pg_catalog.text := pg_catalog.now()::pg_catalog.text;
  v_key   pg_catalog.text;
begin
  -- A key set in this transaction is stamped with its start; any other value is replaced.
  if pg_catalog.current_setting('privacy.location_noise_stamp', true) is distinct from v_stamp then
    v_key := pg_catalog.encode(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
                               || pg_catalog.uuid_send(pg_catalog.gen_random_uuid()), 'hex');
    perform pg_catalog.set_config('privacy.location_noise_key', v_key, true);
    perform pg_catalog.set_config('privacy.location_noise_stamp', v_stamp, true);
  end if;
  return pg_catalog.decode(pg_catalog.current_setting('privacy.location_noise_key'), 'hex');
end
$$;
comment on function privacy.location_noise_key() is
  'The random key of this transaction''s anonymizing location draws (transaction-local, never stored).';

-- Why invoker: computes from its arguments and the caller's own transaction key. One planar
-- Laplace draw for the point, the same for every call with the same point in this transaction:
-- θ and p from the two halves of HMAC-SHA256(key, lat ‖ lon).
create or replace function privacy.geo_noise_keyed(point_lat double precision, point_lon double precision,
                                                   epsilon double precision,
                                                   out lat double precision, out lon double precision)
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_key   pg_catalog.bytea;
  v_mac   pg_catalog.bytea;
  v_theta double precision;
  v_r     double precision;
begin
  if point_lat is null or point_lon is null or epsilon is null or epsilon <= 0 then
    return;
  end if;
  -- The key in a variable first: passed as a call, it would keep hmac_sha256 from being inlined.
  v_key := privacy.location_noise_key();
  v_mac := privacy.hmac_sha256(v_key, pg_catalog.float8send(point_lat) || pg_catalog.float8send(point_lon));
  v_theta := 6.2831853071795862 * (('x' || pg_catalog.encode(pg_catalog.substr(v_mac, 1, 6), 'hex'))::bit(48)::bigint)::double precision
             / 281474976710656;
  v_r := privacy.planar_laplace_radius(epsilon,
           (('x' || pg_catalog.encode(pg_catalog.substr(v_mac, 17, 6), 'hex'))::bit(48)::bigint)::double precision / 281474976710656);
  lat := privacy.geo_offset_lat(point_lat, v_r * pg_catalog.sin(v_theta));
  lon := privacy.geo_offset_lon(point_lat, point_lon, v_r * pg_catalog.cos(v_theta));
end
$$;
comment on function privacy.geo_noise_keyed(double precision, double precision, double precision) is
  'The point moved by the planar Laplace draw that this transaction''s key gives it (anonymization; internal).';

-- The read mask (see the banner): fresh Laplace noise of scale √2/ε metres on this axis. A
-- latitude needs nothing else; a longitude needs its latitude (its metres per degree), and
-- alone gives NULL. The noise is bounded rather than the sum, so that the random draw is used
-- once and the function stays inlinable.
create or replace function privacy.mask_geo_noise(value double precision, params jsonb)
returns double precision
language sql volatile parallel safe
as $$
  select case
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then value OPERATOR(pg_catalog.+) greatest(least(
             privacy.laplace_metres(1.4142135623730951::double precision OPERATOR(pg_catalog./) privacy.param_float(params, 'epsilon', 0.01))
             OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lat(value),
             (90::double precision OPERATOR(pg_catalog.-) value)), ((-90)::double precision OPERATOR(pg_catalog.-) value))
  end
$$;
comment on function privacy.mask_geo_noise(double precision, jsonb) is
  'geo_noise read mask on a latitude without its pair: fresh Laplace noise of scale √2/epsilon metres; NULL for a longitude.';

create or replace function privacy.mask_geo_noise(value double precision, params jsonb, pair double precision, tenant text)
returns double precision
language sql volatile parallel safe
as $$
  select case
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then privacy.mask_geo_noise(value, params)
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lon'
      then privacy.geo_wrap_lon(value OPERATOR(pg_catalog.+)
             (privacy.laplace_metres(1.4142135623730951::double precision OPERATOR(pg_catalog./) privacy.param_float(params, 'epsilon', 0.01))
              OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lon(pair)))
  end
$$;
comment on function privacy.mask_geo_noise(double precision, jsonb, double precision, text) is
  'geo_noise read mask: fresh Laplace noise of scale √2/epsilon metres on this axis (value), pair the row''s other coordinate; ε-geo-indistinguishable for the point.';

-- Why: one coordinate of Laplace noise of the given scale (metres) from bits of a draw the
-- masked view makes once per point and row (sql/200: uuid_send(gen_random_uuid()), 16 bytes of
-- which 122 bits are random; bytes 6 and 8 hold the UUID's version and variant). The bits are
-- the lead byte's top bit (the sign) and its low nibble with the six bytes from `first` (k, 52
-- bits): u = (k + ½)/2^52 in (0, 1), and −ln u is an exponential draw (≤ 36.7), so the noise has
-- laplace_metres' distribution. A latitude reads lead byte 7 and bytes 0–5, a longitude lead
-- byte 9 and bytes 10–15 (mask_geo_noise below): disjoint bits, so the two axes' noise is as
-- independent as two draws, at the price of one (a draw of the strong source costs about 1 µs,
-- most of a noisy point's time). Inlined; `draw` is a column of the view's row, read eight times.
create or replace function privacy.laplace_metres_of_draw(scale double precision, draw bytea, lead integer, first integer)
returns double precision
language sql immutable parallel safe
as $$
  select scale
         OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.-) ((pg_catalog.get_byte(draw, lead) OPERATOR(pg_catalog.>>) 7)
                                                           OPERATOR(pg_catalog.<<) 1))::double precision
         OPERATOR(pg_catalog.*) (36.7368005696771::double precision OPERATOR(pg_catalog.-) pg_catalog.ln(
           (((pg_catalog.get_byte(draw, lead) OPERATOR(pg_catalog.&) 15)::bigint OPERATOR(pg_catalog.<<) 49)
             OPERATOR(pg_catalog.|) (pg_catalog.get_byte(draw, first)::bigint OPERATOR(pg_catalog.<<) 41)
             OPERATOR(pg_catalog.|) (pg_catalog.get_byte(draw, first OPERATOR(pg_catalog.+) 1)::bigint OPERATOR(pg_catalog.<<) 33)
             OPERATOR(pg_catalog.|) (pg_catalog.get_byte(draw, first OPERATOR(pg_catalog.+) 2)::bigint OPERATOR(pg_catalog.<<) 25)
             OPERATOR(pg_catalog.|) ((pg_catalog.get_byte(draw, first OPERATOR(pg_catalog.+) 3) OPERATOR(pg_catalog.<<) 17)
                                     OPERATOR(pg_catalog.|) (pg_catalog.get_byte(draw, first OPERATOR(pg_catalog.+) 4) OPERATOR(pg_catalog.<<) 9)
                                     OPERATOR(pg_catalog.|) (pg_catalog.get_byte(draw, first OPERATOR(pg_catalog.+) 5) OPERATOR(pg_catalog.<<) 1)
                                     OPERATOR(pg_catalog.|) 1)::bigint)::double precision))
$$;
comment on function privacy.laplace_metres_of_draw(double precision, bytea, integer, integer) is
  'Laplace noise of the given scale (metres) from 53 bits of a strong draw: the top bit and low nibble of byte lead, bytes first to first + 5.';

-- The read mask in a masked view: as above, with the noise of each axis from its own bits of the
-- point's one draw (laplace_metres_of_draw), written by the view generator (sql/200, sql/530).
-- Immutable: the same draw gives the same value, so a WHERE on the column sees what it shows.
create or replace function privacy.mask_geo_noise(value double precision, params jsonb, pair double precision, tenant text,
                                                  draw bytea)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when draw is null then null::double precision
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then value OPERATOR(pg_catalog.+) greatest(least(
             privacy.laplace_metres_of_draw(1.4142135623730951::double precision OPERATOR(pg_catalog./) privacy.param_float(params, 'epsilon', 0.01),
                                            draw, 7, 0)
             OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lat(value),
             (90::double precision OPERATOR(pg_catalog.-) value)), ((-90)::double precision OPERATOR(pg_catalog.-) value))
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lon'
      then privacy.geo_wrap_lon(value OPERATOR(pg_catalog.+)
             (privacy.laplace_metres_of_draw(1.4142135623730951::double precision OPERATOR(pg_catalog./) privacy.param_float(params, 'epsilon', 0.01),
                                             draw, 9, 10)
              OPERATOR(pg_catalog./) privacy.geo_metres_per_deg_lon(pair)))
  end
$$;
comment on function privacy.mask_geo_noise(double precision, jsonb, double precision, text, bytea) is
  'geo_noise read mask in a masked view: Laplace noise of scale √2/epsilon metres on this axis from its own bits of the point''s strong draw (draw, made once a row by the view).';

-- Anonymization: the point moved by its one shared planar draw (see the banner). Needs the
-- pair; alone it gives NULL, never the value.
create or replace function privacy.anonymize_geo_noise(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select null::double precision
$$;
comment on function privacy.anonymize_geo_noise(double precision, jsonb) is
  'geo_noise anonymization needs the row''s other coordinate (pair_column): without it, NULL.';

create or replace function privacy.anonymize_geo_noise(value double precision, params jsonb, pair double precision, tenant text)
returns double precision
language sql volatile parallel unsafe
as $$
  select case
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lat'
      then (privacy.geo_noise_keyed(value, pair, privacy.param_float(params, 'epsilon', 0.01))).lat
    when privacy.param_text(params, 'axis', null) OPERATOR(pg_catalog.=) 'lon'
      then (privacy.geo_noise_keyed(pair, value, privacy.param_float(params, 'epsilon', 0.01))).lon
  end
$$;
comment on function privacy.anonymize_geo_noise(double precision, jsonb, double precision, text) is
  'geo_noise anonymization: this axis of the point moved by one planar Laplace draw (epsilon, 1/m) shared with its pair.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.lambert_w_m1(double precision),
  privacy.planar_laplace_radius(double precision, double precision),
  privacy.laplace_metres(double precision),
  privacy.geo_wrap_lon(double precision),
  privacy.geo_offset_lat(double precision, double precision),
  privacy.geo_offset_lon(double precision, double precision, double precision),
  privacy.geo_offset(double precision, double precision, double precision, double precision),
  privacy.geo_noise(double precision, double precision, double precision),
  privacy.mask_geo_noise(double precision, jsonb),
  privacy.mask_geo_noise(double precision, jsonb, double precision, text),
  privacy.laplace_metres_of_draw(double precision, bytea, integer, integer),
  privacy.mask_geo_noise(double precision, jsonb, double precision, text, bytea),
  privacy.anonymize_geo_noise(double precision, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;

-- Sweeps only: anonymizing under the transaction's key, zones of any tenant.
grant execute on function
  privacy.location_noise_key(),
  privacy.geo_noise_keyed(double precision, double precision, double precision),
  privacy.anonymize_geo_noise(double precision, jsonb, double precision, text)
  to privacy_sweeper;
