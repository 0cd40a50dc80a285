-- integritet: HMAC-SHA256 (RFC 2104) from core sha256, for the keyed pseudonym strategy.
--
-- pgcrypto (and its hmac()) is not guaranteed on managed services, so the HMAC is built here:
-- H((K' xor opad) || H((K' xor ipad) || message)), K' the key hashed when longer than the
-- 64-byte block and padded with zeros. The xor runs on bit(512) strings, whose binary form
-- (bit_send: a 4-byte length, then the bits) gives the bytes back. Checked against the RFC 4231
-- test vectors in test/masking/strategies. Nothing here is granted to anyone: only the key's
-- owner calls it, from privacy.pseudonym_hmac(). Written as described in
-- sql/100-strategy-building-blocks.sql (inlinable, every name qualified).
--
-- needs: none

-- Why: both pads need the key as one block.
create or replace function privacy.hmac_key_block(key bytea)
returns bit varying
language sql immutable parallel safe
as $$
  select ('x' OPERATOR(pg_catalog.||) pg_catalog.rpad(pg_catalog.encode(
            case when pg_catalog.length(key) OPERATOR(pg_catalog.>) 64 then pg_catalog.sha256(key) else key end,
            'hex'), 128, '0'))::bit(512)
$$;
comment on function privacy.hmac_key_block(bytea) is 'HMAC-SHA256 key block: the key (hashed if over 64 bytes) zero-padded to 512 bits.';

-- Why: keyed pseudonyms; core has sha256 but no hmac.
create or replace function privacy.hmac_sha256(key bytea, message bytea)
returns bytea
language sql immutable parallel safe
as $$
  select pg_catalog.sha256(
           pg_catalog.substr(pg_catalog.bit_send(privacy.hmac_key_block(key)
             OPERATOR(pg_catalog.#) ('x' OPERATOR(pg_catalog.||) pg_catalog.repeat('5c', 64))::bit(512)), 5)
           OPERATOR(pg_catalog.||)
           pg_catalog.sha256(
             pg_catalog.substr(pg_catalog.bit_send(privacy.hmac_key_block(key)
               OPERATOR(pg_catalog.#) ('x' OPERATOR(pg_catalog.||) pg_catalog.repeat('36', 64))::bit(512)), 5)
             OPERATOR(pg_catalog.||) message))
$$;
comment on function privacy.hmac_sha256(bytea, bytea) is 'HMAC-SHA256 of message under key (RFC 2104), from core sha256.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;
