-- integritet 0004 down: removes what 0004 added, and what the retention functions generated on
-- user tables from it (guard triggers, anchor indexes), so no user table keeps a trigger that
-- calls into the toolkit.

do $generated$
declare
  r record;
begin
  -- Triggers the guards installed: named privacy_retention_*, calling a function in privacy.
  -- Clones on partitions go with their parent's trigger.
  for r in
    select n.nspname, c.relname, t.tgname
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_proc p on p.oid = t.tgfoid
    join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
    where not t.tgisinternal and t.tgparentid = 0 and pn.nspname = 'privacy'
      and t.tgname like 'privacy\_retention\_%'
  loop
    execute pg_catalog.format('drop trigger if exists %I on %I.%I', r.tgname, r.nspname, r.relname);
  end loop;
  -- The queue trigger functions generated per table.
  for r in
    select p.oid::regprocedure as fn from pg_catalog.pg_proc p
    where p.pronamespace = 'privacy'::regnamespace and p.proname like 'retention\_late\_%' and p.proname <> 'retention_late_function'
  loop
    execute pg_catalog.format('drop function if exists %s', r.fn);
  end loop;
  for r in select i.schema_name, i.index_name from privacy.retention_index i loop
    execute pg_catalog.format('drop index if exists %I.%I', r.schema_name, r.index_name);
  end loop;
end
$generated$;

drop table privacy.retention_index;
drop table privacy.sweep_batch;
drop table privacy.sweep_run;
drop table privacy.retention_pending;
drop table privacy.sweep_state;
drop sequence privacy.hold_version;
drop table privacy.hold_event;
alter table privacy.hold drop column claim_arose_on, drop column consumer;
alter table privacy.statutory_minimum drop column counts_from, drop column period;
alter table privacy.retention_policy drop column expired_partitions, drop column filter;
