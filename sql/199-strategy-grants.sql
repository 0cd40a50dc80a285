-- integritet: who may use the strategy library (sql/100–185). Re-applied whenever it changes.
--
-- Functions in a view run with the rights of the role that reads the view, and an inlined
-- function is inlined only for a role that may execute it; so every role that reads, writes or
-- sweeps protected data executes the masks and their building blocks. They are pure functions
-- of their arguments; the one exception, pseudonym_hmac, holds the key and is granted apart.
-- PUBLIC gets nothing (each file of the library revokes it as it defines its functions).

-- The generated masked views and their write triggers belong to privacy_view_owner; a trigger
-- function running as that role finds privacy.minimise_* and privacy.mask_* by name.
grant usage on schema privacy to privacy_view_owner;

-- The fake strategy's word lists, for admins to read (the masks use their compiled form).
grant select on privacy.fake_word to privacy_admin;

grant execute on function
  privacy.param_int(jsonb, text, integer),
  privacy.param_numeric(jsonb, text, numeric),
  privacy.param_float(jsonb, text, double precision),
  privacy.param_text(jsonb, text, text),
  privacy.param_bool(jsonb, text, boolean),
  privacy.text_bytes(text),
  privacy.random_hex(),
  privacy.hex_to_bigint(text),
  privacy.mask_redact(text, jsonb),
  privacy.mask_partial(text, jsonb),
  privacy.mask_email(text, jsonb),
  privacy.digit_count(text),
  privacy.digit_suffix_length(text, integer),
  privacy.mask_phone(text, jsonb),
  privacy.mask_hash(text, jsonb),
  privacy.anonymize_hash(text, jsonb),
  privacy.mask_pseudonym(text, jsonb),
  privacy.mask_pseudonym(bigint, jsonb),
  privacy.mask_pseudonym(integer, jsonb),
  privacy.anonymize_pseudonym(text, jsonb),
  privacy.anonymize_pseudonym(bigint, jsonb),
  privacy.anonymize_pseudonym(integer, jsonb),
  privacy.mask_generalize(date, jsonb),
  privacy.mask_generalize(timestamp, jsonb),
  privacy.mask_generalize(timestamptz, jsonb),
  privacy.mask_generalize(numeric, jsonb),
  privacy.mask_generalize(integer, jsonb),
  privacy.mask_generalize(bigint, jsonb),
  privacy.mask_generalize(double precision, jsonb),
  privacy.mask_round(numeric, jsonb),
  privacy.mask_round(double precision, jsonb),
  privacy.mask_round(real, jsonb),
  privacy.random_offset(numeric),
  privacy.random_sign_fraction(),
  privacy.mask_noise(numeric, jsonb),
  privacy.mask_noise(double precision, jsonb),
  privacy.mask_noise(integer, jsonb),
  privacy.mask_noise(bigint, jsonb),
  privacy.mask_noise(date, jsonb),
  privacy.mask_noise(timestamp, jsonb),
  privacy.mask_noise(timestamptz, jsonb),
  privacy.fake_word_list(text, text),
  privacy.fake_word_at(text, text, bigint),
  privacy.digest_part(text, integer),
  privacy.fake_email_name(text),
  privacy.fake_value(text, text, text),
  privacy.mask_fake(text, jsonb),
  privacy.grid_centre(double precision, double precision, double precision),
  privacy.mask_grid(double precision, jsonb),
  privacy.mask_time(timestamp, jsonb),
  privacy.mask_time(timestamptz, jsonb),
  privacy.minimise_truncate_ip(inet, jsonb),
  privacy.minimise_cap_precision(double precision, jsonb),
  privacy.minimise_cap_precision(numeric, jsonb),
  privacy.minimise_pseudonymise(text, jsonb),
  privacy.is_personnummer(text),
  privacy.luhn_digit(text),
  privacy.looks_like_personnummer(text),
  privacy.is_phone_number(text),
  privacy.replace_checked_matches(text, text, text, text),
  privacy.minimise_scrub_text(text, jsonb)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;

-- The key's only door: pseudonyms for those who read, own views, or sweep. Not privacy_admin:
-- declaring rules needs no pseudonyms, and every role that can compute them can test guesses.
grant execute on function privacy.pseudonym_hmac(text)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper;

-- Admins register strategies, rotate the key (neither reads a key or writes the catalog but
-- through the definer function), and may preview the SQL a declaration turns into.
grant execute on function
  privacy.register_strategy(text, text, text, jsonb, text),
  privacy.rotate_pseudonym_key(),
  privacy.strategy_call(text, jsonb, text, regtype, text),
  privacy.write_rule_call(text, jsonb, text, regtype),
  privacy.strategy_expression(text, jsonb, text, regtype, text, text),
  privacy.strategy_function(text, text, regtype),
  privacy.strategy_types(text, text),
  privacy.strategy_defaults(text),
  privacy.check_strategy_for_type(text, jsonb, regtype, text),
  privacy.check_strategy(text, text, jsonb, text),
  privacy.base_type(regtype),
  privacy.type_sql(regtype),
  privacy.mask_specialised(regprocedure, jsonb, text, regtype)
  to privacy_admin;
