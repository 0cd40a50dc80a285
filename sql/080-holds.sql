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
