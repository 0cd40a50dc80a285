-- integritet: the categories a column can be classified into.
--
-- Only `not_personal` is shown as stored to restricted roles. Everything else (and every column
-- nobody classified) is personal: masked when a mask strategy is declared, hidden otherwise.
--
-- needs: none

insert into privacy.category as c (name, personal, description) values
  ('not_personal', false, 'Not personal data: shown as stored.'),
  ('identifier',   true,  'Identifies a person directly: name, personal identity number, customer number.'),
  ('contact',      true,  'Contact details: e-mail, phone, postal address.'),
  ('financial',    true,  'Payments, invoices, account and card data of a person.'),
  ('location',     true,  'Positions, routes and places linked to a person or their vehicle.'),
  ('technical',    true,  'Device identifiers, IP addresses, log data linked to a person.'),
  ('credential',   true,  'Password hashes, tokens and secrets.'),
  ('free_text',    true,  'Free text that may contain anything about anyone.'),
  ('special',      true,  'Special categories (GDPR Art. 9): health, beliefs, union membership, biometrics.'),
  ('personal',     true,  'Personal data of another or unknown kind.')
on conflict (name) do update
  set personal = excluded.personal, description = excluded.description
  where (c.personal, c.description) is distinct from (excluded.personal, excluded.description);
