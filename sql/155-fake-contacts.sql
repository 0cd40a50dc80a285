-- integritet: fake phone numbers and e-mail addresses that keep what schemas check, and the
-- registry entries of every fake identifier (sql/152–155) and of `keep`.
--
--   select privacy.anonymize_fake_phone('+46 70-123 45 67', '{}');       -- +46 70-918 20 44, say
--   select privacy.anonymize_fake_email('anna@firma.se', '{"unique": true}');  -- anon-000000001234@example.invalid
--
--   fake_phone   the value's characters kept but its digits after the first few (a leading + and
--                three digits, else two: the country code or the 07 of a mobile) drawn anew.
--   fake_email   anon-<twelve digits>@example.invalid: .invalid is reserved (RFC 2606), so no
--                mail is ever sent to someone real.
--   keep         the value as it is, for what is not personal once the rest of the row is
--                anonymized (an amount, a count): a CHECK on it can then never refuse it.
-- Parameters as for every fake identifier (sql/152): unique and key.
--
-- needs: 152-fake-draws

-- Why invoker: draws a number (sql/152).
create or replace function privacy.anonymize_fake_phone(value text, params jsonb)
returns text
language plpgsql volatile parallel unsafe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_digits text := pg_catalog.regexp_replace(value, '[^0-9]', '', 'g');
  v_kept   integer := case when value ~ '^\s*\+' then 3 else 2 end;
  v_free   integer := greatest(pg_catalog.length(v_digits) - v_kept, 0);
begin
  if value is null then
    return null;
  end if;
  return privacy.fill_digits(value, pg_catalog.left(v_digits, v_kept)
           || pg_catalog.lpad(privacy.fake_index(value, params, (10::numeric ^ least(15, v_free))::bigint)::text, v_free, '0'));
end
$$;
comment on function privacy.anonymize_fake_phone(text, jsonb) is
  'fake_phone: the value''s form and first digits (country code, or 07), the other digits drawn.';

-- Why invoker: draws a number (sql/152).
create or replace function privacy.anonymize_fake_email(value text, params jsonb)
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
  return 'anon-' || pg_catalog.lpad(n::text, 12, '0') || '@example.invalid';
end
$$;
comment on function privacy.anonymize_fake_email(text, jsonb) is
  'fake_email: anon-<twelve digits>@example.invalid (a reserved domain).';

insert into privacy.strategy as s (name, usable_for, param_spec, description, builtin)
select x.name, 'anonymize', p.spec::jsonb, x.description, true
from (values
  ('fake_personnummer', 'A fake personnummer in the form of the value: valid Luhn digit, day 32–60 (no real person''s).'),
  ('fake_samordningsnummer', 'A fake samordningsnummer in the form of the value: valid Luhn digit, day 92–99 (no real person''s).'),
  ('fake_organisationsnummer', 'A fake organisationsnummer in the form of the value: valid Luhn digit, first digit 0 (no real organisation''s).'),
  ('fake_imei', 'A fake IMEI: 15 digits starting 00 (test range), valid Luhn digit.'),
  ('fake_iccid', 'A fake SIM ICCID: the value''s number of digits, starting 8900, valid Luhn digit.'),
  ('fake_vin', 'A fake vehicle identification number: ZZZ and 14 digits, valid ISO 3779 check character.'),
  ('fake_registration_number', 'A fake Swedish registration number: three letters and three digits.'),
  ('fake_phone', 'A fake phone number: the value''s form and country or mobile prefix, other digits drawn.'),
  ('fake_email', 'A fake e-mail address under the reserved domain example.invalid.')
) as x(name, description)
cross join (values ('{"unique": {"type": "boolean", "default": false}, "key": {"type": "string"}}')) as p(spec)
union all
select 'keep', 'anonymize', '{}'::jsonb,
       'Keeps the value as it is: for what is not personal once the rest of the row is anonymized (amounts, counts).', true
on conflict (name) do update
  set usable_for = excluded.usable_for, param_spec = excluded.param_spec,
      description = excluded.description, builtin = true, function_name = null
  where (s.usable_for, s.param_spec, s.description, s.builtin, s.function_name)
        is distinct from (excluded.usable_for, excluded.param_spec, excluded.description, true, null);

revoke execute on function privacy.anonymize_fake_phone(text, jsonb), privacy.anonymize_fake_email(text, jsonb) from public;
grant execute on function privacy.anonymize_fake_phone(text, jsonb), privacy.anonymize_fake_email(text, jsonb)
  to privacy_sweeper, privacy_admin;
