-- integritet: the `fake` strategy — an invented value of the same kind, the same for equal
-- inputs (so joins, group-bys and "is this the same customer?" still work on masked data).
--
-- The md5 of the value picks words from privacy.fake_word (sql/150-fake-words.sql): 32 bits of
-- it per word. Unkeyed, like `hash`, but a fake keeps only ~6 bits of each value, far too few
-- to tell values apart, so it is fit for anonymization too. E-mail addresses use the reserved
-- example.com/.net/.org domains (RFC 2606); phone numbers the ranges kept free for fiction:
-- 070-174 06 05…99 in Sweden (PTS) and 07700 900000…999 in the UK (Ofcom). Written as
-- described in sql/100-strategy-building-blocks.sql; immutable, as the compiled word lists are.
--
-- needs: 100-strategy-building-blocks, 150-fake-words

-- Why: the word at position seed mod n of a list, 1-based. With constant locale and kind the
-- list is a constant (privacy.fake_word_list is immutable, see sql/150-fake-words.sql).
create or replace function privacy.fake_word_at(locale text, kind text, seed bigint)
returns text
language sql immutable parallel safe
as $$
  select (privacy.fake_word_list(locale, kind))[
           (seed OPERATOR(pg_catalog.%) pg_catalog.cardinality(privacy.fake_word_list(locale, kind))) OPERATOR(pg_catalog.+) 1]
$$;
comment on function privacy.fake_word_at(text, text, bigint) is
  'The word of a locale''s list of a kind at position seed mod the list''s length (NULL for an unknown list).';

-- Why: independent 32-bit numbers from one digest, one per word a fake is built from. Eight
-- hex digits as bit(32), read as a bigint: unsigned, as privacy.hex_to_bigint reads them, without
-- its lpad to 16 digits (an eighth of a fake's instructions; bench/mask-cost.ts).
create or replace function privacy.digest_part(digest text, part integer)
returns bigint
language sql immutable parallel safe
as $$
  select ('x' OPERATOR(pg_catalog.||) pg_catalog.substr(digest, (part OPERATOR(pg_catalog.*) 8) OPERATOR(pg_catalog.+) 1, 8))::bit(32)::bigint
$$;
comment on function privacy.digest_part(text, integer) is 'The part-th 32-bit number (0–3) of a 128-bit hex digest.';

-- Why: e-mail local parts from names: lower case, ASCII letters and digits only.
create or replace function privacy.fake_email_name(word text)
returns text
language sql immutable parallel safe
as $$
  select pg_catalog.regexp_replace(pg_catalog.translate(pg_catalog.lower(word), 'åäöéèüæøáíó', 'aaoeeuaoaio'),
                                   '[^a-z0-9]+', '', 'g')
$$;
comment on function privacy.fake_email_name(text) is 'A name as an e-mail local part: lower-case ASCII letters and digits.';

-- Why: every kind in one place. Inlined into mask_fake, so with the constant parameters the
-- generator writes, only the branch of the declared kind and locale is left.
-- full_name, email and the first_name/last_name of one value agree (same digest parts).
create or replace function privacy.fake_value(locale text, kind text, digest text)
returns text
language sql immutable parallel safe
as $$
  select case
    when kind OPERATOR(pg_catalog.=) 'first_name'
      then privacy.fake_word_at(locale, 'first_name', privacy.digest_part(digest, 0))
    when kind OPERATOR(pg_catalog.=) 'last_name'
      then privacy.fake_word_at(locale, 'last_name', privacy.digest_part(digest, 1))
    when kind OPERATOR(pg_catalog.=) 'full_name'
      then (privacy.fake_word_at(locale, 'first_name', privacy.digest_part(digest, 0)) OPERATOR(pg_catalog.||) ' ')
           OPERATOR(pg_catalog.||) privacy.fake_word_at(locale, 'last_name', privacy.digest_part(digest, 1))
    when kind OPERATOR(pg_catalog.=) 'company'
      then privacy.fake_word_at(locale, 'company', privacy.digest_part(digest, 0))
    when kind OPERATOR(pg_catalog.=) 'city'
      then privacy.fake_word_at(locale, 'city', privacy.digest_part(digest, 0))
    when kind OPERATOR(pg_catalog.=) 'street' and locale OPERATOR(pg_catalog.=) 'en'
      then ((1 OPERATOR(pg_catalog.+) (privacy.digest_part(digest, 1) OPERATOR(pg_catalog.%) 99))::pg_catalog.text
            OPERATOR(pg_catalog.||) ' ') OPERATOR(pg_catalog.||) privacy.fake_word_at(locale, 'street', privacy.digest_part(digest, 0))
    when kind OPERATOR(pg_catalog.=) 'street'
      then (privacy.fake_word_at(locale, 'street', privacy.digest_part(digest, 0)) OPERATOR(pg_catalog.||) ' ')
           OPERATOR(pg_catalog.||) (1 OPERATOR(pg_catalog.+) (privacy.digest_part(digest, 1) OPERATOR(pg_catalog.%) 99))::pg_catalog.text
    when kind OPERATOR(pg_catalog.=) 'email'
      then (((privacy.fake_email_name(privacy.fake_word_at(locale, 'first_name', privacy.digest_part(digest, 0)))
              OPERATOR(pg_catalog.||) '.')
             OPERATOR(pg_catalog.||) privacy.fake_email_name(privacy.fake_word_at(locale, 'last_name', privacy.digest_part(digest, 1))))
            OPERATOR(pg_catalog.||) '@')
           OPERATOR(pg_catalog.||) pg_catalog.split_part('example.com example.net example.org', ' ',
                                     ((privacy.digest_part(digest, 3) OPERATOR(pg_catalog.%) 3) OPERATOR(pg_catalog.+) 1)::integer)
    when kind OPERATOR(pg_catalog.=) 'phone' and locale OPERATOR(pg_catalog.=) 'en'
      then '07700 900' OPERATOR(pg_catalog.||)
           pg_catalog.lpad((privacy.digest_part(digest, 2) OPERATOR(pg_catalog.%) 1000)::pg_catalog.text, 3, '0')
    when kind OPERATOR(pg_catalog.=) 'phone'
      then '070-174 06 ' OPERATOR(pg_catalog.||)
           pg_catalog.lpad((5 OPERATOR(pg_catalog.+) (privacy.digest_part(digest, 2) OPERATOR(pg_catalog.%) 95))::pg_catalog.text, 2, '0')
  end
$$;
comment on function privacy.fake_value(text, text, text) is
  'An invented value of a kind in a locale, chosen by a digest (first_name … phone; NULL for an unknown kind).';

create or replace function privacy.mask_fake(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    else privacy.fake_value(privacy.param_text(params, 'locale', 'sv'), privacy.param_text(params, 'kind', null),
                            pg_catalog.md5(value))
  end
$$;
comment on function privacy.mask_fake(text, jsonb) is
  'fake: an invented value of the given kind and locale (default sv), equal for equal values.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.fake_word_at(text, text, bigint),
  privacy.digest_part(text, integer),
  privacy.fake_email_name(text),
  privacy.fake_value(text, text, text),
  privacy.mask_fake(text, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
