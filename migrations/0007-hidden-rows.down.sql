-- integritet 0007 down: the masked views read privacy.restricted_row again. They are made anew
-- first (privacy.masked_view_sql falls back to privacy.restricted_row once privacy.hidden_row is
-- no longer there under its name), so no view is dropped.

grant select (schema_name, table_name, row_id) on privacy.restricted_row to privacy_view_owner;
drop trigger if exists hidden_row_insert on privacy.restricted_row;
drop trigger if exists hidden_row_update on privacy.restricted_row;
drop trigger if exists hidden_row_delete on privacy.restricted_row;
drop trigger if exists hidden_row_truncate on privacy.restricted_row;
drop function if exists privacy.hidden_row_count();
drop function if exists privacy.rebuild_hidden_rows();
alter table privacy.hidden_row rename to hidden_row_removed;
do $resync$
begin
  if pg_catalog.to_regprocedure('privacy.sync()') is not null then
    perform privacy.sync();
  end if;
end
$resync$;
drop table privacy.hidden_row_removed;
