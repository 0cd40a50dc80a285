-- integritet: restriction of processing (GDPR Art. 18) — a subject's rows are kept, but masked
-- roles no longer see them (the masked views anti-join on privacy.restricted_row, see
-- privacy.masked_view_sql in 200-masked-views.sql).
--
--   select * from privacy.restrict_subject('customer', '42', 'Accuracy contested, request 17');
--   select * from privacy.unrestrict_subject('customer', '42');
--
-- A restriction covers the rows the subject has when it is made; restricting again adds rows
-- written since. Unrestricting lifts what a restriction made, never what an erasure keeps back.
--
-- needs: 020-ledger, 400-subject-graph, 410-subject-rows, 420-subject-export

-- Why definer: privacy_admin members may not read the linked tables or write the restriction
-- table; this restricts the rows of one subject and records counts in the ledger.
create or replace function privacy.restrict_subject(subject_type text, subject_id text, reason text,
                                                    request_id bigint default null)
returns table (relation text, row_count bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set row_security = off
as $$
declare
  s        privacy.subject_type;
  t        record;
  v_key    text;
  v_pred   text;
  v_n      bigint;
  v_any    boolean;
  v_counts jsonb := '{}'::jsonb;
begin
  s := privacy.check_subject(restrict_subject.subject_type, restrict_subject.subject_id);
  if restrict_subject.reason is null or pg_catalog.btrim(restrict_subject.reason) = '' then
    raise exception using errcode = 'PV011', message = 'a restriction needs a reason (recorded in the ledger)';
  end if;
  perform privacy.lock_subject(s.name, restrict_subject.subject_id);
  for t in select * from privacy.subject_tables(s.name) x
           where pg_catalog.to_regclass(pg_catalog.format('%I.%I', x.schema_name, x.table_name)) is not null loop
    relation := pg_catalog.format('%I.%I', t.schema_name, t.table_name);
    v_pred := privacy.subject_predicate_sql(s.name, t.schema_name, t.table_name, 't');
    v_key := privacy.subject_row_key_sql(t.schema_name, t.table_name, 't');
    begin
      if v_key is null then
        execute pg_catalog.format('select exists (select from %s as t where %s)', relation, v_pred)
          into v_any using restrict_subject.subject_id;
        if v_any then
          raise exception using errcode = 'PV405', schema = t.schema_name, table = t.table_name,
            message = pg_catalog.format('%s has no primary key, so rows of it cannot be restricted one by one', relation),
            hint = 'Add a primary key (a surrogate id will do).';
        end if;
        continue;
      end if;
      execute pg_catalog.format(
        'with i as (insert into privacy.restricted_row as r (schema_name, table_name, row_key, subject_type, subject_id, origin, '
        '                                                    row_id, reason, until, request_id) '
        '           select %L, %L, %s, %L, $1, ''restriction'', %s, ''restricted'', null, %s from %s as t where %s '
        '           on conflict do nothing returning 1) '
        'select pg_catalog.count(*) from i',
        t.schema_name, t.table_name, v_key, s.name, privacy.restricted_row_id_sql(t.schema_name, t.table_name, 't'),
        coalesce(restrict_subject.request_id::text, 'null'), relation, v_pred)
        into v_n using restrict_subject.subject_id;
    exception when data_exception then
      perform privacy.subject_query_failed(s.name, t.schema_name, t.table_name, sqlstate);
    end;
    if v_n > 0 then
      perform privacy.ensure_restriction_enforced(t.schema_name, t.table_name);
      v_counts := v_counts || pg_catalog.jsonb_build_object(relation, v_n);
      row_count := v_n;
      return next;
    end if;
  end loop;
  perform privacy.record('subject.restrict', s.name,
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('request', restrict_subject.request_id,
                                                               'reason', restrict_subject.reason, 'tables', v_counts)));
end
$$;
comment on function privacy.restrict_subject(text, text, text, bigint) is
  'Restricts a subject''s rows (Art. 18): kept, invisible to masked roles; returns the rows newly restricted per table.';

-- Why definer: as restrict_subject.
create or replace function privacy.unrestrict_subject(subject_type text, subject_id text)
returns table (relation text, row_count bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s        privacy.subject_type;
  v_counts jsonb := '{}'::jsonb;
begin
  s := privacy.check_subject_type(unrestrict_subject.subject_type);
  perform privacy.lock_subject(s.name, unrestrict_subject.subject_id);
  for relation, row_count in
    with d as (
      delete from privacy.restricted_row r
      where r.subject_type = s.name and r.subject_id = unrestrict_subject.subject_id and r.origin = 'restriction'
      returning r.schema_name, r.table_name)
    select pg_catalog.format('%I.%I', d.schema_name, d.table_name), pg_catalog.count(*)
    from d group by d.schema_name, d.table_name order by 1
  loop
    v_counts := v_counts || pg_catalog.jsonb_build_object(relation, row_count);
    return next;
  end loop;
  perform privacy.record('subject.unrestrict', s.name, pg_catalog.jsonb_build_object('tables', v_counts));
end
$$;
comment on function privacy.unrestrict_subject(text, text) is
  'Lifts a subject''s restriction (rows an erasure keeps back stay restricted); returns the rows per table.';

revoke execute on function privacy.restrict_subject(text, text, text, bigint), privacy.unrestrict_subject(text, text)
  from public;
grant execute on function privacy.restrict_subject(text, text, text, bigint), privacy.unrestrict_subject(text, text)
  to privacy_admin;

-- Masked views generated before they left out restricted rows are made anew by
-- sql/950-enforcement-upgrade.sql, once every definition is in place.
