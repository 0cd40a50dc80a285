-- integritet: fake Swedish personnummer, samordningsnummer and organisationsnummer that pass the
-- checks schemas put on them (digits, separator, Luhn check digit) and are recognisably fake.
--
--   select privacy.anonymize_fake_personnummer('19800101-1234', '{}');                 -- 19750239-1238, say
--   select privacy.anonymize_fake_organisationsnummer('556677-8899', '{"unique": true}');
--
-- The three never collide with each other nor with a real number, by where their digits fall:
--   real personnummer         month 01–12, day 01–31
--   real samordningsnummer    month 01–12, day 61–91 (day + 60)
--   real organisationsnummer  third digit 2 or more (a "month" of 20 or more), first digit 1–9
--   fake personnummer         month 01–12, day 32–60: no such day, neither a real number kind
--   fake samordningsnummer    month 01–12, day 92–99: day + 60 past any month's end
--   fake organisationsnummer  first digit 0 (no group of organisations), third digit 2 or more
-- So a date check or a register lookup tells them apart; a format check and a Luhn check pass.
-- Each keeps the form of the value it replaces: 10 or 12 digits, and '-', '+' or no separator
-- before the last four (a 12-digit value keeps its first two digits, the century or 16).
-- Parameters: unique (no two draws alike, see sql/152) and key (the same value and key give the
-- same fake). Spaces: 34.8 million personnummer, 9.6 million samordningsnummer, 80 million
-- organisationsnummer per 10-digit form.
--
-- needs: 152-fake-draws

-- Why invoker: pure text. The fake number in the form of `value`: `body` is the nine digits
-- before the check digit; the Luhn digit is computed over them.
create or replace function privacy.swedish_number_in_form_of(value text, body text)
returns text
language plpgsql immutable strict parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_digits text := pg_catalog.regexp_replace(value, '[^0-9]', '', 'g');
begin
  return case when pg_catalog.length(v_digits) = 12 then pg_catalog.left(v_digits, 2) else '' end
         || pg_catalog.left(body, 6)
         || coalesce(pg_catalog.substring(value, '([-+])[0-9]{4}$'), '')
         || pg_catalog.right(body, 3) || privacy.luhn_digit(body)::text;
end
$$;
comment on function privacy.swedish_number_in_form_of(text, text) is
  'A Swedish identity number with the given nine digits and their Luhn digit, in the form (length, separator) of value.';

-- Why invoker: draws a number (sql/152). Day 32–60: not a date, and not a samordningsnummer.
create or replace function privacy.anonymize_fake_personnummer(value text, params jsonb)
returns text
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  n bigint;
begin
  if value is null then
    return null;
  end if;
  n := privacy.fake_index(value, params, 34800000);
  return privacy.swedish_number_in_form_of(value,
    pg_catalog.lpad((n % 100)::text, 2, '0') || pg_catalog.lpad((n / 100 % 12 + 1)::text, 2, '0')
    || (32 + n / 1200 % 29)::text || pg_catalog.lpad((n / 34800)::text, 3, '0'));
end
$$;
comment on function privacy.anonymize_fake_personnummer(text, jsonb) is
  'fake_personnummer: a personnummer with a valid Luhn digit and a day of 32–60 (recognisably fake), in the form of the value.';

-- Why invoker: as above. Day 92–99: a samordningsnummer whose day - 60 is past any month's end.
create or replace function privacy.anonymize_fake_samordningsnummer(value text, params jsonb)
returns text
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  n bigint;
begin
  if value is null then
    return null;
  end if;
  n := privacy.fake_index(value, params, 9600000);
  return privacy.swedish_number_in_form_of(value,
    pg_catalog.lpad((n % 100)::text, 2, '0') || pg_catalog.lpad((n / 100 % 12 + 1)::text, 2, '0')
    || (92 + n / 1200 % 8)::text || pg_catalog.lpad((n / 9600)::text, 3, '0'));
end
$$;
comment on function privacy.anonymize_fake_samordningsnummer(text, jsonb) is
  'fake_samordningsnummer: a samordningsnummer with a valid Luhn digit and a day of 92–99 (recognisably fake), in the form of the value.';

-- Why invoker: as above. First digit 0 (no such group), third digit 2–9 as for every organisation.
create or replace function privacy.anonymize_fake_organisationsnummer(value text, params jsonb)
returns text
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  n bigint;
begin
  if value is null then
    return null;
  end if;
  n := privacy.fake_index(value, params, 80000000);
  return privacy.swedish_number_in_form_of(value,
    '0' || (n % 10)::text || (2 + n / 10 % 8)::text || pg_catalog.lpad((n / 80)::text, 6, '0'));
end
$$;
comment on function privacy.anonymize_fake_organisationsnummer(text, jsonb) is
  'fake_organisationsnummer: an organisationsnummer with a valid Luhn digit and first digit 0 (recognisably fake), in the form of the value.';

revoke execute on function privacy.swedish_number_in_form_of(text, text), privacy.anonymize_fake_personnummer(text, jsonb),
  privacy.anonymize_fake_samordningsnummer(text, jsonb), privacy.anonymize_fake_organisationsnummer(text, jsonb) from public;
grant execute on function privacy.swedish_number_in_form_of(text, text), privacy.anonymize_fake_personnummer(text, jsonb),
  privacy.anonymize_fake_samordningsnummer(text, jsonb), privacy.anonymize_fake_organisationsnummer(text, jsonb)
  to privacy_sweeper, privacy_admin;
