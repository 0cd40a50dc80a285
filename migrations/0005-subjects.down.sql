-- integritet 0005 down: removes what 0005 added. The masked views anti-join on
-- privacy.restricted_row; they are made anew without it first (privacy.masked_view_sql leaves the
-- anti-join out once the table is no longer there under its name), so no view is dropped.

drop view if exists privacy.overdue_subject_request;

alter table privacy.restricted_row rename to restricted_row_removed;
do $resync$
begin
  if pg_catalog.to_regprocedure('privacy.sync()') is not null then
    perform privacy.sync();
  end if;
end
$resync$;
drop table privacy.restricted_row_removed;

drop table privacy.erased_row;
drop table privacy.subject_request;
drop table privacy.subject_path;
