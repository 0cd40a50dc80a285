-- Tracking seed, step 1 of 3: plans every trip (one row each) with the parameters its positions are
-- drawn from; seed-trips.sql and seed-positions.sql read this plan.
--
-- Determinism: every value derives from (seed, trip number) through md5 and integer arithmetic, and
-- ids are computed, not taken from a sequence, so the result is the same on every machine, every
-- PostgreSQL version and whatever plan the executor picks. No random(), no trigonometry (the last
-- bits of sin/cos differ between C libraries): headings come from a 10° table of cosines × 1000.
--
-- Trips are dealt round-robin to the driving periods: trip g goes to period ((g - 1) % periods) + 1
-- and is that period's ((g - 1) / periods)-th trip, placed at a random time inside its own slice
-- of the period, so a tracker's trips never overlap and time increases with the trip number.
-- The time of day is squeezed into 06:00–20:00 UTC where the slice allows, as fleets drive by day.
-- Positions are split evenly: trip g owns ids floor((g - 1) * P / T) + 1 … floor(g * P / T).
-- The MATERIALIZED CTEs compute each drawn value once; inlined, every reference to a column would
-- repeat the md5 and arithmetic behind it.
--
-- $1 seed, $2 trip count T, $3 position count P (≥ 2T), then one array element per driving period:
-- $4 device id, $5 vehicle id, $6 customer id, $7 drivers ('|'-separated; repeats weight a driver),
-- $8 home latitude and $9 longitude in millionths of a degree, $10 millionths of a degree of
-- longitude per km there, $11 and $12 start and end of the period in seconds since the epoch.
create temp table tracking_trip_plan on commit drop as
with period as (
  select p.*
  from unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::int[], $9::int[], $10::int[],
              $11::bigint[], $12::bigint[])
       with ordinality as p(device_id, vehicle_id, customer_id, drivers, home_lat, home_lon, lon_per_km,
                            from_s, to_s, period_no)
),
period_count as (
  select count(*) as n from period
),
trip as (
  select g as trip_id,
         (g - 1) / c.n as trip_no,
         ($2::bigint - p.period_no) / c.n + 1 as trips_in_period,
         (g - 1) * $3::bigint / $2::bigint + 1 as first_position_id,
         g * $3::bigint / $2::bigint - (g - 1) * $3::bigint / $2::bigint as positions,
         p.*,
         md5($1::text || ':trip:' || g) as h
  from period_count c
  cross join generate_series(1, $2::bigint) as g
  join period p on p.period_no = (g - 1) % c.n + 1
),
drawn as materialized (
  select t.*,
         ('x' || substr(h, 1, 8))::bit(32)::bigint as u1,
         ('x' || substr(h, 9, 8))::bit(32)::bigint as u2,
         ('x' || substr(h, 17, 8))::bit(32)::bigint as u3,
         ('x' || substr(h, 25, 8))::bit(32)::bigint as u4
  from trip t
),
shaped as materialized (
  select d.*,
         30 + d.u3 % 31 as interval_s,                       -- one fix every 30–60 s
         (30 + (d.u3 >> 8) % 81) * (30 + d.u3 % 31) * 10 / 36 as step_m,  -- 30–110 km/h
         30 + (d.u3 >> 8) % 81 as speed_kmh,
         d.u2 % 36 as heading1,                               -- tens of degrees
         (d.u2 % 36 + 33 + (d.u2 >> 8) % 7) % 36 as heading2, -- a turn of up to ±30° halfway
         (d.u4 % 16001) - 8000 as start_north_m,              -- within 8 km of the home city
         ((d.u4 >> 16) % 16001) - 8000 as start_east_m,
         (d.to_s - d.from_s) / d.trips_in_period as slot_s
  from drawn d
),
timed as (
  select s.*,
         s.from_s + s.trip_no * s.slot_s as slot_start_s,
         greatest(s.slot_s - (s.positions - 1) * s.interval_s, 0) as latest_offset_s,
         s.from_s + s.trip_no * s.slot_s + s.u1 % greatest(s.slot_s - (s.positions - 1) * s.interval_s, 1) as drawn_s
  from shaped s
),
-- cos(10° × i) × 1000 for i = 0 … 35; sin(10° × i) is cos(10° × (i + 27)).
heading_table as (
  select array[1000, 985, 940, 866, 766, 643, 500, 342, 174, 0, -174, -342, -500, -643, -766, -866, -940,
               -985, -1000, -985, -940, -866, -766, -643, -500, -342, -174, 0, 174, 342, 500, 643, 766,
               866, 940, 985] as cos1000
),
legs as (
  select s.*,
         s.positions / 2 as turn_after,
         s.step_m * h.cos1000[s.heading1 + 1] as step1_north_mm,
         s.step_m * h.cos1000[(s.heading1 + 27) % 36 + 1] as step1_east_mm,
         s.step_m * h.cos1000[s.heading2 + 1] as step2_north_mm,
         s.step_m * h.cos1000[(s.heading2 + 27) % 36 + 1] as step2_east_mm
  from timed s
  cross join heading_table h
)
select l.trip_id, l.customer_id, l.vehicle_id, l.device_id,
       split_part(l.drivers, '|', (1 + (l.u4 >> 24) % cardinality(string_to_array(l.drivers, '|')))::int)
         as driver_name,
       case when (l.u2 >> 16) % 100 < 12 then 'private' else 'business' end as purpose,
       least(greatest(l.drawn_s - l.drawn_s % 86400 + 21600 + l.drawn_s % 86400 * 14 / 24, l.slot_start_s),
             l.slot_start_s + l.latest_offset_s) as start_s,
       l.interval_s, l.speed_kmh, l.step_m, l.positions, l.first_position_id, l.turn_after,
       l.heading1 * 10 as heading1_deg, l.heading2 * 10 as heading2_deg,
       l.home_lat, l.home_lon, l.lon_per_km, l.start_north_m, l.start_east_m,
       l.step1_north_mm, l.step1_east_mm, l.step2_north_mm, l.step2_east_mm,
       -- Where the last fix lands: the position formula of seed-positions.sql at k = positions - 1.
       l.start_north_m + (least(l.positions - 1, l.turn_after) * l.step1_north_mm
                          + greatest(l.positions - 1 - l.turn_after, 0) * l.step2_north_mm) / 1000 as end_north_m,
       l.start_east_m + (least(l.positions - 1, l.turn_after) * l.step1_east_mm
                         + greatest(l.positions - 1 - l.turn_after, 0) * l.step2_east_mm) / 1000 as end_east_m
from legs l
