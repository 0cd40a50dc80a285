-- integritet: who may use what in the privacy schema. Re-applied whenever it changes.
--
-- What belongs to no one file: the schema's usage, the catalog tables the migrations create
-- (privacy_admin reads the catalog and the ledger; nobody writes a catalog table directly but its
-- owner), and PUBLIC's EXECUTE taken from every function once more. Each file grants on the
-- functions it defines, beside them (sql/README.md).
--
-- needs: none

-- PostgreSQL lets PUBLIC execute every new function; none of the toolkit's is meant for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- The generated masked views and their write triggers belong to privacy_view_owner; a trigger
-- function running as that role finds privacy.minimise_* and privacy.mask_* by name.
grant usage on schema privacy to privacy_view_owner;
grant usage on schema privacy to privacy_admin, privacy_masked, privacy_unmasked, privacy_sweeper;

grant select on privacy.category, privacy.strategy, privacy.protected_table, privacy.column_rule,
                privacy.subject_type, privacy.subject_link, privacy.statutory_minimum,
                privacy.retention_policy, privacy.hold, privacy.ledger, privacy.schema_migration
  to privacy_admin;
-- The fake strategy's word lists (migration 0003), for admins to read (the masks use their
-- compiled form).
grant select on privacy.fake_word to privacy_admin;
