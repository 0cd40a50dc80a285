-- integritet 0014 down: removes what 0014 added. Path links that follow a foreign key of the
-- subject's row (referenced_by) and debt events of legal proceedings cannot be expressed before
-- it, so they go; the ledger keeps their history.

delete from privacy.subject_path where direction = 'referenced_by';
alter table privacy.subject_path drop column direction;
alter table privacy.subject_link drop column unchecked;
delete from privacy.hold_event where event in ('legal_action', 'proceedings_ended');
alter table privacy.hold_event drop column interrupted;
alter table privacy.hold_event drop constraint hold_event_event_check;
alter table privacy.hold_event add constraint hold_event_event_check
  check (event in ('reminder', 'payment', 'acknowledgement'));
