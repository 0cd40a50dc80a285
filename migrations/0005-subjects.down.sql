-- integritet 0005 down: removes what 0005 added. The masked views anti-join on
-- privacy.restricted_row; the definition in sql/ that names it is first replaced with this
-- version's, which names none (the next `migrate up` applies sql/ afresh), and the policies are
-- made anew without it, so no view is dropped.

drop view if exists privacy.overdue_subject_request;

create or replace function privacy.restricted_keys_relation()
returns regclass
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select null::pg_catalog.regclass
$$;
do $resync$
begin
  if pg_catalog.to_regprocedure('privacy.sync()') is not null then
    perform privacy.sync();
  end if;
end
$resync$;
drop table privacy.restricted_row;

drop table privacy.erased_row;
drop table privacy.subject_request;
drop table privacy.subject_path;
