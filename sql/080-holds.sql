-- integritet: legal holds — nothing linked to a held subject is swept or erased.
--
--   select privacy.place_hold('customer', '42', 'legal_claim', review_on => '2027-03-01',
--                             note => 'Dispute over invoice 2025-118');
--   select privacy.release_hold(7);
--
-- needs: 020-ledger, 060-subjects

-- Why definer: the catalog is writable only through validated calls by privacy_admin members,
-- and checking that the subject exists reads a table those members need not read.
create or replace function privacy.place_hold(
  subject_type text,
  subject_id text,
  reason text,
  until date default null,
  review_on date default null,
  note text default null
)
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id bigint;
begin
  if place_hold.reason is null or place_hold.reason not in ('debt', 'legal_claim', 'custom') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold reason %L must be debt, legal_claim or custom', place_hold.reason);
  end if;
  if place_hold.until is null and place_hold.review_on is null then
    raise exception using errcode = 'PV011',
      message = 'a hold needs an until date or a review date',
      hint = 'An open-ended legal claim has a review date; a debt runs until its limitation date.';
  end if;
  if place_hold.subject_id is null or not privacy.subject_exists(place_hold.subject_type, place_hold.subject_id) then
    -- The id is not repeated in the message: error messages end up in application logs.
    raise exception using errcode = 'PV007',
      message = pg_catalog.format('no %s with the given id', place_hold.subject_type);
  end if;
  insert into privacy.hold (subject_type, subject_id, reason, until, review_on, note)
  values (place_hold.subject_type, place_hold.subject_id, place_hold.reason, place_hold.until,
          place_hold.review_on, place_hold.note)
  returning id into v_id;
  return v_id;
end
$$;
comment on function privacy.place_hold(text, text, text, date, date, text) is
  'Places a legal hold on a subject; returns the hold id.';

-- Why definer: as place_hold.
create or replace function privacy.release_hold(hold_id bigint)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update privacy.hold h
  set released_at = pg_catalog.now(), released_by = session_user
  where h.id = release_hold.hold_id and h.released_at is null;
  if not found then
    raise exception using errcode = 'PV012',
      message = pg_catalog.format('no hold %s in force', release_hold.hold_id);
  end if;
end
$$;
comment on function privacy.release_hold(bigint) is 'Releases a hold in force (it stays on record).';

-- Why invoker: pure date arithmetic (preskriptionslagen 2 §: ten years, three for a claim of a
-- business on a consumer). The last day a debt hold keeps its subject's data: the day the claim
-- becomes time-barred, counted from when it arose or was last interrupted (5 and 6 §§).
create or replace function privacy.debt_limitation_ends(started_on date, consumer boolean)
returns date
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select (started_on operator(pg_catalog.+)
          case when consumer then interval '3 years' else interval '10 years' end)::date
$$;
comment on function privacy.debt_limitation_ends(date, boolean) is
  'Day a claim that arose (or was interrupted) on started_on becomes time-barred: 10 years, 3 for consumers.';

-- Why definer: as place_hold.
--
--   select privacy.place_debt_hold('customer', '42', arose_on => '2025-03-31', consumer => true);
create or replace function privacy.place_debt_hold(
  subject_type text,
  subject_id text,
  arose_on date,
  consumer boolean,
  note text default null
)
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id bigint;
begin
  if place_debt_hold.arose_on is null or place_debt_hold.consumer is null then
    raise exception using errcode = 'PV011',
      message = 'a debt hold needs the date the claim arose and whether the debtor is a consumer';
  end if;
  if place_debt_hold.arose_on > current_date then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('a claim cannot arise in the future (%s)', place_debt_hold.arose_on);
  end if;
  v_id := privacy.place_hold(place_debt_hold.subject_type, place_debt_hold.subject_id, 'debt',
                             until => privacy.debt_limitation_ends(place_debt_hold.arose_on, place_debt_hold.consumer),
                             note => place_debt_hold.note);
  update privacy.hold h
  set consumer = place_debt_hold.consumer, claim_arose_on = place_debt_hold.arose_on
  where h.id = v_id;
  return v_id;
end
$$;
comment on function privacy.place_debt_hold(text, text, date, boolean, text) is
  'Places a debt hold that lasts until the claim is time-barred (10 years, 3 for consumers); returns its id.';

-- Why invoker: pure date arithmetic. The last day a debt hold keeps its data, from the day the
-- claim arose and every event recorded on it, taken in date order (preskriptionslagen, SFS
-- 1981:130):
--   * a reminder, payment, acknowledgement (5 § 1–2 p.) or legal action (5 § 3 p.) interrupts
--     the limitation only while the claim is alive, that is on or before the day it becomes
--     time-barred; a new period of the same length runs from that day (6 §: ten years, three
--     where the claim's own period was three);
--   * a claim once time-barred stays extinguished (9 §): a later event interrupts nothing;
--   * while legal proceedings run the claim cannot become time-barred, and the new period runs
--     from the day they ended (7 §): `legal_action` leaves the end open (NULL) until an event
--     `proceedings_ended`, from whose day the period runs anew.
-- The two arrays are parallel: kinds[i] happened on dates[i].
create or replace function privacy.debt_hold_ends(arose_on date, consumer boolean, kinds text[], dates date[])
returns date
language plpgsql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_ends    date := privacy.debt_limitation_ends(arose_on, consumer);
  v_pending boolean := false;
  e         record;
begin
  for e in select x.kind, x.on_date from rows from (pg_catalog.unnest(kinds), pg_catalog.unnest(dates)) with ordinality as x(kind, on_date, o)
           order by x.on_date, x.o loop
    if v_pending then
      if e.kind = 'proceedings_ended' then
        v_ends := greatest(v_ends, privacy.debt_limitation_ends(e.on_date, consumer));
        v_pending := false;
      end if;
      continue;  -- nothing runs out while the proceedings do
    end if;
    exit when e.on_date > v_ends;  -- time-barred: extinguished, nothing later revives it
    if e.kind = 'legal_action' then
      v_pending := true;
    elsif e.kind <> 'proceedings_ended' then
      v_ends := greatest(v_ends, privacy.debt_limitation_ends(e.on_date, consumer));
    end if;
  end loop;
  return case when v_pending then null else v_ends end;
end
$$;
comment on function privacy.debt_hold_ends(date, boolean, text[], date[]) is
  'Last day a debt hold keeps its data under preskriptionslagen 2, 5–7 and 9 §§, from the claim and its events; NULL while proceedings run.';

-- Why definer: as place_hold.
--
--   select privacy.record_debt_event(7, 'reminder', '2026-02-01');
--
-- Every event is kept on record (privacy.hold_event); the hold's end is worked out again from
-- all of them (privacy.debt_hold_ends), so events may be recorded in any order. An event after
-- the claim was time-barred is recorded with interrupted = false and changes nothing.
create or replace function privacy.record_debt_event(hold_id bigint, event text, occurred_on date default null)
returns date
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  h privacy.hold;
  v_on date := coalesce(record_debt_event.occurred_on, current_date);
  v_until date;
  v_review date;
  v_kinds text[];
  v_dates date[];
  v_interrupted boolean;
begin
  if record_debt_event.event is null
     or record_debt_event.event not in ('reminder', 'payment', 'acknowledgement', 'legal_action', 'proceedings_ended') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('debt event %L must be reminder, payment, acknowledgement, legal_action or proceedings_ended',
                                  record_debt_event.event);
  end if;
  select * into h from privacy.hold x where x.id = record_debt_event.hold_id and x.released_at is null for update;
  if h.id is null then
    raise exception using errcode = 'PV012',
      message = pg_catalog.format('no hold %s in force', record_debt_event.hold_id);
  end if;
  if h.reason <> 'debt' then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold %s is a %s hold: only debt holds are restarted by %s', h.id, h.reason, record_debt_event.event);
  end if;
  if h.consumer is null or h.claim_arose_on is null then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold %s does not say when the claim arose and whether the debtor is a consumer, so its new end is unknown', h.id),
      hint = 'Release it and place it again with privacy.place_debt_hold().';
  end if;
  if v_on > current_date or v_on < h.claim_arose_on then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold %s: a %s on %s is in the future or before the claim arose', h.id,
                                  record_debt_event.event, v_on);
  end if;
  select pg_catalog.array_agg(e.event order by e.id), pg_catalog.array_agg(e.occurred_on order by e.id)
  into v_kinds, v_dates
  from privacy.hold_event e where e.hold_id = h.id;
  -- Did this event interrupt anything? Only if the claim was alive on its day, given the others.
  v_until := privacy.debt_hold_ends(h.claim_arose_on, h.consumer,
                                    array(select x.k from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_dates)) as x(k, d)
                                          where x.d < v_on),
                                    array(select x.d from rows from (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_dates)) as x(k, d)
                                          where x.d < v_on));
  v_interrupted := v_until is null or v_on <= v_until;
  v_until := privacy.debt_hold_ends(h.claim_arose_on, h.consumer, coalesce(v_kinds, '{}') || record_debt_event.event,
                                    coalesce(v_dates, '{}') || v_on);
  -- While proceedings run the hold is open-ended; review it when the claim's period would have ended.
  v_review := case when v_until is null
                   then coalesce(h.review_on, privacy.debt_limitation_ends(v_on, h.consumer)) else h.review_on end;
  insert into privacy.hold_event (hold_id, event, occurred_on, until_before, until_after, interrupted)
  values (h.id, record_debt_event.event, v_on, h.until, coalesce(v_until, h.until), v_interrupted);
  update privacy.hold x set until = v_until, review_on = v_review
  where x.id = h.id and (x.until, x.review_on) is distinct from (v_until, v_review);
  perform privacy.record('hold.' || record_debt_event.event, 'hold ' || h.id,
                         pg_catalog.jsonb_build_object('occurred_on', v_on, 'until', v_until, 'interrupted', v_interrupted));
  return v_until;
end
$$;
comment on function privacy.record_debt_event(bigint, text, date) is
  'Records a reminder, payment, acknowledgement or legal action on a debt; returns the hold''s end (time-barred claims stay so).';

revoke execute on function privacy.debt_limitation_ends(date, boolean), privacy.place_debt_hold(text, text, date, boolean, text),
  privacy.record_debt_event(bigint, text, date), privacy.debt_hold_ends(date, boolean, text[], date[]) from public;
grant execute on function privacy.debt_limitation_ends(date, boolean), privacy.place_debt_hold(text, text, date, boolean, text),
  privacy.record_debt_event(bigint, text, date), privacy.debt_hold_ends(date, boolean, text[], date[]) to privacy_admin;
grant select on privacy.hold_event to privacy_admin;

-- The declaration API, for admins.
grant execute on function
  privacy.place_hold(text, text, text, date, date, text),
  privacy.release_hold(bigint)
  to privacy_admin;
