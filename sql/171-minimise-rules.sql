-- integritet: the simple write-minimisation rules — truncate_ip, cap_precision, pseudonymise.
-- scrub_text has a file of its own (sql/172). Written as the masks are
-- (sql/100-strategy-building-blocks.sql): inlinable, every name qualified, NULL stays NULL.
--
-- needs: 100-strategy-building-blocks, 131-mask-pseudonym

-- Why: an IP address identifies a subscriber; its network is enough for abuse handling and
-- geography. The result keeps the prefix length (192.0.2.0/24), showing it was truncated; a
-- value that is already a wider network stays as wide.
create or replace function privacy.minimise_truncate_ip(value inet, params jsonb)
returns inet
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    when pg_catalog.family(value) OPERATOR(pg_catalog.=) 4
      then pg_catalog.network(pg_catalog.set_masklen(value,
             least(pg_catalog.masklen(value), privacy.param_int(params, 'ipv4_prefix', 24))))::pg_catalog.inet
    else pg_catalog.network(pg_catalog.set_masklen(value,
           least(pg_catalog.masklen(value), privacy.param_int(params, 'ipv6_prefix', 48))))::pg_catalog.inet
  end
$$;
comment on function privacy.minimise_truncate_ip(inet, jsonb) is
  'truncate_ip: the network of the address, ipv4_prefix (default 24) or ipv6_prefix (default 48) bits long.';

-- Why: GPS fixes and measurements are often stored far more precisely than any purpose needs.
-- The result is defined as round(value::numeric, digits)::float8: the value converted to a
-- decimal of 15 significant digits (float8 -> numeric, as PostgreSQL does it), rounded half away
-- from zero to digits decimals, read back as the nearest double. That costs two conversions
-- through text a row, so where it provably gives the same double it is computed in float8:
-- with P = 10^digits (exact for digits 0-15; another digits, NULL here, takes the numeric path),
-- X = fl(value·P) and n = round(X) (float8 round, half to even):
--   * the decimal D of 15 digits differs from value by at most half a unit in its 15th digit,
--     5e-15·|value|; X differs from value·P by at most 2^-53·|X|; so |D·P − X| < 5.3e-15·|X|.
--   * when X is nearer to n than 0.5 − 1e-13·max(1, |X|) (X − n is exact for |X| < 2^52; the
--     float evaluation of the test errs by under 2^-54 absolute and 2^-52 relative, far inside
--     the margin, which also leaves room for a float8 -> numeric conversion ten times as coarse),
--     D·P is strictly within 0.5 of n: rounded half away from zero, half to even or any way
--     it is n, and no tie is involved. The numeric result is exactly the decimal n/10^digits.
--   * n and P are exact doubles (|n| < 10^12 < 2^53), so n / P in float8 is the double nearest
--     to n/10^digits (IEEE division rounds correctly, to even on a tie), which is what reading
--     the decimal n/10^digits as float8 gives. Numeric has no −0, so the numeric path gives +0
--     for every zero; adding +0 turns a −0 quotient into +0 and changes no other value.
--   * |value| < 10^12/P keeps |X| < 10^12 (no overflow, an exact integer n, a margin under
--     0.1); NaN and ±Infinity fail that test (NaN sorts above every number), and so do values
--     nearer than the margin to a tie of D·P: they, and only they, take the numeric path.
-- test/masking/write-minimisation.test.ts compares the two bit by bit, ties and near-ties of
-- every digits included. CASE keeps the order: no product is computed for a value that fails
-- the first test. Operators are written OPERATOR(pg_catalog.x): the function is inlined into the
-- trigger function, which runs in the writer's search_path (sql/240).
create or replace function privacy.minimise_cap_precision(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select case
    when pg_catalog.abs(value) OPERATOR(pg_catalog.<) (1e12::pg_catalog.float8 OPERATOR(pg_catalog./)
           ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)])
    then case
      -- 0.5 − |X − round(X)| > 1e-13·max(1, |X|): X, and so D·P, is no nearer than the margin to a
      -- tie (the max keeps the product from underflowing, an error in PostgreSQL).
      when (0.5::pg_catalog.float8 OPERATOR(pg_catalog.-) pg_catalog.abs(
              (value OPERATOR(pg_catalog.*) ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)])
              OPERATOR(pg_catalog.-) pg_catalog.round(value OPERATOR(pg_catalog.*) ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)])))
           OPERATOR(pg_catalog.>)
           (1e-13::pg_catalog.float8 OPERATOR(pg_catalog.*) pg_catalog.float8larger(1::pg_catalog.float8,
              pg_catalog.abs(value OPERATOR(pg_catalog.*) ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)])))
      then (pg_catalog.round(value OPERATOR(pg_catalog.*) ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)]) OPERATOR(pg_catalog./) ('[0:15]={1e0,1e1,1e2,1e3,1e4,1e5,1e6,1e7,1e8,1e9,1e10,1e11,1e12,1e13,1e14,1e15}'::pg_catalog.float8[])[privacy.param_int(params, 'digits', 4)])
           OPERATOR(pg_catalog.+) 0::pg_catalog.float8
      else pg_catalog.round(value::pg_catalog.numeric, privacy.param_int(params, 'digits', 4))::pg_catalog.float8
    end
    else pg_catalog.round(value::pg_catalog.numeric, privacy.param_int(params, 'digits', 4))::pg_catalog.float8
  end
$$;
comment on function privacy.minimise_cap_precision(double precision, jsonb) is
  'cap_precision: the value rounded to digits (default 4) decimals.';

create or replace function privacy.minimise_cap_precision(value numeric, params jsonb)
returns numeric
language sql immutable parallel safe
as $$
  select pg_catalog.round(value, privacy.param_int(params, 'digits', 4))
$$;
comment on function privacy.minimise_cap_precision(numeric, jsonb) is
  'cap_precision: the value rounded to digits (default 4) decimals.';

-- Why: a value needed only to recognise repeats (a device id, a customer reference from a
-- partner) need never be stored as it is.
create or replace function privacy.minimise_pseudonymise(value text, params jsonb)
returns text
language sql stable parallel safe
as $$
  select privacy.mask_pseudonym(value, params)
$$;
comment on function privacy.minimise_pseudonymise(text, jsonb) is
  'pseudonymise: the keyed pseudonym of the value (as the pseudonym mask, same length parameter).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.minimise_truncate_ip(inet, jsonb),
  privacy.minimise_cap_precision(double precision, jsonb),
  privacy.minimise_cap_precision(numeric, jsonb),
  privacy.minimise_pseudonymise(text, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
