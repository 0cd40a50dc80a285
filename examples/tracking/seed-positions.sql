-- Tracking seed, step 3 of 3: the GPS fixes of every planned trip (see seed-trip-plan.sql).
-- Fix k of a trip lies k steps along the trip's first heading, turning after turn_after steps,
-- plus up to ±4 m of GPS jitter; speed is the trip's speed ± 5 km/h, 0 at both ends, and the
-- ignition goes off at the last fix. The jitter comes from an integer hash of the position id and
-- the seed ($1): two xor-shift-multiply rounds on 32 bits (for ids below 3·10^9 every product stays
-- below 2^63, so bigint never overflows), cheaper than md5 for millions of rows, just as reproducible.
insert into position (id, customer_id, device_id, recorded_at, lat, lon, speed_kmh, heading, ignition)
overriding system value
select p.first_position_id + s.k,
       p.customer_id,
       p.device_id,
       to_timestamp(p.start_s + s.k * p.interval_s),
       (p.home_lat + at.north_m * 8993 / 1000)::float8 / 1000000,
       (p.home_lon + at.east_m * p.lon_per_km / 1000)::float8 / 1000000,
       case when edge.endpoint then 0::real
            else (p.speed_kmh * 10 + (s.j >> 4) % 101 - 50)::real / 10::real end,
       (case when s.k <= p.turn_after then p.heading1_deg else p.heading2_deg end + 358 + (s.j >> 24) % 5) % 360,
       s.k < p.positions - 1
from tracking_trip_plan p
-- OFFSET 0 keeps this subquery from being flattened into the outer query, where every use of j
-- would repeat the whole hash.
cross join lateral (
  select k, h # (h >> 16) as j
  from generate_series(0, p.positions - 1) as k
  cross join lateral (
    select (((x # (x >> 16)) * 73244475) % 4294967296 # ((((x # (x >> 16)) * 73244475) % 4294967296) >> 16))
           * 73244475 % 4294967296 as h
    from (select ((p.first_position_id + k) * 2654435761 + $1::bigint * 40503) % 4294967296 as x) as key
  ) as mixed
  offset 0
) as s
cross join lateral (
  select s.k = 0 or s.k = p.positions - 1 as endpoint
) as edge
cross join lateral (
  select p.start_north_m + (least(s.k, p.turn_after) * p.step1_north_mm
                            + greatest(s.k - p.turn_after, 0) * p.step2_north_mm) / 1000
           + case when edge.endpoint then 0 else (s.j >> 20) % 9 - 4 end as north_m,
         p.start_east_m + (least(s.k, p.turn_after) * p.step1_east_mm
                           + greatest(s.k - p.turn_after, 0) * p.step2_east_mm) / 1000
           + case when edge.endpoint then 0 else (s.j >> 12) % 9 - 4 end as east_m
) as at
