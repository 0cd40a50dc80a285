-- integritet 0010: the objects the repeatable definitions (../sql/) installed, so that
-- `migrate up` re-applies a definition whose objects are missing or differ even when its file
-- did not change, and `migrate status` and `status` can say what is missing.

create table privacy.toolkit_object (
  -- e.g. `function privacy.sync()`, `trigger hidden_row_insert on privacy.restricted_row`
  identity    text primary key,
  -- A hash of its definition (body, options, privileges) as installed.
  hash        text not null,
  -- The definition files that made or changed it, e.g. {sql/415-hidden-rows.sql,sql/900-grants.sql}.
  sources     text[] not null default '{}',
  recorded_at timestamptz not null default pg_catalog.now()
);
comment on table privacy.toolkit_object is
  'Objects the repeatable definitions installed, with a hash of each and the files that made it (kept by the migrator).';
-- `integritet status` (privacy_admin) compares it with what is installed.
grant select on privacy.toolkit_object to privacy_admin;

-- A protected table is followed through ALTER TABLE … RENAME and RENAME COLUMN by its OID and
-- the names its columns had when its view was last generated (sql/235-follow-renames.sql).
alter table privacy.enforcement
  add column relid oid,
  add column column_names jsonb;
comment on column privacy.enforcement.relid is 'The protected table''s OID, which a rename keeps.';
comment on column privacy.enforcement.column_names is
  'The table''s column names by attribute number when its view was last generated: {"1": "id", …}.';
