-- integritet 0001: the privacy schema, the toolkit's group roles and the catalog tables.
--
-- Versioned and frozen once released: later changes come as new numbered steps. Functions,
-- triggers and reference data live in ../sql/ (repeatable, re-applied when they change).
-- Nothing here needs superuser: a role with CREATEROLE and CREATE on the database installs it.

create schema privacy;
comment on schema privacy is
  'integritet: what is personal, who sees what, what has expired. Read-only to all but privacy_admin.';

-- Nothing in this schema is usable by PUBLIC; access is granted role by role in sql/900-grants.sql
-- (which also takes EXECUTE on every function back from PUBLIC: per-schema default privileges
-- can add to, but not take away from, the PUBLIC default).
revoke all on schema privacy from public;

-- Group roles are cluster-wide: an existing role is reused as it is, and only roles created here
-- are remembered, so that uninstalling drops them and nothing else. Several databases may install
-- the toolkit at the same moment, so a concurrent `create role` collision means "it exists now".
create table privacy.installed_role (
  role_name     name primary key,
  database_name name not null default pg_catalog.current_database(),
  created_at    timestamptz not null default pg_catalog.now()
);
comment on table privacy.installed_role is
  'Group roles this install created (and so may drop on uninstall); roles that existed are reused and kept.';

do $roles$
declare
  r record;
begin
  for r in
    select * from (values
      ('privacy_admin',      'Declares what is personal and how it is kept; runs erasures and exports.'),
      ('privacy_masked',     'Applications: read personal columns masked, only their tenant''s rows.'),
      ('privacy_unmasked',   'Trusted staff: raw reads and audited reveal().'),
      ('privacy_sweeper',    'Sweep workers: may run retention sweeps and nothing else.'),
      ('privacy_view_owner', 'Owns the generated masked views; not a table owner, so row-level security applies to it.')
    ) as t(role_name, purpose)
  loop
    if not exists (select from pg_catalog.pg_roles where rolname = r.role_name) then
      begin
        execute pg_catalog.format('create role %I nologin', r.role_name);
        execute pg_catalog.format('comment on role %I is %L', r.role_name, 'integritet: ' || r.purpose);
        insert into privacy.installed_role (role_name) values (r.role_name);
      exception when duplicate_object or unique_violation then
        null;  -- created by a concurrent install in another database: reuse it
      end;
    end if;
  end loop;
end
$roles$;

-- The migration history. Created here as well as by the migrator (which needs it before the
-- first step has run), so the plain SQL install script and `migrate up` give the same schema.
create table if not exists privacy.schema_migration (
  name       text primary key,
  kind       text not null check (kind in ('versioned', 'repeatable')),
  checksum   text not null,
  applied_at timestamptz not null default pg_catalog.now(),
  applied_by name not null default session_user
);

-- Categories of data. `personal = false` is the only way a column is shown as it is: anything
-- unclassified, or classified into a personal category, is hidden or masked from restricted roles.
create table privacy.category (
  name        text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  personal    boolean not null,
  description text not null
);
comment on table privacy.category is 'Categories of data a column can be classified into.';

-- Mask and anonymization strategies, registered by name with a specification of their parameters
-- (validated at declaration time, so a bad parameter is an error then, not at read or sweep time).
create table privacy.strategy (
  name        text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  usable_for  text not null check (usable_for in ('mask', 'anonymize', 'both')),
  param_spec  jsonb not null default '{}' check (pg_catalog.jsonb_typeof(param_spec) = 'object'),
  description text not null,
  builtin     boolean not null default false
);
comment on table privacy.strategy is
  'Mask strategies (for reads) and anonymization strategies (for retention), with their parameter specs.';

-- Tables whose reads are protected, and the column that holds each row's tenant.
create table privacy.protected_table (
  schema_name   name not null,
  table_name    name not null,
  tenant_column name,
  protected_at  timestamptz not null default pg_catalog.now(),
  protected_by  name not null default session_user,
  primary key (schema_name, table_name)
);
comment on table privacy.protected_table is 'Tables read masked and tenant-isolated by restricted roles.';

-- One rule per classified column: its category, how restricted roles read it, and how retention
-- anonymizes it. A column without a row here is unclassified, which counts as personal.
create table privacy.column_rule (
  schema_name        name not null,
  table_name         name not null,
  column_name        name not null,
  category           text not null references privacy.category,
  mask_strategy      text references privacy.strategy,
  mask_params        jsonb not null default '{}' check (pg_catalog.jsonb_typeof(mask_params) = 'object'),
  anonymize_strategy text references privacy.strategy,
  anonymize_params   jsonb not null default '{}' check (pg_catalog.jsonb_typeof(anonymize_params) = 'object'),
  declared_at        timestamptz not null default pg_catalog.now(),
  declared_by        name not null default session_user,
  primary key (schema_name, table_name, column_name)
);
comment on table privacy.column_rule is 'How each classified column is categorised, masked and anonymized.';

-- Kinds of data subjects (customer, contact, user, device …), each with the table and key column
-- where its subjects live, and the columns elsewhere that refer to a subject.
create table privacy.subject_type (
  name         text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  schema_name  name not null,
  table_name   name not null,
  key_column   name not null,
  description  text not null default '',
  declared_at  timestamptz not null default pg_catalog.now(),
  declared_by  name not null default session_user
);
comment on table privacy.subject_type is 'Kinds of data subjects and the table and key where each lives.';

create table privacy.subject_link (
  subject_type text not null references privacy.subject_type on delete cascade,
  schema_name  name not null,
  table_name   name not null,
  column_name  name not null,
  declared_at  timestamptz not null default pg_catalog.now(),
  declared_by  name not null default session_user,
  primary key (subject_type, schema_name, table_name, column_name)
);
comment on table privacy.subject_link is 'Columns whose value identifies a subject of the given type.';

-- Statutory minimums: periods the law requires a record to be kept, whatever its policy says.
create table privacy.statutory_minimum (
  name        text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  law         text not null,
  description text not null
);
comment on table privacy.statutory_minimum is 'Legal obligations to keep records (e.g. bookkeeping).';

create table privacy.retention_policy (
  schema_name           name not null,
  table_name            name not null,
  anchor_column         name not null,
  keep                  interval not null check (keep > interval '0'),
  action                text not null check (action in ('anonymize', 'delete')),
  minimum               text references privacy.statutory_minimum,
  minimum_anchor_column name,
  schedule              text not null default '0 3 * * *',
  time_zone             text not null default 'UTC',
  declared_at           timestamptz not null default pg_catalog.now(),
  declared_by           name not null default session_user,
  primary key (schema_name, table_name),
  check ((minimum is null) = (minimum_anchor_column is null))
);
comment on table privacy.retention_policy is
  'How long rows of a table are kept after their anchor date, what happens then, and which minimum applies.';

-- Holds keep everything linked to one subject, whatever policies say (debts, legal claims).
-- The note may hold personal data, so it stays here and never reaches the ledger.
create table privacy.hold (
  id           bigint generated always as identity primary key,
  subject_type text not null references privacy.subject_type,
  subject_id   text not null,
  reason       text not null check (reason in ('debt', 'legal_claim', 'custom')),
  until        date,
  review_on    date,
  note         text,
  placed_at    timestamptz not null default pg_catalog.now(),
  placed_by    name not null default session_user,
  released_at  timestamptz,
  released_by  name,
  check (until is not null or review_on is not null)
);
create index hold_subject_idx on privacy.hold (subject_type, subject_id) where released_at is null;
comment on table privacy.hold is 'Legal holds on a subject: nothing linked to it is swept or erased while in force.';

-- The audit ledger: every declaration, sweep, erasure, export, hold change and reveal. Only
-- names of objects, counts and identifiers of the toolkit's own records go here, never values.
create table privacy.ledger (
  id          bigint generated always as identity primary key,
  at          timestamptz not null default pg_catalog.clock_timestamp(),
  actor       name not null default session_user,
  acting_role text not null default pg_catalog.current_setting('role'),
  action      text not null,
  object      text not null,
  detail      jsonb not null default '{}'
);
create index ledger_at_idx on privacy.ledger (at);
comment on table privacy.ledger is 'Append-only audit trail of every privacy-relevant action; holds no personal data.';
