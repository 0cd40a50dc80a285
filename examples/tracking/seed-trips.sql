-- Tracking seed, step 2 of 3: one trip per row of tracking_trip_plan (see seed-trip-plan.sql).
-- Start and end are the first and last fixes of seed-positions.sql, which carry no GPS jitter.
-- Metres become millionths of a degree as 8993 per km of latitude and lon_per_km per km of longitude.
insert into trip (id, customer_id, vehicle_id, device_id, driver_name, started_at, ended_at,
                  start_lat, start_lon, end_lat, end_lon, distance_km, purpose)
overriding system value
select trip_id, customer_id, vehicle_id, device_id, driver_name,
       to_timestamp(start_s),
       to_timestamp(start_s + (positions - 1) * interval_s),
       (home_lat + start_north_m * 8993 / 1000)::float8 / 1000000,
       (home_lon + start_east_m * lon_per_km / 1000)::float8 / 1000000,
       (home_lat + end_north_m * 8993 / 1000)::float8 / 1000000,
       (home_lon + end_east_m * lon_per_km / 1000)::float8 / 1000000,
       round((positions - 1) * step_m / 1000.0, 2),
       purpose
from tracking_trip_plan
