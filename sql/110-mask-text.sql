-- integritet: masks that keep the shape of a text — redact, partial, email, phone.
--
-- Written as described in sql/100-strategy-building-blocks.sql: inlinable (no SET clause), every
-- name qualified, NULL in gives NULL out. Character-typed columns other than text (varchar,
-- char, citext) use these through privacy.strategy_call, which casts to text and back.
--
-- needs: 100-strategy-building-blocks

-- Why: the simplest mask, a fixed text whatever the value (only NULL stays NULL).
create or replace function privacy.mask_redact(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case when value is null then null
              else privacy.param_text(params, 'replacement', '***') end
$$;
comment on function privacy.mask_redact(text, jsonb) is
  'redact: the replacement text (default ***) instead of the value.';

-- Why: names and identifiers stay recognisable to the people who know them (first letter,
-- last digits) without being readable. A value too short to hide anything shows nothing.
create or replace function privacy.mask_partial(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    when pg_catalog.char_length(value) OPERATOR(pg_catalog.<=)
         (privacy.param_int(params, 'keep_first', 1) OPERATOR(pg_catalog.+) privacy.param_int(params, 'keep_last', 0))
      then pg_catalog.repeat(privacy.param_text(params, 'fill', '*'), pg_catalog.char_length(value))
    else pg_catalog.left(value, privacy.param_int(params, 'keep_first', 1))
         OPERATOR(pg_catalog.||) pg_catalog.repeat(privacy.param_text(params, 'fill', '*'),
                                   (pg_catalog.char_length(value)
                                    OPERATOR(pg_catalog.-) privacy.param_int(params, 'keep_first', 1))
                                   OPERATOR(pg_catalog.-) privacy.param_int(params, 'keep_last', 0))
         OPERATOR(pg_catalog.||) pg_catalog.right(value, privacy.param_int(params, 'keep_last', 0))
  end
$$;
comment on function privacy.mask_partial(text, jsonb) is
  'partial: keeps keep_first (default 1) and keep_last (default 0) characters, one fill (default *) for each other one; all fill when the value is not longer than what would be kept.';

-- Why: the domain of an address (employer, provider) is often what support staff need; the
-- local part is what identifies the person.
create or replace function privacy.mask_email(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    when privacy.param_bool(params, 'keep_domain', true)
         and pg_catalog.strpos(value, '@') OPERATOR(pg_catalog.>) 0
      then '***@' OPERATOR(pg_catalog.||) pg_catalog.split_part(value, '@', -1)
    else '***'
  end
$$;
comment on function privacy.mask_email(text, jsonb) is
  'email: ***@domain (the part after the last @) when keep_domain (default true), else ***.';

-- Why invoker, inlinable: how many digits a text holds, without a regular expression.
create or replace function privacy.digit_count(value text)
returns integer
language sql immutable parallel safe
as $$
  select pg_catalog.length(value) OPERATOR(pg_catalog.-)
         pg_catalog.length(pg_catalog.translate(value, '0123456789', ''))
$$;
comment on function privacy.digit_count(text) is 'Number of digits 0–9 in a text.';

-- Why invoker, inlinable: the length of the shortest end of `value` that holds its last `digits`
-- digits, when that end has at most three separators; the whole length when the value has
-- fewer digits; NULL otherwise. translate() costs a fraction of a regular expression a row.
create or replace function privacy.digit_suffix_length(value text, digits integer)
returns integer
language sql immutable parallel safe
as $$
  select case
    when privacy.digit_count(pg_catalog.right(value, digits)) OPERATOR(pg_catalog.>=) digits then digits
    when privacy.digit_count(pg_catalog.right(value, digits OPERATOR(pg_catalog.+) 1)) OPERATOR(pg_catalog.>=) digits
      then digits OPERATOR(pg_catalog.+) 1
    when privacy.digit_count(pg_catalog.right(value, digits OPERATOR(pg_catalog.+) 2)) OPERATOR(pg_catalog.>=) digits
      then digits OPERATOR(pg_catalog.+) 2
    when privacy.digit_count(pg_catalog.right(value, digits OPERATOR(pg_catalog.+) 3)) OPERATOR(pg_catalog.>=) digits
      then digits OPERATOR(pg_catalog.+) 3
    when privacy.digit_count(value) OPERATOR(pg_catalog.<) digits then pg_catalog.length(value)
  end
$$;
comment on function privacy.digit_suffix_length(text, integer) is
  'Length of the shortest end of a text holding its last n digits (at most 3 separators among them), or NULL.';

-- Why: the last digits let a caller confirm a number ("ending in 67") without reading it.
-- Separators and a leading + stay, so the format is still recognisable.
create or replace function privacy.mask_phone(value text, params jsonb)
returns text
language sql immutable parallel safe
as $$
  select case
    when value is null then null
    when privacy.digit_suffix_length(value, privacy.param_int(params, 'keep_last', 2)) is not null then
      pg_catalog.translate(
        pg_catalog.left(value, pg_catalog.length(value) OPERATOR(pg_catalog.-)
                               privacy.digit_suffix_length(value, privacy.param_int(params, 'keep_last', 2))),
        '0123456789', '**********')
      OPERATOR(pg_catalog.||)
      pg_catalog.right(value, privacy.digit_suffix_length(value, privacy.param_int(params, 'keep_last', 2)))
    -- Rare shapes (many separators among the last digits): every digit followed by at least
    -- keep_last more digits becomes *.
    else pg_catalog.regexp_replace(value,
           ('[0-9](?=(?:[^0-9]*[0-9]){' OPERATOR(pg_catalog.||)
            privacy.param_int(params, 'keep_last', 2)::pg_catalog.text) OPERATOR(pg_catalog.||) '})',
           '*', 'g')
  end
$$;
comment on function privacy.mask_phone(text, jsonb) is
  'phone: every digit but the last keep_last (default 2) replaced by *, separators kept.';

-- Why a function of its own, never inlined (PL/pgSQL, its plan kept for the session): the
-- specialised phone mask (sql/181) computes the common shapes itself and calls this for the
-- rare ones. Inlined there, the general expression was a tree of some sixty function calls in
-- every masked view's column, and PostgreSQL builds a view's expressions (checking EXECUTE on
-- every function in them) each time a statement starts: two thirds of the instructions of a
-- masked primary-key lookup (bench/masked-reads-instructions.ts). One call costs one check.
create or replace function privacy.mask_phone_rare(value text, keep_last integer)
returns text
language plpgsql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
begin
  return privacy.mask_phone(value, pg_catalog.jsonb_build_object('keep_last', keep_last));
end
$$;
comment on function privacy.mask_phone_rare(text, integer) is
  'phone with keep_last, as privacy.mask_phone() (internal: the shapes the specialised phone mask leaves to it).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.mask_redact(text, jsonb),
  privacy.mask_partial(text, jsonb),
  privacy.mask_email(text, jsonb),
  privacy.digit_count(text),
  privacy.digit_suffix_length(text, integer),
  privacy.mask_phone(text, jsonb),
  privacy.mask_phone_rare(text, integer)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
