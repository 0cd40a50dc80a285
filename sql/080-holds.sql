-- integritet: legal holds — nothing linked to a held subject is swept or erased.
--
--   select privacy.place_hold('customer', '42', 'legal_claim', review_on => '2027-03-01',
--                             note => 'Dispute over invoice 2025-118');
--   select privacy.release_hold(7);

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

-- Why definer: as place_hold.
--
--   select privacy.record_debt_event(7, 'reminder', '2026-02-01');
create or replace function privacy.record_debt_event(hold_id bigint, event text, occurred_on date default null)
returns date
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  h privacy.hold;
  v_on date := coalesce(record_debt_event.occurred_on, current_date);
  v_until date;
begin
  if record_debt_event.event is null or record_debt_event.event not in ('reminder', 'payment', 'acknowledgement') then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('debt event %L must be reminder, payment or acknowledgement', record_debt_event.event);
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
  if h.consumer is null then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold %s does not say whether the debtor is a consumer, so its new end is unknown', h.id),
      hint = 'Release it and place it again with privacy.place_debt_hold().';
  end if;
  if v_on > current_date or v_on < coalesce(h.claim_arose_on, v_on) then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('hold %s: a %s on %s is in the future or before the claim arose', h.id,
                                  record_debt_event.event, v_on);
  end if;
  -- A new period of the same length runs from the interruption (6 §); an earlier end never wins.
  v_until := greatest(h.until, privacy.debt_limitation_ends(v_on, h.consumer));
  insert into privacy.hold_event (hold_id, event, occurred_on, until_before, until_after)
  values (h.id, record_debt_event.event, v_on, h.until, v_until);
  update privacy.hold x set until = v_until where x.id = h.id and x.until is distinct from v_until;
  perform privacy.record('hold.' || record_debt_event.event, 'hold ' || h.id,
                         pg_catalog.jsonb_build_object('occurred_on', v_on, 'until', v_until));
  return v_until;
end
$$;
comment on function privacy.record_debt_event(bigint, text, date) is
  'Records a reminder, payment or acknowledgement of a debt; restarts its limitation and returns the hold''s new end.';

revoke execute on function privacy.debt_limitation_ends(date, boolean), privacy.place_debt_hold(text, text, date, boolean, text),
  privacy.record_debt_event(bigint, text, date) from public;
grant execute on function privacy.debt_limitation_ends(date, boolean), privacy.place_debt_hold(text, text, date, boolean, text),
  privacy.record_debt_event(bigint, text, date) to privacy_admin;
grant select on privacy.hold_event to privacy_admin;
