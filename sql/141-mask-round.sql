-- integritet: the `round` strategy — a number rounded to `digits` decimals (negative: to tens,
-- hundreds …). Written as described in sql/100-strategy-building-blocks.sql.
--
-- needs: 100-strategy-building-blocks

-- Why: amounts and measurements lose the precision that identifies, keep their size.
create or replace function privacy.mask_round(value numeric, params jsonb)
returns numeric
language sql immutable parallel safe
as $$
  select pg_catalog.round(value, privacy.param_int(params, 'digits', 0))
$$;
comment on function privacy.mask_round(numeric, jsonb) is 'round: the value rounded to digits (default 0) decimals.';

-- Why through numeric: decimal rounding of a binary float is exact only there.
create or replace function privacy.mask_round(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select pg_catalog.round(value::numeric, privacy.param_int(params, 'digits', 0))::double precision
$$;
comment on function privacy.mask_round(double precision, jsonb) is 'round: the value rounded to digits (default 0) decimals.';

create or replace function privacy.mask_round(value real, params jsonb)
returns real
language sql immutable parallel safe
as $$
  select pg_catalog.round(value::numeric, privacy.param_int(params, 'digits', 0))::real
$$;
comment on function privacy.mask_round(real, jsonb) is 'round: the value rounded to digits (default 0) decimals.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_round(numeric, jsonb),
  privacy.mask_round(double precision, jsonb),
  privacy.mask_round(real, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
