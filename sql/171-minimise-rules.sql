-- integritet: the simple write-minimisation rules — truncate_ip, cap_precision, pseudonymise.
-- scrub_text has a file of its own (sql/172). Written as the masks are
-- (sql/100-strategy-building-blocks.sql): inlinable, every name qualified, NULL stays NULL.

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
create or replace function privacy.minimise_cap_precision(value double precision, params jsonb)
returns double precision
language sql immutable parallel safe
as $$
  select pg_catalog.round(value::numeric, privacy.param_int(params, 'digits', 4))::double precision
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
