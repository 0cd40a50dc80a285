-- integritet: the `generalize` strategy — dates to the start of a unit, numbers to the lower
-- bound of a range of `step`.
--
-- A birth date becomes its year or decade, a salary its band: still fit for statistics, no
-- longer a detail that singles a person out. Written as described in
-- sql/100-strategy-building-blocks.sql. A missing unit or step gives NULL; strategy_call refuses
-- such a declaration for the column's type (unit for dates, step > 0 for numbers).
--
-- needs: 100-strategy-building-blocks

-- Why: dates of birth, of events.
create or replace function privacy.mask_generalize(value date, params jsonb)
returns date
language sql immutable parallel safe
as $$
  select pg_catalog.date_trunc(privacy.param_text(params, 'unit', null), value::timestamp)::pg_catalog.date
$$;
comment on function privacy.mask_generalize(date, jsonb) is
  'generalize: the first day of the value''s unit (week, month, quarter, year, decade).';

create or replace function privacy.mask_generalize(value timestamp, params jsonb)
returns timestamp
language sql immutable parallel safe
as $$
  select pg_catalog.date_trunc(privacy.param_text(params, 'unit', null), value)
$$;
comment on function privacy.mask_generalize(timestamp, jsonb) is
  'generalize: the start of the value''s unit (hour … decade).';

-- Why the detour through timestamp: date_trunc(text, timestamptz[, zone]) is only stable, which
-- would keep this mask from being immutable; the zone conversions both ways are immutable.
create or replace function privacy.mask_generalize(value timestamptz, params jsonb)
returns timestamptz
language sql immutable parallel safe
as $$
  select pg_catalog.timezone(privacy.param_text(params, 'time_zone', 'UTC'),
           pg_catalog.date_trunc(privacy.param_text(params, 'unit', null),
             pg_catalog.timezone(privacy.param_text(params, 'time_zone', 'UTC'), value)))
$$;
comment on function privacy.mask_generalize(timestamptz, jsonb) is
  'generalize: the start of the value''s unit (hour … decade) as counted in time_zone (default UTC).';

-- Why: amounts, ages, counts in bands.
create or replace function privacy.mask_generalize(value numeric, params jsonb)
returns numeric
language sql immutable parallel safe
as $$
  select pg_catalog.floor(value OPERATOR(pg_catalog./) privacy.param_numeric(params, 'step', null))
         OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'step', null)
$$;
comment on function privacy.mask_generalize(numeric, jsonb) is
  'generalize: the largest multiple of step not above the value.';

create or replace function privacy.mask_generalize(value integer, params jsonb)
returns integer
language sql immutable parallel safe
as $$
  select pg_catalog.floor(pg_catalog.floor(value::numeric OPERATOR(pg_catalog./) privacy.param_numeric(params, 'step', null))
                          OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'step', null))::integer
$$;
comment on function privacy.mask_generalize(integer, jsonb) is
  'generalize: the largest multiple of step not above the value (rounded down to an integer).';

-- Why integer arithmetic for a whole step: numeric division rounds to 16 significant digits,
-- so beyond ±10^15 the numeric form gave a bucket above the value (and raised 22003 near the
-- ends of bigint). value − ((value mod step + step) mod step) is exact, and cannot overflow for a
-- step up to 10^18 (a bucket below bigint's minimum still raises 22003). Inlined, the planner
-- folds the test of the constant step and keeps one of the two branches.
create or replace function privacy.mask_generalize(value bigint, params jsonb)
returns bigint
language sql immutable parallel safe
as $$
  select case
    when privacy.param_numeric(params, 'step', null) OPERATOR(pg_catalog.>) 0
         and privacy.param_numeric(params, 'step', null) OPERATOR(pg_catalog.<=) 1000000000000000000
         and privacy.param_numeric(params, 'step', null) OPERATOR(pg_catalog.=) pg_catalog.trunc(privacy.param_numeric(params, 'step', null))
      then value OPERATOR(pg_catalog.-)
           ((value OPERATOR(pg_catalog.%) privacy.param_numeric(params, 'step', null)::bigint
             OPERATOR(pg_catalog.+) privacy.param_numeric(params, 'step', null)::bigint)
            OPERATOR(pg_catalog.%) privacy.param_numeric(params, 'step', null)::bigint)
    else pg_catalog.floor(pg_catalog.floor(value::numeric OPERATOR(pg_catalog./) privacy.param_numeric(params, 'step', null))
                          OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'step', null))::bigint
  end
$$;
comment on function privacy.mask_generalize(bigint, jsonb) is
  'generalize: the largest multiple of step not above the value (rounded down to an integer).';

create or replace function privacy.mask_generalize(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select pg_catalog.floor(value OPERATOR(pg_catalog./) privacy.param_float(params, 'step', null))
         OPERATOR(pg_catalog.*) privacy.param_float(params, 'step', null)
$$;
comment on function privacy.mask_generalize(double precision, jsonb) is
  'generalize: the largest multiple of step not above the value.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_generalize(date, jsonb),
  privacy.mask_generalize(timestamp, jsonb),
  privacy.mask_generalize(timestamptz, jsonb),
  privacy.mask_generalize(numeric, jsonb),
  privacy.mask_generalize(integer, jsonb),
  privacy.mask_generalize(bigint, jsonb),
  privacy.mask_generalize(double precision, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
