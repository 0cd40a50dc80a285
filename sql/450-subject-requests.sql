-- integritet: requests of data subjects and their deadline (GDPR Art. 12(3): answered within one
-- month of receipt, extendable by two further months where necessary).
--
--   select privacy.receive_subject_request('erasure', 'customer', '42', received_on => '2026-03-02');
--   select privacy.process_subject_request(7);         -- the erasure worker does this for erasures
--   select * from privacy.overdue_subject_request;
--
-- Erasure requests are processed by the erasure worker (a privacy_sweeper member, pg-boss job
-- `integritet.erasure`), which is given request ids and nothing else: it can process those and no
-- other kind. Access, portability and restriction requests are processed by privacy_admin members.
-- The ledger records each step with the request id, kind and counts: never the subject's id or
-- the note.
--
-- needs: 020-ledger, 400-subject-graph, 420-subject-export, 430-subject-restriction, 440-subject-erasure

-- Why definer: the request table is writable only through validated calls by privacy_admin members.
create or replace function privacy.receive_subject_request(kind text, subject_type text, subject_id text,
                                                           received_on date default null, note text default null)
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_on date := coalesce(receive_subject_request.received_on, current_date);
  v_id bigint;
  v_deadline date;
begin
  if receive_subject_request.kind is null or receive_subject_request.kind not in ('access', 'portability', 'erasure', 'restriction') then
    raise exception using errcode = 'PV408',
      message = pg_catalog.format('request kind %L must be access, portability, erasure or restriction', receive_subject_request.kind);
  end if;
  perform privacy.check_subject_type(receive_subject_request.subject_type);
  if receive_subject_request.subject_id is null or pg_catalog.btrim(receive_subject_request.subject_id) = '' then
    raise exception using errcode = 'PV011', message = 'the subject id is missing';
  end if;
  if v_on > current_date then
    raise exception using errcode = 'PV408', message = pg_catalog.format('a request cannot be received in the future (%s)', v_on);
  end if;
  -- One month: the same day of the next month, or its last day when it has no such day.
  v_deadline := (v_on + interval '1 month')::date;
  insert into privacy.subject_request (kind, subject_type, subject_id, received_on, deadline, note)
  values (receive_subject_request.kind, receive_subject_request.subject_type, receive_subject_request.subject_id, v_on,
          v_deadline, receive_subject_request.note)
  returning id into v_id;
  perform privacy.record('subject_request.received', 'request ' || v_id,
    pg_catalog.jsonb_build_object('kind', receive_subject_request.kind, 'subject_type', receive_subject_request.subject_type,
                                  'received_on', v_on, 'deadline', v_deadline));
  return v_id;
end
$$;
comment on function privacy.receive_subject_request(text, text, text, date, text) is
  'Records a subject''s request (access, portability, erasure, restriction) with its one-month deadline; returns its id.';

-- Why definer: as receive_subject_request.
create or replace function privacy.extend_subject_request(request_id bigint, months integer, because text)
returns date
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.subject_request;
  v_deadline date;
begin
  select * into r from privacy.subject_request x where x.id = extend_subject_request.request_id for update;
  if r.id is null or r.status in ('done', 'refused') then
    raise exception using errcode = 'PV406', message = pg_catalog.format('no open subject request %s', extend_subject_request.request_id);
  end if;
  if extend_subject_request.because is null or pg_catalog.btrim(extend_subject_request.because) = '' then
    raise exception using errcode = 'PV408', message = 'an extension needs a reason (the subject must be told it)';
  end if;
  v_deadline := (r.deadline + pg_catalog.make_interval(months => extend_subject_request.months))::date;
  if extend_subject_request.months is null or extend_subject_request.months < 1
     or v_deadline > (r.received_on + interval '3 months')::date then
    raise exception using errcode = 'PV408',
      message = pg_catalog.format('request %s: a deadline may be extended by two further months at most (to %s)', r.id,
                                  (r.received_on + interval '3 months')::date);
  end if;
  update privacy.subject_request x set deadline = v_deadline, extended_because = extend_subject_request.because
  where x.id = r.id;
  perform privacy.record('subject_request.extended', 'request ' || r.id, pg_catalog.jsonb_build_object('deadline', v_deadline));
  return v_deadline;
end
$$;
comment on function privacy.extend_subject_request(bigint, integer, text) is
  'Extends a request''s deadline by one or two months (at most three from receipt, Art. 12(3)); returns the new deadline.';

-- Why definer: privacy_sweeper members process the erasure requests they are given without any
-- privilege on the request table or the subject's tables; privacy_admin members process any.
-- Returns the outcome: for an erasure its report, for a restriction the rows per table, for
-- access and portability the export itself (to the admin, for the subject). The stored outcome
-- and the ledger hold counts only. A failure is recorded (SQLSTATE only: messages may quote
-- values) and returned with status `failed`, so that the worker retries; a request done or
-- refused is not processed again.
create or replace function privacy.process_subject_request(request_id bigint)
returns jsonb
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r         privacy.subject_request;
  v_export  jsonb;
  v_outcome jsonb;
  v_result  jsonb;
  v_state   text;
begin
  select * into r from privacy.subject_request x where x.id = process_subject_request.request_id for update;
  if r.id is null then
    raise exception using errcode = 'PV406', message = pg_catalog.format('no subject request %s', process_subject_request.request_id);
  end if;
  if r.kind <> 'erasure' and not pg_catalog.pg_has_role(session_user, 'privacy_admin', 'MEMBER') then
    raise exception using errcode = 'PV407',
      message = pg_catalog.format('request %s is a%s %s request: only privacy_admin members process it', r.id,
                                  case when r.kind = 'access' then 'n' else '' end, r.kind);
  end if;
  if r.status in ('done', 'refused') then
    return pg_catalog.jsonb_build_object('request', r.id, 'kind', r.kind, 'status', r.status, 'outcome', r.outcome,
                                         'nothing_to_do', true);
  end if;
  begin
    case r.kind
      when 'erasure' then
        select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(e))), '[]') into v_result
        from privacy.erase_subject_rows(r.subject_type, r.subject_id, r.id) e;
        v_outcome := pg_catalog.jsonb_build_object('report', v_result);
        perform privacy.record('subject.erase', r.subject_type,
                               pg_catalog.jsonb_build_object('request', r.id, 'report', v_result));
      when 'restriction' then
        select coalesce(pg_catalog.jsonb_object_agg(x.relation, x.row_count), '{}') into v_result
        from privacy.restrict_subject(r.subject_type, r.subject_id, pg_catalog.format('request %s', r.id), r.id) x;
        v_outcome := pg_catalog.jsonb_build_object('restricted', v_result);
      else
        v_export := privacy.export_subject(r.subject_type, r.subject_id);
        v_outcome := pg_catalog.jsonb_build_object('exported',
          (select coalesce(pg_catalog.jsonb_object_agg(t->>'table', (t->>'row_count')::bigint), '{}')
           from pg_catalog.jsonb_array_elements(v_export->'tables') t));
    end case;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate;
    update privacy.subject_request x
    set status = 'failed', attempts = x.attempts + 1, outcome = pg_catalog.jsonb_build_object('error', v_state)
    where x.id = r.id;
    perform privacy.record('subject_request.failed', 'request ' || r.id,
                           pg_catalog.jsonb_build_object('kind', r.kind, 'sqlstate', v_state));
    return pg_catalog.jsonb_build_object('request', r.id, 'kind', r.kind, 'status', 'failed', 'sqlstate', v_state);
  end;
  update privacy.subject_request x
  set status = 'done', attempts = x.attempts + 1, outcome = v_outcome,
      completed_at = pg_catalog.now(), completed_by = session_user
  where x.id = r.id;
  perform privacy.record('subject_request.done', 'request ' || r.id,
                         pg_catalog.jsonb_build_object('kind', r.kind, 'outcome', v_outcome));
  return pg_catalog.jsonb_build_object('request', r.id, 'kind', r.kind, 'status', 'done', 'outcome', v_outcome)
         || case when v_export is not null then pg_catalog.jsonb_build_object('export', v_export) else '{}'::jsonb end;
end
$$;
comment on function privacy.process_subject_request(bigint) is
  'Processes a subject request (erasure, restriction, access, portability); returns its outcome. Sweepers: erasures only.';

-- Why definer: as receive_subject_request. Closes a request answered otherwise (`done`), or
-- refused (Art. 12(5): manifestly unfounded or excessive); the reason goes to the request only.
create or replace function privacy.close_subject_request(request_id bigint, status text, because text)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.subject_request;
begin
  if close_subject_request.status is null or close_subject_request.status not in ('done', 'refused') then
    raise exception using errcode = 'PV408',
      message = pg_catalog.format('a request is closed as done or refused, not %L', close_subject_request.status);
  end if;
  if close_subject_request.because is null or pg_catalog.btrim(close_subject_request.because) = '' then
    raise exception using errcode = 'PV408', message = 'closing a request needs a reason';
  end if;
  select * into r from privacy.subject_request x where x.id = close_subject_request.request_id for update;
  if r.id is null or r.status in ('done', 'refused') then
    raise exception using errcode = 'PV406', message = pg_catalog.format('no open subject request %s', close_subject_request.request_id);
  end if;
  update privacy.subject_request x
  set status = close_subject_request.status, completed_at = pg_catalog.now(), completed_by = session_user,
      note = pg_catalog.concat_ws(E'\n', x.note, close_subject_request.because)
  where x.id = r.id;
  perform privacy.record('subject_request.' || close_subject_request.status, 'request ' || r.id,
                         pg_catalog.jsonb_build_object('kind', r.kind));
end
$$;
comment on function privacy.close_subject_request(bigint, text, text) is
  'Closes a request answered otherwise (done) or refused, with the reason (kept with the request, not in the ledger).';

-- Why definer: the erasure worker (privacy_sweeper) queues a job per erasure request to process,
-- without reading the request table: ids only, earliest deadline first.
create or replace function privacy.pending_erasure_requests(max_attempts integer default 5)
returns setof bigint
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select r.id from privacy.subject_request r
  where r.kind = 'erasure' and r.status in ('received', 'failed') and r.attempts < pending_erasure_requests.max_attempts
  order by r.deadline, r.id
$$;
comment on function privacy.pending_erasure_requests(integer) is 'Ids of erasure requests still to process, earliest deadline first.';

-- Open requests past their deadline, for privacy_admin members (`integritet subject requests --overdue`).
create or replace view privacy.overdue_subject_request as
  select r.id, r.kind, r.subject_type, r.subject_id, r.received_on, r.deadline,
         current_date - r.deadline as days_overdue, r.status, r.attempts
  from privacy.subject_request r
  where r.status not in ('done', 'refused') and r.deadline < current_date
  order by r.deadline, r.id;
comment on view privacy.overdue_subject_request is 'Subject requests still open after their deadline (Art. 12(3)).';

revoke all on privacy.overdue_subject_request from public;
revoke execute on function privacy.receive_subject_request(text, text, text, date, text),
  privacy.extend_subject_request(bigint, integer, text), privacy.process_subject_request(bigint),
  privacy.close_subject_request(bigint, text, text), privacy.pending_erasure_requests(integer)
  from public;
grant execute on function privacy.receive_subject_request(text, text, text, date, text),
  privacy.extend_subject_request(bigint, integer, text), privacy.close_subject_request(bigint, text, text)
  to privacy_admin;
grant execute on function privacy.process_subject_request(bigint), privacy.pending_erasure_requests(integer)
  to privacy_admin, privacy_sweeper;
grant select on privacy.subject_request, privacy.overdue_subject_request to privacy_admin;
