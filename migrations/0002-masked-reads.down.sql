-- integritet 0002 down: removes every view, policy, trigger and grant generated on user tables,
-- restores each table's row-level security setting, and drops the masked schema.

do $unprotect$
declare
  e record;
  p record;
  t record;
begin
  for e in select * from privacy.enforcement loop
    for p in
      select policyname from pg_catalog.pg_policies
      where schemaname = e.schema_name and tablename = e.table_name and policyname like 'privacy\_%'
    loop
      execute pg_catalog.format('drop policy %I on %I.%I', p.policyname, e.schema_name, e.table_name);
    end loop;
    for t in
      select tg.tgname from pg_catalog.pg_trigger tg
      join pg_catalog.pg_class c on c.oid = tg.tgrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = e.schema_name and c.relname = e.table_name and tg.tgname like 'privacy\_%'
        and not tg.tgisinternal
    loop
      execute pg_catalog.format('drop trigger %I on %I.%I', t.tgname, e.schema_name, e.table_name);
    end loop;
    if not e.rls_was_enabled then
      execute pg_catalog.format('alter table %I.%I disable row level security', e.schema_name, e.table_name);
    end if;
    execute pg_catalog.format('revoke all on %I.%I from privacy_view_owner, privacy_masked, privacy_unmasked',
                              e.schema_name, e.table_name);
  end loop;
end
$unprotect$;

drop schema masked cascade;
drop table privacy.enforcement;
alter table privacy.column_rule drop column write_rule, drop column write_params;

-- 0002 made the installing role a member of privacy_view_owner when it was not one (it grants
-- that to itself, so the grantor is the member). Roles are cluster-wide: the membership is kept
-- while the role owns objects in another database of the cluster, where an install of its own
-- may still need it.
do $membership$
declare
  v_me oid := (select r.oid from pg_catalog.pg_roles r where r.rolname = current_user);
begin
  if not exists (select from pg_catalog.pg_auth_members m
                 where m.roleid = (select r.oid from pg_catalog.pg_roles r where r.rolname = 'privacy_view_owner')
                   and m.member = v_me and m.grantor = v_me) then
    return;
  end if;
  if exists (select from pg_catalog.pg_shdepend d
             where d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass and d.refobjid = v_me
               and d.dbid not in (0, (select b.oid from pg_catalog.pg_database b where b.datname = pg_catalog.current_database()))) then
    raise notice 'integritet: % stays a member of privacy_view_owner: it owns objects in another database of the cluster', current_user;
    return;
  end if;
  execute pg_catalog.format('revoke privacy_view_owner from %I', current_user);
end
$membership$;
