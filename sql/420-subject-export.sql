-- integritet: access and portability (GDPR Art. 15, 20) — everything stored about one subject.
--
--   select privacy.export_subject('customer', '42');
--
-- One JSON document: per table the subject's rows with their raw values (the answer goes to the
-- subject), the category of each column, the retention that applies (Art. 15(1)(d) asks for the
-- period, or the criteria that set it), how many of the rows are restricted, and the holds in
-- force on the subject. Purposes are not in the catalog: `integritet subject export --policy`
-- adds them from the policy file. The ledger records the export with counts only.
--
-- needs: 020-ledger, 060-subjects, 400-subject-graph, 410-subject-rows

-- Why invoker: reads the catalog (callers are the toolkit's definer functions). How a table's
-- rows are kept, as the subject is to be told: the policy and the statutory minimum, or NULL.
create or replace function privacy.retention_description(schema_name name, table_name name)
returns jsonb
language plpgsql stable
set search_path = pg_catalog, pg_temp
set intervalstyle = 'postgres'
as $$
begin
  -- PL/pgSQL rather than SQL: its plan is kept for the session.
  return (
  select pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'action', p.action, 'keep', p.keep::text, 'after', p.anchor_column, 'time_zone', p.time_zone,
           'applies_to', case when p.filter <> '{}'::jsonb then p.filter end,
           'minimum', case when m.name is not null then pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
             'name', m.name, 'law', m.law, 'description', m.description, 'after', p.minimum_anchor_column,
             'citation', pg_catalog.to_jsonb(m)->>'citation', 'version', pg_catalog.to_jsonb(m)->>'version',
             'counts_from', m.counts_from, 'period', m.period::text)) end,
           'summary', pg_catalog.format('%s %s after %s%s', case p.action when 'delete' then 'deleted' else 'anonymized' end,
                                        p.keep, p.anchor_column,
                                        case when m.name is not null
                                             then pg_catalog.format(', but kept at least as %s requires (%s)', m.law, m.name)
                                             else '' end)))
  from privacy.retention_policy p
  left join privacy.statutory_minimum m on m.name = p.minimum
  where p.schema_name = retention_description.schema_name and p.table_name = retention_description.table_name);
end
$$;
comment on function privacy.retention_description(name, name) is 'A table''s retention as a subject is told it (internal).';

-- Why invoker: reads the catalog. Each column of a table with its category ('unclassified' when
-- nobody classified it), and the personal categories among them.
create or replace function privacy.column_categories(schema_name name, table_name name)
returns jsonb
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select pg_catalog.jsonb_build_object(
             'columns', coalesce(pg_catalog.jsonb_object_agg(a.attname, coalesce(r.category, 'unclassified')), '{}'),
             'categories', coalesce(pg_catalog.jsonb_agg(distinct coalesce(r.category, 'unclassified'))
                                      filter (where coalesce(k.personal, true)), '[]'))
    from pg_catalog.pg_attribute a
    left join privacy.column_rule r on (r.schema_name, r.table_name, r.column_name) = (column_categories.schema_name,
                                                                                        column_categories.table_name, a.attname)
    left join privacy.category k on k.name = r.category
    where a.attrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', column_categories.schema_name, column_categories.table_name))
      and a.attnum > 0 and not a.attisdropped);
end
$$;
comment on function privacy.column_categories(name, name) is 'Columns of a table with their categories (internal).';

-- Why invoker: runs a linked-rows query for the subject functions (definer), turning a subject id
-- that does not fit a linked column into PV404 (without repeating the id: messages reach logs).
create or replace function privacy.subject_query_failed(subject_type text, schema_name name, table_name name, state text)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception using errcode = 'PV404', schema = schema_name, table = table_name,
    message = pg_catalog.format('the %s id given does not fit the columns of %I.%I that link to it (%s)',
                                subject_type, schema_name, table_name, state);
end
$$;
comment on function privacy.subject_query_failed(text, name, name, text) is 'Raises PV404 for an id of the wrong form (internal).';

-- Why definer: privacy_admin members may not read the linked tables themselves; this reads every
-- row of one subject, for the answer to that subject. Fixed TimeZone and DateStyle make the JSON
-- the same whoever runs it; row_security off makes a table RLS would hide an error, not a gap.
-- json, not jsonb: rows keep their columns in table order, and json_agg is three times faster.
create or replace function privacy.export_subject(subject_type text, subject_id text)
returns json
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set row_security = off
as $$
declare
  s        privacy.subject_type;
  t        record;
  v_rows   json;
  v_n      bigint;
  v_total  bigint := 0;
  v_order  text;
  v_tables json[] := '{}'::json[];
  v_columns jsonb;
  v_counts jsonb := '{}'::jsonb;
  v_object text;
  v_holds  jsonb;
  v_restricted bigint;
  v_kept   json;
begin
  s := privacy.check_subject(export_subject.subject_type, export_subject.subject_id);
  for t in select * from privacy.subject_tables(s.name) x loop
    v_object := pg_catalog.format('%I.%I', t.schema_name, t.table_name);
    if pg_catalog.to_regclass(v_object) is null then
      raise exception using errcode = 'PV001', schema = t.schema_name, table = t.table_name,
        message = pg_catalog.format('%s is linked to %s but no longer exists', v_object, s.name),
        hint = 'Remove its links with privacy.unlink_subject() or privacy.unlink_subject_through().';
    end if;
    select coalesce(' order by ' || pg_catalog.string_agg(pg_catalog.format('t.%I', k.column_name), ', ' order by k.ordinal), '')
    into v_order from privacy.primary_key_columns(t.schema_name, t.table_name) k;
    -- Prepared once per session (privacy.prepared_statement): planning it again on every export
    -- took as long as reading the rows of most tables.
    begin
      execute pg_catalog.format(privacy.prepared_statement(pg_catalog.format(
        'select pg_catalog.json_agg(t%s), pg_catalog.count(*) from %s as t where %s',
        v_order, v_object, privacy.subject_predicate_sql(s.name, t.schema_name, t.table_name, 't'))), export_subject.subject_id)
        into v_rows, v_n;
    exception when data_exception then
      perform privacy.subject_query_failed(s.name, t.schema_name, t.table_name, sqlstate);
    end;
    continue when v_n = 0;
    -- The rows kept back from an erasure or restricted: for each, the rule that keeps it, its
    -- citation where it is a statutory period, and its last day (NULL: open-ended).
    select pg_catalog.count(*),
           coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
             'key', r.row_key, 'kept_by', r.reason, 'until', r.until,
             'citation', case when pg_catalog.starts_with(r.reason, 'minimum:')
                              then (select coalesce(pg_catalog.to_jsonb(m)->>'citation', m.law) from privacy.statutory_minimum m
                                    where m.name = pg_catalog.substr(r.reason, 9)) end) order by r.row_key), '[]')
    into v_restricted, v_kept
    from privacy.restricted_row r
    where r.subject_type = s.name and r.subject_id = export_subject.subject_id
      and r.schema_name = t.schema_name and r.table_name = t.table_name;
    v_total := v_total + v_n;
    v_counts := v_counts || pg_catalog.jsonb_build_object(v_object, v_n);
    v_columns := privacy.column_categories(t.schema_name, t.table_name);
    v_tables := v_tables || pg_catalog.json_build_object(
      'table', v_object, 'row_count', v_n, 'purpose', null,
      'retention', privacy.retention_description(t.schema_name, t.table_name),
      'restricted_rows', v_restricted, 'kept_rows', v_kept, 'rows', v_rows,
      'columns', v_columns->'columns', 'categories', v_columns->'categories');
  end loop;
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'reason', h.reason, 'until', h.until, 'review_on', h.review_on, 'placed_on', h.placed_at::date)) order by h.id), '[]')
  into v_holds
  from privacy.hold h
  where h.subject_type = s.name and h.subject_id = export_subject.subject_id
    and h.released_at is null and (h.until is null or h.until >= current_date);
  perform privacy.record('subject.export', s.name,
                         pg_catalog.jsonb_build_object('rows', v_total, 'tables', v_counts));
  return pg_catalog.json_build_object('subject_type', s.name, 'subject_id', export_subject.subject_id,
                                      'exported_at', pg_catalog.now(),
                                      -- json_agg of json values copies their text; a cast to json would parse it all again.
                                      'tables', (select coalesce(pg_catalog.json_agg(x.v order by x.o), '[]'::json)
                                                 from pg_catalog.unnest(v_tables) with ordinality as x(v, o)),
                                      'holds', v_holds);
end
$$;
comment on function privacy.export_subject(text, text) is
  'Everything stored about one subject as JSON (Art. 15, 20): rows, categories, retention, restrictions, holds.';

revoke execute on function privacy.retention_description(name, name), privacy.column_categories(name, name),
  privacy.subject_query_failed(text, name, name, text), privacy.export_subject(text, text)
  from public;
grant execute on function privacy.export_subject(text, text) to privacy_admin;
