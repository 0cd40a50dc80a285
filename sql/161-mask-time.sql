-- integritet: the `time` strategy — a timestamp coarsened to the minute, quarter hour, hour or
-- day, e.g. when a vehicle was somewhere. Written as described in
-- sql/100-strategy-building-blocks.sql.
--
-- For timestamptz, hours and days are those of `time_zone` (default UTC): a day in Stockholm
-- starts at 23:00 or 22:00 UTC. Quarter hours and minutes are the same in every zone in use
-- (offsets are whole quarter hours), so they are counted in UTC.
--
-- needs: 100-strategy-building-blocks

create or replace function privacy.mask_time(value timestamp, params jsonb)
returns timestamp
language sql immutable parallel safe
as $$
  select case
    when privacy.param_text(params, 'unit', 'hour') OPERATOR(pg_catalog.=) 'quarter_hour'
      then pg_catalog.date_trunc('hour', value)
           OPERATOR(pg_catalog.+) (pg_catalog.floor(pg_catalog.date_part('minute', value) OPERATOR(pg_catalog./) 15)
                                   OPERATOR(pg_catalog.*) interval '15 minutes')
    else pg_catalog.date_trunc(privacy.param_text(params, 'unit', 'hour'), value)
  end
$$;
comment on function privacy.mask_time(timestamp, jsonb) is
  'time: the start of the value''s minute, quarter_hour, hour (default) or day.';

-- Why through timestamp: date_trunc on timestamptz is only stable; the conversions are immutable.
create or replace function privacy.mask_time(value timestamptz, params jsonb)
returns timestamptz
language sql immutable parallel safe
as $$
  select case
    when privacy.param_text(params, 'unit', 'hour') OPERATOR(pg_catalog.=) 'quarter_hour'
      then pg_catalog.timezone('UTC', privacy.mask_time(pg_catalog.timezone('UTC', value), params))
    else pg_catalog.timezone(privacy.param_text(params, 'time_zone', 'UTC'),
           pg_catalog.date_trunc(privacy.param_text(params, 'unit', 'hour'),
             pg_catalog.timezone(privacy.param_text(params, 'time_zone', 'UTC'), value)))
  end
$$;
comment on function privacy.mask_time(timestamptz, jsonb) is
  'time: the start of the value''s minute, quarter_hour, hour (default) or day, hours and days as in time_zone (default UTC).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_time(timestamp, jsonb),
  privacy.mask_time(timestamptz, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
