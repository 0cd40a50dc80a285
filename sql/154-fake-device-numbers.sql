-- integritet: fake IMEI, ICCID, VIN and Swedish vehicle registration numbers that pass the
-- checks schemas put on them.
--
--   select privacy.anonymize_fake_imei('356938035643809', '{"unique": true}');   -- 00…, Luhn-valid
--
--   fake_imei                 15 digits: 00, twelve drawn digits, the Luhn digit. Reporting body
--                             00 is the test range, so a fake never names a real device type.
--   fake_iccid                as many digits as the value (19 or 20): 89 (telecom), 00, drawn
--                             digits, the Luhn digit.
--   fake_vin                  17 characters: ZZZ (a made-up manufacturer), five drawn digits, the
--                             ISO 3779 check character in place 9, eight drawn digits.
--   fake_registration_number  three letters (not I, Q, V), two digits and a digit, e.g. ABC123,
--                             keeping a space after the letters when the value has one.
-- Parameters as for every fake identifier (sql/152): unique and key.
--
-- needs: 152-fake-draws

-- Why invoker: draws a number (sql/152).
create or replace function privacy.anonymize_fake_imei(value text, params jsonb)
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
  n := privacy.fake_index(value, params, 1000000000000);
  return '00' || pg_catalog.lpad(n::text, 12, '0') || privacy.luhn_digit('00' || pg_catalog.lpad(n::text, 12, '0'))::text;
end
$$;
comment on function privacy.anonymize_fake_imei(text, jsonb) is
  'fake_imei: 15 digits starting 00 (test range) with a valid Luhn digit.';

-- Why invoker: draws a number (sql/152). Bounded to 15 drawn digits (a bigint).
create or replace function privacy.anonymize_fake_iccid(value text, params jsonb)
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
  n := privacy.fake_index(value, params, (10::numeric ^ least(15, greatest(8, pg_catalog.length(pg_catalog.regexp_replace(value, '[^0-9]', '', 'g')) - 5)))::bigint);
  return '8900' || pg_catalog.lpad(n::text, least(15, greatest(8, pg_catalog.length(pg_catalog.regexp_replace(value, '[^0-9]', '', 'g')) - 5)), '0')
    || privacy.luhn_digit('8900' || pg_catalog.lpad(n::text, least(15, greatest(8, pg_catalog.length(pg_catalog.regexp_replace(value, '[^0-9]', '', 'g')) - 5)), '0'))::text;
end
$$;
comment on function privacy.anonymize_fake_iccid(text, jsonb) is
  'fake_iccid: as many digits as the value (13 to 20), starting 8900, with a valid Luhn digit.';

-- Why invoker: pure arithmetic. The VIN check character (ISO 3779, place 9) of 17 characters:
-- letters count as their transliterated digit, each place has its weight, the sum mod 11 (10: X).
create or replace function privacy.vin_check_character(vin text)
returns text
language sql immutable strict parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select case when x.s % 11 = 10 then 'X' else (x.s % 11)::text end
  from (select pg_catalog.sum(
                 case when c ~ '[0-9]' then c::integer
                      else pg_catalog.substr('12345678123457923456789', pg_catalog.strpos('ABCDEFGHJKLMNPRSTUVWXYZ', c), 1)::integer end
                 * (array[8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2])[i]) as s
        from (select pg_catalog.substr(vin, i, 1) as c, i from pg_catalog.generate_series(1, 17) as i) y) x
$$;
comment on function privacy.vin_check_character(text) is 'The ISO 3779 check character (0–9 or X) of a 17-character VIN.';

-- Why invoker: draws a number (sql/152).
create or replace function privacy.anonymize_fake_vin(value text, params jsonb)
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
  n := privacy.fake_index(value, params, 10000000000000);
  return (select pg_catalog.left(v, 8) || privacy.vin_check_character(v) || pg_catalog.right(v, 8)
          from (select 'ZZZ' || pg_catalog.left(d, 5) || '0' || pg_catalog.right(d, 8) as v
                from (select pg_catalog.lpad(n::text, 13, '0') as d) y) x);
end
$$;
comment on function privacy.anonymize_fake_vin(text, jsonb) is
  'fake_vin: 17 characters, ZZZ and digits, with a valid ISO 3779 check character.';

-- Why invoker: draws a number (sql/152). 23 letters (no I, Q, V), 12.2 million numbers.
create or replace function privacy.anonymize_fake_registration_number(value text, params jsonb)
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
  n := privacy.fake_index(value, params, 12167000);
  return pg_catalog.substr('ABCDEFGHJKLMNOPRSTUWXYZ', (n % 23 + 1)::integer, 1) || pg_catalog.substr('ABCDEFGHJKLMNOPRSTUWXYZ', (n / 23 % 23 + 1)::integer, 1)
    || pg_catalog.substr('ABCDEFGHJKLMNOPRSTUWXYZ', (n / 529 % 23 + 1)::integer, 1)
    || case when value ~ '^[A-Za-z]{3} ' then ' ' else '' end
    || pg_catalog.lpad((n / 12167)::text, 3, '0');
end
$$;
comment on function privacy.anonymize_fake_registration_number(text, jsonb) is
  'fake_registration_number: a Swedish registration number of the form ABC123 (a space after the letters kept).';

revoke execute on function privacy.anonymize_fake_imei(text, jsonb), privacy.anonymize_fake_iccid(text, jsonb),
  privacy.vin_check_character(text), privacy.anonymize_fake_vin(text, jsonb), privacy.anonymize_fake_registration_number(text, jsonb)
  from public;
grant execute on function privacy.anonymize_fake_imei(text, jsonb), privacy.anonymize_fake_iccid(text, jsonb),
  privacy.vin_check_character(text), privacy.anonymize_fake_vin(text, jsonb), privacy.anonymize_fake_registration_number(text, jsonb)
  to privacy_sweeper, privacy_admin;
