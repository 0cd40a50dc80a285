-- integritet: building blocks of the mask strategy library (sql/100–199): reading parameters,
-- the bytes of a text, random hex.
--
-- How every function of the library is written, and why:
--   * Strategies are `language sql`, immutable (stable where they read a table, volatile where
--     they draw random numbers), parallel safe where they can be, with NO `set search_path`:
--     a SET clause stops PostgreSQL from inlining a function. Inlined, a mask costs no function
--     call per row, and `params ->> 'x'` on the constant jsonb the generator writes is folded
--     when the query is planned.
--   * An inlined body is parsed in the *caller's* search_path, where a hostile role may have put
--     its own `length(text)` or `||` to catch the raw value. So every function is qualified
--     (pg_catalog. or privacy.), every operator is written OPERATOR(pg_catalog.op), every type is
--     pg_catalog.-qualified or an SQL keyword type (integer, bigint, numeric, double precision,
--     timestamp, interval, bit(n)), and the only bare syntax is what looks nothing up by name:
--     CASE WHEN, COALESCE, LEAST/GREATEST, IS NULL, AND/OR. (Simple CASE x WHEN, IN, BETWEEN,
--     NULLIF and IS DISTINCT FROM find `=` by name, so they are not used.) String literals that
--     hold backslashes are E'' literals, read the same whatever standard_conforming_strings says.
--   * Functions that cannot be inlined anyway (they read a table, aggregate or are SECURITY
--     DEFINER) set search_path = pg_catalog, pg_temp (pg_temp last: with an empty path, a type
--     name is looked up in the session's pg_temp first), and still qualify every type, PL/pgSQL
--     variables included: in pg_temp, where a domain over bytea with a CHECK calling the caller's function would be
--     handed every value assigned to the variable (the key, in a definer function).
--   * NULL in gives NULL out. A parameter that is missing takes the registry's default; one
--     without a default gives NULL, never the raw value.
--
-- needs: none

-- Why invoker, inlinable: reads a jsonb parameter; used by every strategy.
create or replace function privacy.param_int(params jsonb, key text, fallback integer)
returns integer
language sql immutable parallel safe
as $$
  select coalesce(pg_catalog.jsonb_object_field_text(params, key)::pg_catalog.int4, fallback)
$$;
comment on function privacy.param_int(jsonb, text, integer) is
  'Integer parameter `key` of a strategy, or `fallback` when it is absent (inlined and folded on constants).';

create or replace function privacy.param_numeric(params jsonb, key text, fallback numeric)
returns numeric
language sql immutable parallel safe
as $$
  select coalesce(pg_catalog.jsonb_object_field_text(params, key)::pg_catalog.numeric, fallback)
$$;
comment on function privacy.param_numeric(jsonb, text, numeric) is
  'Numeric parameter `key` of a strategy, or `fallback` when it is absent.';

create or replace function privacy.param_float(params jsonb, key text, fallback double precision)
returns double precision
language sql immutable parallel safe
as $$
  select coalesce(pg_catalog.jsonb_object_field_text(params, key)::pg_catalog.float8, fallback)
$$;
comment on function privacy.param_float(jsonb, text, double precision) is
  'Floating-point parameter `key` of a strategy, or `fallback` when it is absent.';

create or replace function privacy.param_text(params jsonb, key text, fallback text)
returns text
language sql immutable parallel safe
as $$
  select coalesce(pg_catalog.jsonb_object_field_text(params, key), fallback)
$$;
comment on function privacy.param_text(jsonb, text, text) is
  'Text parameter `key` of a strategy, or `fallback` when it is absent.';

create or replace function privacy.param_bool(params jsonb, key text, fallback boolean)
returns boolean
language sql immutable parallel safe
as $$
  select coalesce(pg_catalog.jsonb_object_field_text(params, key)::pg_catalog.bool, fallback)
$$;
comment on function privacy.param_bool(jsonb, text, boolean) is
  'Boolean parameter `key` of a strategy, or `fallback` when it is absent.';

-- Why not convert_to(value, 'UTF8'): it is stable, so a hash built on it could be neither
-- immutable nor inlined into an immutable mask. decode(…, 'escape') reads every byte as it is
-- but for backslashes, which are doubled first: the result is the text's bytes in the database
-- encoding (UTF-8 in practice).
create or replace function privacy.text_bytes(value text)
returns bytea
language sql immutable parallel safe
as $$
  select pg_catalog.decode(pg_catalog.replace(value, E'\\', E'\\\\'), 'escape')
$$;
comment on function privacy.text_bytes(text) is
  'The bytes of a text in the database encoding (immutable, unlike convert_to).';

-- Why: anonymization replaces values with random ones of the same form. gen_random_uuid() is
-- core (pgcrypto is not guaranteed) and draws from the strong random source; two of them give
-- 244 random bits, spread over 64 hex digits by sha256.
create or replace function privacy.random_hex()
returns text
language sql volatile parallel safe
as $$
  select pg_catalog.encode(pg_catalog.sha256(
           pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
           OPERATOR(pg_catalog.||) pg_catalog.uuid_send(pg_catalog.gen_random_uuid())), 'hex')
$$;
comment on function privacy.random_hex() is '64 random hex digits (244 random bits) from the core strong random source.';

-- Why: a number from hex digits, e.g. to turn an HMAC into an integer pseudonym or a hash into
-- a list position. At most 15 digits, so the result is a non-negative bigint.
create or replace function privacy.hex_to_bigint(hex text)
returns bigint
language sql immutable parallel safe
as $$
  select ('x' OPERATOR(pg_catalog.||) pg_catalog.lpad(hex, 16, '0'))::bit(64)::bigint
$$;
comment on function privacy.hex_to_bigint(text) is 'The non-negative number written by up to 15 hex digits.';

-- None of the toolkit's functions is for PUBLIC; each file grants its own to the toolkit's roles,
-- below. Repeated in every file of the library, so a function added to a re-applied file is
-- never executable by PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Why: random() can be replayed (a session's setseed() fixes its sequence), so a reader could
-- subtract noise drawn from it. This draws 48 bits from the strong random source instead (the
-- first 6 bytes of a version-4 UUID are all random): a uniform number in [0, 1).
create or replace function privacy.strong_uniform()
returns double precision
language sql volatile parallel safe
as $$
  select (('x' OPERATOR(pg_catalog.||)
           pg_catalog.substr(pg_catalog.encode(pg_catalog.uuid_send(pg_catalog.gen_random_uuid()), 'hex'), 1, 12))::bit(48)::bigint)::double precision
         OPERATOR(pg_catalog./) 281474976710656::double precision
$$;
comment on function privacy.strong_uniform() is 'A uniformly random number in [0, 1) (48 bits) from the core strong random source.';

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.param_int(jsonb, text, integer),
  privacy.param_numeric(jsonb, text, numeric),
  privacy.param_float(jsonb, text, double precision),
  privacy.param_text(jsonb, text, text),
  privacy.param_bool(jsonb, text, boolean),
  privacy.text_bytes(text),
  privacy.random_hex(),
  privacy.hex_to_bigint(text),
  privacy.strong_uniform()
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
