-- integritet: who may use what in the privacy schema. Re-applied whenever it changes.
--
-- privacy_admin reads the catalog and the ledger and declares through the API; nobody writes
-- a catalog table directly but its owner. Other roles get what later concerns grant them.

-- PostgreSQL lets PUBLIC execute every new function; none of the toolkit's is meant for PUBLIC.
revoke execute on all functions in schema privacy from public;

grant usage on schema privacy to privacy_admin, privacy_masked, privacy_unmasked, privacy_sweeper;

grant select on privacy.category, privacy.strategy, privacy.protected_table, privacy.column_rule,
                privacy.subject_type, privacy.subject_link, privacy.statutory_minimum,
                privacy.retention_policy, privacy.hold, privacy.ledger, privacy.schema_migration
  to privacy_admin;

grant execute on function
  privacy.classify_column(text, text, text, text, jsonb, text, jsonb),
  privacy.declassify_column(text, text),
  privacy.protect_table(text, text, text[], boolean),
  privacy.unprotect_table(text),
  privacy.declare_subject_type(text, text, text, text),
  privacy.link_subject(text, text, text, boolean),
  privacy.unlink_subject(text, text, text),
  privacy.set_retention(text, text, text, text, text, text, text, text),
  privacy.drop_retention(text),
  privacy.place_hold(text, text, text, date, date, text),
  privacy.release_hold(bigint)
  to privacy_admin;
