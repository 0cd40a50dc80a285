-- integritet: the scrub_text write rule — e-mail addresses, phone numbers and Swedish personal
-- identity numbers taken out of free text before it is stored.
--
-- Free-text fields (notes, messages, support tickets) collect personal data nobody declared.
-- Each kind is found by a pattern and then checked, so ordinary numbers survive:
--   * personnummer: 10 or 12 digits (YYMMDD-NNNC / YYYYMMDDNNNC, with -, + or nothing before
--     the last four), taken when the date part is a possible date (day + 60 for coordination
--     numbers) and either the Luhn check digit is right or the separator is written (a mistyped
--     check digit is still someone's number); a number that happens to pass is scrubbed too —
--     the price of a check digit that one number in ten passes;
--   * phone numbers: starting with + and a country code, or with 0, 8 to 15 digits with spaces,
--     dashes or parentheses between them;
--   * e-mail addresses: local@domain.tld.
-- Not inlinable (they read sets of matches), so these functions set search_path = pg_catalog, pg_temp and write
-- patterns as E'' literals, read the same whatever standard_conforming_strings says.
--
-- needs: 152-fake-draws

-- Why: the personnummer check — date part and Luhn check digit over the last ten digits.
create or replace function privacy.is_personnummer(candidate text)
returns boolean
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.substr(x.d, 3, 2)::pg_catalog.int4 between 1 and 12
     and (pg_catalog.substr(x.d, 5, 2)::pg_catalog.int4 between 1 and 31
          or pg_catalog.substr(x.d, 5, 2)::pg_catalog.int4 between 61 and 91)
     and (pg_catalog.length(x.digits) = 10 or pg_catalog.left(x.digits, 2) in ('18', '19', '20'))
     and (select pg_catalog.sum(w.p / 10 + w.p % 10) % 10 = 0
          from (select pg_catalog.substr(x.d, i, 1)::pg_catalog.int4 * (case when i % 2 = 1 then 2 else 1 end) as p
                from pg_catalog.generate_series(1, 10) as i) w)
  from (select y.digits, pg_catalog.right(y.digits, 10) as d
        from (select pg_catalog.regexp_replace(candidate, '[^0-9]', '', 'g') as digits) y) x
$$;
comment on function privacy.is_personnummer(text) is
  'Whether a 10- or 12-digit candidate is a Swedish personal identity (or coordination) number: valid date part and Luhn check digit.';

-- Why: people mistype. A candidate written with its separator (YYMMDD-NNNN, YYYYMMDD+NNNN) and a
-- possible date part is a personnummer whatever its check digit; without a separator the check
-- digit must be right, or every ten-digit number with a date-like start would be taken.
create or replace function privacy.looks_like_personnummer(candidate text)
returns boolean
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select privacy.is_personnummer(candidate)
      or (candidate ~ '[-+][0-9]{4}$'
          and privacy.is_personnummer(pg_catalog.left(candidate, -1)
                                      || privacy.luhn_digit(pg_catalog.right(pg_catalog.regexp_replace(pg_catalog.left(candidate, -1),
                                                                                                     '[^0-9]', '', 'g'), 9))::text))
$$;
comment on function privacy.looks_like_personnummer(text) is
  'A personnummer candidate with a valid check digit, or written with its separator and a possible date (a mistyped check digit).';

-- Why: phone candidates are checked for a plausible number of digits, so dates and times that
-- the pattern also catches ("05-01 10:30") are left alone.
create or replace function privacy.is_phone_number(candidate text)
returns boolean
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.length(pg_catalog.regexp_replace(candidate, '[^0-9]', '', 'g')) between 8 and 15
$$;
comment on function privacy.is_phone_number(text) is 'Whether a phone-number candidate has 8 to 15 digits.';

-- Why: regexp_replace cannot check a match before replacing it. The text is cut into the
-- pieces between matches and the matches (both in order, same pattern), and each match that
-- passes its kind's check is replaced.
create or replace function privacy.replace_checked_matches(value text, pattern text, replacement text, kind text)
returns text
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(pg_catalog.string_agg(
           g.gap || coalesce(case
                               when m.match is null then ''
                               when case kind when 'personnummer' then privacy.looks_like_personnummer(m.match[1])
                                              when 'phone' then privacy.is_phone_number(m.match[1])
                                              else false end
                                 then replacement
                               else m.match[1]
                             end, ''),
           '' order by g.ord), value)
  from pg_catalog.regexp_split_to_table(value, pattern) with ordinality as g(gap, ord)
  left join pg_catalog.regexp_matches(value, pattern, 'g') with ordinality as m(match, ord) on m.ord = g.ord
$$;
comment on function privacy.replace_checked_matches(text, text, text, text) is
  'Replaces the matches of a pattern that pass the check of their kind (personnummer, phone).';

-- Why plpgsql: three optional steps in a fixed order (e-mail first, so digits in addresses are
-- not read as numbers; personnummer before phone numbers, which a 10-digit one could resemble).
create or replace function privacy.minimise_scrub_text(value text, params jsonb)
returns text
language plpgsql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_text pg_catalog.text := value;
begin
  if value is null then
    return null;
  end if;
  if coalesce((params ->> 'email')::boolean, true) then
    v_text := pg_catalog.regexp_replace(v_text,
      E'[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}', '[email]', 'g');
  end if;
  if coalesce((params ->> 'personnummer')::boolean, true) then
    v_text := privacy.replace_checked_matches(v_text,
      E'\\m(?:[0-9]{2})?[0-9]{6}[-+]?[0-9]{4}\\M', '[personnummer]', 'personnummer');
  end if;
  if coalesce((params ->> 'phone')::boolean, true) then
    v_text := privacy.replace_checked_matches(v_text,
      E'(?:\\+[0-9]{1,3}[ -]?|\\m0)[0-9][0-9 ()-]{5,16}[0-9]', '[phone]', 'phone');
  end if;
  return v_text;
end
$$;
comment on function privacy.minimise_scrub_text(text, jsonb) is
  'scrub_text: e-mail addresses, phone numbers and personnummer (valid check digit) replaced by [email], [phone], [personnummer]; params turn each off.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.is_personnummer(text),
  privacy.looks_like_personnummer(text),
  privacy.is_phone_number(text),
  privacy.replace_checked_matches(text, text, text, text),
  privacy.minimise_scrub_text(text, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
