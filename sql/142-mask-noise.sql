-- integritet: the `noise` strategy — the value moved by a bounded random amount.
--
-- Numbers move by at most `ratio` of their size or by at most `absolute` (one of the two);
-- dates and timestamps by at most `interval`. Totals and distributions stay roughly right, a
-- single value is no longer exact. A fresh draw every time the value is read: reading again
-- and averaging narrows it down, so noise suits aggregates and anonymization more than
-- repeated reads. Volatile; drawn from the strong random source (random() replays after setseed()); otherwise written as
-- described in sql/100-strategy-building-blocks.sql. With neither bound given: NULL.
--
-- needs: 100-strategy-building-blocks

-- Why: a whole number in [-bound, bound], every one equally likely, so integer columns move by
-- whole steps and never beyond the bound.
create or replace function privacy.random_offset(bound numeric)
returns numeric
language sql volatile parallel restricted
as $$
  select pg_catalog.floor(privacy.strong_uniform()::numeric
                          OPERATOR(pg_catalog.*) ((pg_catalog.floor(bound) OPERATOR(pg_catalog.*) 2) OPERATOR(pg_catalog.+) 1))
         OPERATOR(pg_catalog.-) pg_catalog.floor(bound)
$$;
comment on function privacy.random_offset(numeric) is 'A uniformly random whole number between -floor(bound) and floor(bound).';

-- Why: a factor in [-1, 1) to scale a bound by.
create or replace function privacy.random_sign_fraction()
returns double precision
language sql volatile parallel restricted
as $$
  select (privacy.strong_uniform() OPERATOR(pg_catalog.*) 2) OPERATOR(pg_catalog.-) 1
$$;
comment on function privacy.random_sign_fraction() is 'A uniformly random number in [-1, 1).';

create or replace function privacy.mask_noise(value numeric, params jsonb)
returns numeric
language sql volatile parallel restricted
as $$
  select value OPERATOR(pg_catalog.+)
         (coalesce(pg_catalog.abs(value) OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'ratio', null),
                   privacy.param_numeric(params, 'absolute', null))
          OPERATOR(pg_catalog.*) privacy.random_sign_fraction()::numeric)
$$;
comment on function privacy.mask_noise(numeric, jsonb) is
  'noise: the value plus a random amount of at most ratio × |value| or absolute.';

create or replace function privacy.mask_noise(value double precision, params jsonb)
returns double precision
language sql volatile parallel restricted
as $$
  select value OPERATOR(pg_catalog.+)
         (coalesce(pg_catalog.abs(value) OPERATOR(pg_catalog.*) privacy.param_float(params, 'ratio', null),
                   privacy.param_float(params, 'absolute', null))
          OPERATOR(pg_catalog.*) privacy.random_sign_fraction())
$$;
comment on function privacy.mask_noise(double precision, jsonb) is
  'noise: the value plus a random amount of at most ratio × |value| or absolute.';

-- Integers: a whole offset within the bound, kept inside the type's range. The CASE is not
-- decoration: LEAST/GREATEST skip NULLs, so a NULL value or bound would otherwise come out as
-- the range's lower end.
create or replace function privacy.mask_noise(value integer, params jsonb)
returns integer
language sql volatile parallel restricted
as $$
  select case
    when value is null
         or coalesce(privacy.param_numeric(params, 'ratio', null), privacy.param_numeric(params, 'absolute', null)) is null
      then null
    else least(greatest(value::numeric OPERATOR(pg_catalog.+) privacy.random_offset(
                 coalesce(pg_catalog.abs(value::numeric) OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'ratio', null),
                          privacy.param_numeric(params, 'absolute', null))),
               -2147483648), 2147483647)::integer
  end
$$;
comment on function privacy.mask_noise(integer, jsonb) is
  'noise: the value plus a random whole amount of at most ratio × |value| or absolute.';

create or replace function privacy.mask_noise(value bigint, params jsonb)
returns bigint
language sql volatile parallel restricted
as $$
  select case
    when value is null
         or coalesce(privacy.param_numeric(params, 'ratio', null), privacy.param_numeric(params, 'absolute', null)) is null
      then null
    else least(greatest(value::numeric OPERATOR(pg_catalog.+) privacy.random_offset(
                 coalesce(pg_catalog.abs(value::numeric) OPERATOR(pg_catalog.*) privacy.param_numeric(params, 'ratio', null),
                          privacy.param_numeric(params, 'absolute', null))),
               -9223372036854775808), 9223372036854775807)::bigint
  end
$$;
comment on function privacy.mask_noise(bigint, jsonb) is
  'noise: the value plus a random whole amount of at most ratio × |value| or absolute.';

-- Dates: moved by up to `interval`, then back to a day (the fraction is dropped toward the past,
-- so the bound holds in whole days).
create or replace function privacy.mask_noise(value date, params jsonb)
returns date
language sql volatile parallel restricted
as $$
  select (value::timestamp OPERATOR(pg_catalog.+)
          (privacy.param_text(params, 'interval', null)::interval OPERATOR(pg_catalog.*) privacy.random_sign_fraction()))::pg_catalog.date
$$;
comment on function privacy.mask_noise(date, jsonb) is 'noise: the date moved by a random amount of at most interval.';

create or replace function privacy.mask_noise(value timestamp, params jsonb)
returns timestamp
language sql volatile parallel restricted
as $$
  select value OPERATOR(pg_catalog.+)
         (privacy.param_text(params, 'interval', null)::interval OPERATOR(pg_catalog.*) privacy.random_sign_fraction())
$$;
comment on function privacy.mask_noise(timestamp, jsonb) is 'noise: the timestamp moved by a random amount of at most interval.';

create or replace function privacy.mask_noise(value timestamptz, params jsonb)
returns timestamptz
language sql volatile parallel restricted
as $$
  select value OPERATOR(pg_catalog.+)
         (privacy.param_text(params, 'interval', null)::interval OPERATOR(pg_catalog.*) privacy.random_sign_fraction())
$$;
comment on function privacy.mask_noise(timestamptz, jsonb) is 'noise: the timestamp moved by a random amount of at most interval.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.random_offset(numeric),
  privacy.random_sign_fraction(),
  privacy.mask_noise(numeric, jsonb),
  privacy.mask_noise(double precision, jsonb),
  privacy.mask_noise(integer, jsonb),
  privacy.mask_noise(bigint, jsonb),
  privacy.mask_noise(date, jsonb),
  privacy.mask_noise(timestamp, jsonb),
  privacy.mask_noise(timestamptz, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
