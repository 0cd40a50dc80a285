-- integritet 0001 down: removes the privacy schema and the group roles this install created.
-- Roles that existed before the install are kept, and so is a role still used by another
-- database of the cluster (dropping it would fail there; the notice says which).

do $uninstall$
declare
  created name[];
  r name;
begin
  -- Read the roles before the schema (and with it the list) goes; drop the schema first so
  -- that its grants no longer tie the roles to this database.
  select coalesce(pg_catalog.array_agg(role_name), '{}') into created
  from privacy.installed_role
  where database_name = pg_catalog.current_database();

  drop schema privacy cascade;

  -- The sweep worker's job queue (pg-boss, in its default schema): its schedules would call
  -- functions that are gone. A queue in another schema (worker --schema) is the user's to drop.
  if pg_catalog.to_regclass('integritet_boss.job') is not null and pg_catalog.to_regclass('integritet_boss.version') is not null then
    begin
      drop schema integritet_boss cascade;
    exception when insufficient_privilege then
      raise notice 'integritet: schema integritet_boss kept: only its owner % may drop it (drop schema integritet_boss cascade)',
        (select n.nspowner::pg_catalog.regrole from pg_catalog.pg_namespace n where n.nspname = 'integritet_boss');
    end;
  end if;

  foreach r in array created loop
    begin
      execute pg_catalog.format('drop role if exists %I', r);
    exception when dependent_objects_still_exist or insufficient_privilege then
      raise notice 'integritet: role % kept: %', r, sqlerrm;
    end;
  end loop;
end
$uninstall$;
