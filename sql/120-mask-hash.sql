-- integritet: the `hash` strategy — an unkeyed digest of a text, in hex.
--
-- Unkeyed, so anyone can hash a guess and compare: fit for values nobody can guess, weak for
-- names, e-mail addresses or numbers (use `pseudonym`). Core functions only (md5, sha256,
-- sha512), no pgcrypto. Written as described in sql/100-strategy-building-blocks.sql.
--
-- needs: 100-strategy-building-blocks

-- Why: joins and counts on a masked column keep working (equal values, equal hashes).
create or replace function privacy.mask_hash(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    when privacy.param_text(params, 'algorithm', 'sha256') OPERATOR(pg_catalog.=) 'md5'
      then pg_catalog.md5(value)
    when privacy.param_text(params, 'algorithm', 'sha256') OPERATOR(pg_catalog.=) 'sha512'
      then pg_catalog.encode(pg_catalog.sha512(privacy.text_bytes(value)), 'hex')
    else pg_catalog.encode(pg_catalog.sha256(privacy.text_bytes(value)), 'hex')
  end
$$;
comment on function privacy.mask_hash(text, jsonb) is
  'hash: hex digest of the value with algorithm md5, sha256 (default) or sha512.';

-- Why: anonymizing must be irreversible, and an unkeyed hash of a guessable value is not (hash
-- the guesses, compare). Retention therefore writes random hex of the algorithm's length.
create or replace function privacy.anonymize_hash(value text, params jsonb)
returns text
language sql volatile parallel safe
as $$
  select case
    when value is null then null
    when privacy.param_text(params, 'algorithm', 'sha256') OPERATOR(pg_catalog.=) 'md5'
      then pg_catalog.left(privacy.random_hex(), 32)
    when privacy.param_text(params, 'algorithm', 'sha256') OPERATOR(pg_catalog.=) 'sha512'
      then privacy.random_hex() OPERATOR(pg_catalog.||) privacy.random_hex()
    else privacy.random_hex()
  end
$$;
comment on function privacy.anonymize_hash(text, jsonb) is
  'hash, when anonymizing: random hex as long as the algorithm''s digest, so nothing links it to the value.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_hash(text, jsonb),
  privacy.anonymize_hash(text, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
