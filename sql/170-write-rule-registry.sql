-- integritet: the registry of write-minimisation rules — what BEFORE INSERT/UPDATE triggers may
-- do to a value before it is stored at all (data minimisation, GDPR Art. 5(1)(c)).
--
-- Rules share privacy.strategy with masks (usable_for = 'write', migration 0003), so a rule's
-- parameters are declared and validated exactly like a mask's: privacy.check_strategy(rule,
-- 'write', params, object), and privacy.write_rule_call() for the column's type. Each rule is
-- implemented by privacy.minimise_<rule>(value T, params jsonb) (sql/171, sql/172).
--
-- needs: none

insert into privacy.strategy as s (name, usable_for, param_spec, description, builtin) values
  ('truncate_ip', 'write',
   '{"ipv4_prefix": {"type": "integer", "minimum": 0, "maximum": 32, "default": 24},
     "ipv6_prefix": {"type": "integer", "minimum": 0, "maximum": 128, "default": 48}}',
   'Keeps only the network of an IP address: the first 24 bits of IPv4, 48 of IPv6 by default.', true),
  ('scrub_text', 'write',
   '{"email":        {"type": "boolean", "default": true},
     "phone":        {"type": "boolean", "default": true},
     "personnummer": {"type": "boolean", "default": true}}',
   'Replaces e-mail addresses, phone numbers and Swedish personal identity numbers (valid check digit only) in free text by [email], [phone], [personnummer].', true),
  ('pseudonymise', 'write',
   '{"length": {"type": "integer", "minimum": 8, "maximum": 64, "default": 16}}',
   'Stores the keyed pseudonym (as the pseudonym mask) instead of the value.', true),
  ('cap_precision', 'write',
   '{"digits": {"type": "integer", "minimum": 0, "maximum": 15, "default": 4}}',
   'Rounds a number to digits decimals before it is stored (4 decimals of a degree: about 11 m).', true)
on conflict (name) do update
  -- A custom strategy registered under a name that became built in gives way to the built-in one.
  set usable_for = excluded.usable_for, param_spec = excluded.param_spec,
      description = excluded.description, builtin = true, function_name = null
  where (s.usable_for, s.param_spec, s.description, s.builtin, s.function_name)
        is distinct from (excluded.usable_for, excluded.param_spec, excluded.description, true, null);
