-- integritet: policies declared before the retention guards existed (an upgrade from an install
-- without migration 0004, or after reverting and re-applying it) get their sweep state, anchor
-- index and guards here, when the migration runs. Idempotent: only what is missing is made.
-- After the subject definitions (4xx): a retention plan reads the subject graph.
-- Guards made before holds were read as data (their WHEN listed the held subjects and compared
-- privacy.hold_version) are made anew once, so that no sweep ever needs to re-create them.
--
-- needs: 320-retention-guards

do $retention_upgrade$
declare
  p record;
begin
  for p in
    select r.schema_name, r.table_name, r.keep from privacy.retention_policy r
    where pg_catalog.to_regclass(pg_catalog.format('%I.%I', r.schema_name, r.table_name)) is not null
      and (not exists (select from pg_catalog.pg_trigger g
                       where g.tgrelid = pg_catalog.format('%I.%I', r.schema_name, r.table_name)::regclass
                         and g.tgname = 'privacy_retention_guard_truncate')
           or exists (select from pg_catalog.pg_trigger g
                      where g.tgrelid = pg_catalog.format('%I.%I', r.schema_name, r.table_name)::regclass
                        and g.tgname = 'privacy_retention_guard_delete'
                        and pg_catalog.pg_get_triggerdef(g.oid) like '%hold\_version%'))
  loop
    insert into privacy.sweep_state as s (schema_name, table_name, done_below, guard_keep)
    values (p.schema_name, p.table_name, null, p.keep)
    on conflict on constraint sweep_state_pkey do nothing;
    perform privacy.ensure_retention_index(p.schema_name, p.table_name);
    perform privacy.install_retention_guards(p.schema_name, p.table_name);
  end loop;
end
$retention_upgrade$;
