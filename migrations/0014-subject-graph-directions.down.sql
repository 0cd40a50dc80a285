-- integritet 0014 down: removes what 0014 added. Path links that follow a foreign key of the
-- subject's row (referenced_by) and debt events of legal proceedings cannot be expressed before
-- it, so they go; the ledger keeps their history.

-- The definitions in sql/ are written for the latest version: the one that reads the columns
-- going here is replaced with this version's, which has no such findings (the next `migrate up`
-- applies sql/ afresh).
create or replace function privacy.verify_subject_links()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select null::text, null::text, null::text, null::text where false
$$;

delete from privacy.subject_path where direction = 'referenced_by';
alter table privacy.subject_path drop column direction;
alter table privacy.subject_link drop column unchecked;
delete from privacy.hold_event where event in ('legal_action', 'proceedings_ended');
alter table privacy.hold_event drop column interrupted;
alter table privacy.hold_event drop constraint hold_event_event_check;
alter table privacy.hold_event add constraint hold_event_event_check
  check (event in ('reminder', 'payment', 'acknowledgement'));

-- The periods 0014 brought go unless a policy names one; what stays counts from the end of the
-- calendar year, as everything did before (for a fiscal year that is not the calendar year,
-- move to 0014 again rather than run on that).
drop table privacy.fiscal_year;
delete from privacy.statutory_minimum m
where (m.counts_from = 'end_of_fiscal_year' or m.kind = 'limitation' or m.name <> 'bookkeeping')
  and not exists (select from privacy.retention_policy p where p.minimum = m.name)
  and m.citation is not null;
update privacy.statutory_minimum set counts_from = 'end_of_calendar_year'
where counts_from in ('end_of_calendar_year_of_fiscal_year', 'end_of_fiscal_year');
alter table privacy.statutory_minimum drop constraint statutory_minimum_counts_from_check;
alter table privacy.statutory_minimum add constraint statutory_minimum_counts_from_check
  check (counts_from in ('anchor', 'end_of_calendar_year'));
alter table privacy.statutory_minimum drop column kind, drop column citation, drop column version, drop column source;
