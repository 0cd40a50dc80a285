-- integritet: keeping masked views in step with schema changes.
--
-- Where the installing role is superuser, an event trigger regenerates a protected table's
-- masked view as soon as the table is altered, so a new column is at once visible to
-- applications as NULL (it is unclassified). Elsewhere `integritet sync` (privacy.sync())
-- does the same; until then the new column is simply absent from the view, never exposed.
-- A partition made or attached under a table with a retention policy gets its truncate guard
-- here too (elsewhere from `integritet sync`).
--
-- needs: 200-masked-views, 201-partitions
-- uses later: 235-follow-renames, 320-retention-guards

-- Why definer: the DDL's author may own the table without owning the generated view and
-- policies; regeneration needs the installing role's rights.
create or replace function privacy.sync_after_ddl()
returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  t record;
begin
  -- Regenerating issues DDL itself, which must not trigger another round.
  if coalesce(pg_catalog.current_setting('privacy.syncing', true), '') = 'on' then
    return;
  end if;
  -- After a downgrade the definitions here are written for a later version than the tables under
  -- them, and `migrate down` forgets them (no repeatable row in the history) until `migrate up`
  -- applies the right ones. Until then the views are left as they are: a new column is absent
  -- from its view, never shown, and the user's DDL does not fail on the toolkit's behalf.
  if not exists (select from privacy.schema_migration m where m.kind = 'repeatable') then
    return;
  end if;
  -- A protected table renamed, or one of its columns, keeps its rules under the new name.
  perform privacy.follow_renames();
  -- The protected tables altered, and those a new or altered partition or child descends from
  -- (CREATE TABLE … PARTITION OF, ATTACH PARTITION, INHERITS: sql/201-partitions.sql).
  for t in
    select distinct p.schema_name, p.table_name
    from pg_catalog.pg_event_trigger_ddl_commands() d
    join pg_catalog.pg_class c on c.oid = d.objid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join privacy.protected_table p on p.schema_name = n.nspname and p.table_name = c.relname
    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    union
    select a.schema_name, a.table_name
    from pg_catalog.pg_event_trigger_ddl_commands() d
    cross join lateral privacy.protected_ancestors(d.objid) a
    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
  loop
    begin
      perform privacy.sync_table(t.schema_name, t.table_name);
    exception when sqlstate 'PV015' then
      -- The view is in use: the ALTER goes ahead without waiting for it, and the view keeps
      -- its columns (a new one stays absent from it, never exposed) until `integritet sync`.
      raise warning using message = pg_catalog.format('masked view of %I.%I not regenerated: %s',
                                                      t.schema_name, t.table_name, sqlerrm),
        hint = 'Run integritet sync once it is free.';
    end;
  end loop;
  -- A partition made or attached under a table with a retention policy gets its truncate guard
  -- now, in the transaction that made it (sweeps never make triggers).
  for t in
    select distinct p.schema_name, p.table_name
    from pg_catalog.pg_event_trigger_ddl_commands() d
    cross join lateral pg_catalog.pg_partition_ancestors(d.objid) a(relid)
    join pg_catalog.pg_class c on c.oid = a.relid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join privacy.retention_policy p on p.schema_name = n.nspname and p.table_name = c.relname
    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.object_type = 'table'
  loop
    perform privacy.ensure_retention_guards(t.schema_name, t.table_name);
  end loop;
end
$$;
comment on function privacy.sync_after_ddl() is
  'Event trigger: regenerates the masked view of a protected table that was just altered.';

-- CREATE TABLE too: a partition made with PARTITION OF (or a child with INHERITS) is covered by
-- the statement that made it. An event trigger of older versions, on ALTER TABLE alone, is made anew.
do $event_trigger$
begin
  if (select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user) then
    if exists (select from pg_catalog.pg_event_trigger
               where evtname = 'privacy_sync_after_ddl' and not evttags @> array['CREATE TABLE']) then
      drop event trigger privacy_sync_after_ddl;
    end if;
    if not exists (select from pg_catalog.pg_event_trigger where evtname = 'privacy_sync_after_ddl') then
      create event trigger privacy_sync_after_ddl on ddl_command_end
        when tag in ('ALTER TABLE', 'CREATE TABLE')
        execute function privacy.sync_after_ddl();
    end if;
  end if;
end
$event_trigger$;
