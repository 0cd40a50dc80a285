-- integritet 0002: masked reads — the `masked` schema for generated views, the record of what
-- was generated on user tables, and write rules for minimisation.
--
-- Restricted roles read protected tables through views in `masked`, owned by privacy_view_owner:
-- a role that owns no table, so row-level security applies to it, and that restricted roles are
-- not members of, so they hold no privilege on the base tables.

create schema masked;
comment on schema masked is
  'integritet: generated views through which privacy_masked roles read and write protected tables.';
revoke all on schema masked from public;
-- The view owner needs CREATE here to own views; applications only USAGE.
grant usage, create on schema masked to privacy_view_owner;
grant usage on schema masked to privacy_masked;

-- The installer makes views and hands them to privacy_view_owner, which needs membership.
do $membership$
begin
  if not pg_catalog.pg_has_role(current_user, 'privacy_view_owner', 'MEMBER') then
    execute pg_catalog.format('grant privacy_view_owner to %I', current_user);
  end if;
exception when insufficient_privilege then
  raise exception using errcode = 'PV013',
    message = pg_catalog.format('role %I cannot become a member of privacy_view_owner', current_user),
    hint = 'Install as the role that created the toolkit''s roles, or have a superuser run: grant privacy_view_owner to <installer>.';
end
$membership$;

-- What the toolkit did to each protected table, so that unprotecting (or uninstalling) undoes
-- exactly that and leaves the user's own settings as they were.
create table privacy.enforcement (
  schema_name     name not null,
  table_name      name not null,
  rls_was_enabled boolean not null,
  view_name       name not null,
  synced_at       timestamptz not null default pg_catalog.now(),
  definition_hash text not null,
  primary key (schema_name, table_name),
  unique (view_name)
);
comment on table privacy.enforcement is
  'Views, policies and triggers generated for each protected table, and the table''s RLS setting before.';

-- Minimisation on write: a rule applied to a column by a BEFORE trigger for every role.
alter table privacy.column_rule
  add column write_rule text,
  add column write_params jsonb not null default '{}' check (pg_catalog.jsonb_typeof(write_params) = 'object');
