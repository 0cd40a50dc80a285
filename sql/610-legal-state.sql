-- integritet: the records the law makes the controller keep, as one document that survives an
-- uninstall: the ledger (accountability, GDPR Art. 5(2)), holds and their history, restricted rows
-- (Art. 18), rows an erasure anonymized, and subject requests (Art. 12(3)).
--
-- `integritet ledger export` writes privacy.export_legal_state() to a file before `migrate down`
-- drops these tables; `integritet ledger import` gives it to privacy.import_legal_state() after a
-- new install (and `apply` of the policy, which declares the subject types they refer to).
--
-- needs: 020-ledger

-- Why invoker: reads the toolkit's tables with the caller's own rights (the installer, or a
-- privacy_admin for what that role may read); hold notes and subject ids are personal data.
create or replace function privacy.export_legal_state()
returns jsonb
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.jsonb_build_object(
    'format', 'integritet-legal-state',
    'version', 1,
    'exported_at', pg_catalog.now(),
    'database', pg_catalog.current_database(),
    'ledger', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) order by l.id), '[]') from privacy.ledger l),
    'hold', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(h) order by h.id), '[]') from privacy.hold h),
    'hold_event', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(e) order by e.id), '[]') from privacy.hold_event e),
    'subject_request', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(q) order by q.id), '[]')
                        from privacy.subject_request q),
    'restricted_row', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r)), '[]') from privacy.restricted_row r),
    'erased_row', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x)), '[]') from privacy.erased_row x))
$$;
comment on function privacy.export_legal_state() is
  'The ledger, holds, restrictions, erased rows and subject requests as one JSON document (integritet ledger export).';

-- Why invoker: only the owner of the toolkit's tables may write them and switch the hold audit
-- trigger off for the restore; no role is granted EXECUTE.
create or replace function privacy.import_legal_state(state jsonb)
returns table (record text, restored bigint)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count bigint;
begin
  if pg_catalog.jsonb_typeof(state) is distinct from 'object' or state->>'format' is distinct from 'integritet-legal-state'
     or (state->>'version') is distinct from '1' then
    raise exception using errcode = 'PV011',
      message = 'not an integritet legal-state export (format integritet-legal-state, version 1)';
  end if;
  -- Ids of holds and requests are referenced by restrictions, the retention queue and the
  -- ledger's own entries; they are restored as they were, so only into an install without any.
  if exists (select from privacy.hold) or exists (select from privacy.subject_request)
     or exists (select from privacy.restricted_row) or exists (select from privacy.erased_row) then
    raise exception using errcode = 'PV013', schema = 'privacy',
      message = 'this database already has holds, subject requests or restricted rows: a legal-state export is restored into a new install only';
  end if;

  -- The ledger goes on: the old entries follow the new install's own, in their order and with
  -- their time and actor, after one entry that says where they come from.
  select pg_catalog.count(*) into v_count from pg_catalog.jsonb_array_elements(state->'ledger');
  perform privacy.record('ledger.import', coalesce(state->>'database', '?'),
    pg_catalog.jsonb_build_object('exported_at', state->'exported_at', 'entries', v_count,
      'first_original_id', state->'ledger'->0->'id', 'last_original_id', state->'ledger'->-1->'id'));
  insert into privacy.ledger (at, actor, acting_role, action, object, detail)
  select l.at, l.actor, l.acting_role, l.action, l.object, l.detail
  from pg_catalog.jsonb_populate_recordset(null::privacy.ledger, state->'ledger') l
  order by l.id;
  record := 'ledger entries'; restored := v_count; return next;

  -- Holds were recorded in the ledger when placed: restoring them is not a new placement.
  alter table privacy.hold disable trigger hold_audit;
  insert into privacy.hold overriding system value
  select * from pg_catalog.jsonb_populate_recordset(null::privacy.hold, state->'hold');
  get diagnostics v_count = row_count;
  alter table privacy.hold enable trigger hold_audit;
  perform pg_catalog.setval(pg_catalog.pg_get_serial_sequence('privacy.hold', 'id'),
                            coalesce((select pg_catalog.max(h.id) from privacy.hold h), 0) + 1, false);
  record := 'holds'; restored := v_count; return next;

  insert into privacy.hold_event overriding system value
  select * from pg_catalog.jsonb_populate_recordset(null::privacy.hold_event, state->'hold_event');
  get diagnostics v_count = row_count;
  perform pg_catalog.setval(pg_catalog.pg_get_serial_sequence('privacy.hold_event', 'id'),
                            coalesce((select pg_catalog.max(e.id) from privacy.hold_event e), 0) + 1, false);
  record := 'hold events'; restored := v_count; return next;

  insert into privacy.subject_request overriding system value
  select * from pg_catalog.jsonb_populate_recordset(null::privacy.subject_request, state->'subject_request');
  get diagnostics v_count = row_count;
  perform pg_catalog.setval(pg_catalog.pg_get_serial_sequence('privacy.subject_request', 'id'),
                            coalesce((select pg_catalog.max(q.id) from privacy.subject_request q), 0) + 1, false);
  record := 'subject requests'; restored := v_count; return next;

  -- Its triggers list each row in privacy.hidden_row, so the masked views leave it out again.
  insert into privacy.restricted_row
  select * from pg_catalog.jsonb_populate_recordset(null::privacy.restricted_row, state->'restricted_row');
  get diagnostics v_count = row_count;
  record := 'restricted rows'; restored := v_count; return next;

  insert into privacy.erased_row
  select * from pg_catalog.jsonb_populate_recordset(null::privacy.erased_row, state->'erased_row');
  get diagnostics v_count = row_count;
  record := 'erased rows'; restored := v_count; return next;
end
$$;
comment on function privacy.import_legal_state(jsonb) is
  'Restores an export of privacy.export_legal_state() into a new install (integritet ledger import).';

revoke execute on function privacy.export_legal_state(), privacy.import_legal_state(jsonb) from public;
grant execute on function privacy.export_legal_state() to privacy_admin;
