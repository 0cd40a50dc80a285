-- integritet: the retention plan of a table — everything a sweep, a guard or retention_of() needs
-- to know about a table's policy, turned into SQL fragments once, from the catalog.
--
-- Fragments refer to the table's row as `t`. Only names that exist reach them, quoted with %I;
-- values reach them as typed literals (%L::type). No text from a declaration is pasted as SQL.
-- Functions that build SQL run with a fixed DateStyle and TimeZone, so that a key or anchor
-- written as text by one session is read back as the same value by another.
--
-- SQLSTATEs of retention (besides PV001/PV002/PV005/PV007/PV008/PV011/PV012 of the catalog):
--   PV301 a row a statutory minimum or a hold keeps cannot be deleted or truncated (guard)
--   PV302 a row anonymized by retention cannot have its anonymized columns filled again (guard)
--   PV303 a column cannot be anonymized (NOT NULL foreign key, strategy unusable for its type …)
--   PV304 the table has no primary key, so its rows cannot be swept one by one
--   PV305 the table has no retention policy
--   PV306 no row with the given key (retention_of)
--   PV307 a declared anonymize strategy is refused by the column's constraints (sql/222)
--   PV399 never seen: rolls back a trial anonymization (sql/222)
--
-- needs: 010-names, 070-retention, 180-strategy-call
-- uses later: 400-subject-graph

-- Why invoker: pure formatting. The SQL literal, in the anchor column's own type, of an instant:
-- `t.anchor < literal` then means "the anchor is before that instant in the policy's time zone".
-- A date anchor counts as its midnight, so the literal is the first date not before the instant.
create or replace function privacy.anchor_literal(instant timestamptz, anchor_type regtype, time_zone text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  v_local timestamp;
begin
  if instant is null then
    return null;
  end if;
  v_local := instant at time zone time_zone;
  return case anchor_type
    when 'timestamptz'::regtype then pg_catalog.format('%L::timestamptz', instant)
    when 'timestamp'::regtype then pg_catalog.format('%L::timestamp', v_local)
    when 'date'::regtype then pg_catalog.format('%L::date',
      case when v_local = v_local::date then v_local::date else v_local::date + 1 end)
  end;
end
$$;
comment on function privacy.anchor_literal(timestamptz, regtype, text) is
  'SQL literal, in the anchor''s type, of an instant seen in the policy''s time zone (internal).';

-- Why invoker: reads the catalog. A table's primary key, in index order, with each column's type:
-- what identifies a row to the queue and in batch bounds (part of privacy.retention_plan).
create or replace function privacy.plan_key_columns(relid oid)
returns privacy.plan_column[]
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select coalesce(pg_catalog.array_agg(row(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))::privacy.plan_column
                                               order by k.ord), '{}')
          from pg_catalog.pg_index i
          cross join lateral pg_catalog.unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
          join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
          where i.indrelid = plan_key_columns.relid and i.indisprimary);
end
$$;
comment on function privacy.plan_key_columns(oid) is
  'A table''s primary key columns in index order, with their types (internal).';

-- Why invoker: reads the catalog. A policy's filter as SQL over the row (t), and the columns it
-- names: column = value, or column among values; NULL in a list matches NULL (part of
-- privacy.retention_plan).
create or replace function privacy.plan_filter(schema_name name, table_name name, filter jsonb,
                                               out filter_sql text, out filter_columns name[])
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  select coalesce(pg_catalog.string_agg(
           case
             when pg_catalog.jsonb_typeof(f.value) = 'null' then pg_catalog.format('t.%I is null', f.key)
             when pg_catalog.jsonb_typeof(f.value) <> 'array' then
               pg_catalog.format('t.%I = %L::%s', f.key, f.value #>> '{}', privacy.column_type(plan_filter.schema_name, plan_filter.table_name, f.key))
             else pg_catalog.format('(t.%I = any (%L::%s[])%s)', f.key,
                    (select pg_catalog.array_agg(e #>> '{}') from pg_catalog.jsonb_array_elements(f.value) e
                     where pg_catalog.jsonb_typeof(e) <> 'null')::text,
                    privacy.column_type(plan_filter.schema_name, plan_filter.table_name, f.key),
                    case when f.value @> '[null]' then pg_catalog.format(' or t.%I is null', f.key) else '' end)
           end, ' and ' order by f.key), 'true'),
         coalesce(pg_catalog.array_agg(f.key::name), '{}')
  into filter_sql, filter_columns
  from pg_catalog.jsonb_each(plan_filter.filter) f;
end
$$;
comment on function privacy.plan_filter(name, name, jsonb) is
  'A retention policy''s filter as SQL over the row, and the columns it names (internal).';

-- Why invoker: reads the catalog. The statutory minimum of a policy, inline: the SQL of when it
-- ends, over the row as sweeps name it (t) and as trigger conditions do (old); NULL without one.
-- Raises PV005 when the minimum lacks a period or its anchor column is no date or timestamp
-- (part of privacy.retention_plan).
create or replace function privacy.plan_minimum(schema_name name, table_name name, minimum text,
                                                minimum_anchor_column name, time_zone text)
returns privacy.retention_minimum
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  m        privacy.statutory_minimum;
  v_object text := pg_catalog.format('%I.%I', plan_minimum.schema_name, plan_minimum.table_name);
  v_mtype  regtype;
  v_ends   text[];
begin
  if plan_minimum.minimum is null then
    return null;
  end if;
  select * into m from privacy.statutory_minimum s where s.name = plan_minimum.minimum;
  if m.period is null then
    raise exception using errcode = 'PV005', schema = plan_minimum.schema_name, table = plan_minimum.table_name,
      message = pg_catalog.format('%s: statutory minimum %s has no period to compute it from', v_object, plan_minimum.minimum);
  end if;
  v_mtype := privacy.column_type(plan_minimum.schema_name, plan_minimum.table_name, plan_minimum.minimum_anchor_column);
  -- The same expression over the row as sweeps name it (t) and as trigger conditions do (old).
  -- Counted from the fiscal year the anchor falls in, where the minimum says so: any date of the
  -- year will do as anchor, not only its last day (privacy.fiscal_year, sql/070).
  select pg_catalog.array_agg(privacy.statutory_end_sql(m.counts_from, m.period, x.expr, privacy.fiscal_year_start_month())
                              order by x.alias desc)
  into v_ends
  from (select a.alias, case v_mtype
          when 'timestamptz'::regtype then pg_catalog.format('(%s.%I at time zone %L)', a.alias, plan_minimum.minimum_anchor_column, plan_minimum.time_zone)
          when 'timestamp'::regtype then pg_catalog.format('%s.%I', a.alias, plan_minimum.minimum_anchor_column)
          when 'date'::regtype then pg_catalog.format('%s.%I::timestamp', a.alias, plan_minimum.minimum_anchor_column)
        end as expr
        from (values ('t'), ('old')) as a(alias)) x;
  if v_mtype not in ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) then
    raise exception using errcode = 'PV005', schema = plan_minimum.schema_name, table = plan_minimum.table_name, column = plan_minimum.minimum_anchor_column,
      message = pg_catalog.format('%s: minimum anchor column %I is of type %s; it must be a date or timestamp',
                                  v_object, plan_minimum.minimum_anchor_column, v_mtype);
  end if;
  -- Inline form of privacy.minimum_ends(), which sweeps evaluate for every expired row.
  return row(m.name, plan_minimum.minimum_anchor_column, v_ends[1], v_ends[2])::privacy.retention_minimum;
end
$$;
comment on function privacy.plan_minimum(name, name, text, name, text) is
  'A retention policy''s statutory minimum as SQL of when it ends, or NULL (internal).';

-- Why invoker: reads the catalog. How rows belong to subjects, for holds: a linked column, or for
-- a table linked through paths (film_review → rental → customer, customer.address_id → address)
-- the SQL (text[]) of the ids of the subjects each row belongs to, through every link (part of
-- privacy.retention_plan). PL/pgSQL: privacy.subject_ids_sql is defined later, in sql/400.
create or replace function privacy.plan_links(schema_name name, table_name name)
returns privacy.plan_link[]
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (
    select coalesce(pg_catalog.array_agg(x.link order by x.o1, x.o2), '{}')
    from (select row(l.column_name, l.subject_type, null::text)::privacy.plan_link as link,
                 l.column_name::text as o1, l.subject_type as o2
          from privacy.subject_link l
          where l.schema_name = plan_links.schema_name and l.table_name = plan_links.table_name
          union all
          select row(null::name, y.subject_type,
                     privacy.subject_ids_sql(y.subject_type, plan_links.schema_name, plan_links.table_name, 't'))::privacy.plan_link,
                 '~', y.subject_type
          from (select distinct s.subject_type from privacy.subject_path s
                where s.schema_name = plan_links.schema_name and s.table_name = plan_links.table_name) y) x);
end
$$;
comment on function privacy.plan_links(name, name) is
  'How a table''s rows belong to subjects: linked columns and the SQL of path links'' ids (internal).';

-- Why invoker: reads the catalog. Rows other tables still reference (ON DELETE NO ACTION or
-- RESTRICT) cannot be deleted: the sweep keeps them back instead of failing the batch on the
-- foreign key. Each the referencing table and an EXISTS over it (part of
-- privacy.retention_plan).
create or replace function privacy.plan_references(relid oid)
returns privacy.plan_reference[]
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select coalesce(pg_catalog.array_agg(row(
                   pg_catalog.format('%I.%I', cn.nspname, cc.relname),
                   pg_catalog.format('exists (select from %I.%I as c where %s)', cn.nspname, cc.relname,
                            (select pg_catalog.string_agg(pg_catalog.format('c.%I = t.%I', ca.attname, pa.attname), ' and ')
                             from rows from (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey)) as u(child_col, parent_col)
                             join pg_catalog.pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = u.child_col
                             join pg_catalog.pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = u.parent_col)))::privacy.plan_reference
                   order by cn.nspname, cc.relname, k.conname), '{}')
          from pg_catalog.pg_constraint k
          join pg_catalog.pg_class cc on cc.oid = k.conrelid
          join pg_catalog.pg_namespace cn on cn.oid = cc.relnamespace
          where k.contype = 'f' and k.confrelid = plan_references.relid and k.conparentid = 0 and k.confdeltype in ('a', 'r'));
end
$$;
comment on function privacy.plan_references(oid) is
  'The foreign keys that keep a table''s rows from being deleted, as SQL over the row (internal).';

-- Why invoker: reads the catalog (callers are definer functions and triggers of the toolkit).
-- Raises PV305 when the table has no policy, PV005 when the policy cannot be applied any more
-- (its anchor column was dropped or changed type, or a minimum lacks a period). Its parts come
-- from the plan_* functions above.
create or replace function privacy.retention_plan(schema_name name, table_name name)
returns privacy.table_retention_plan
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  p        privacy.retention_policy;
  v_object text := pg_catalog.format('%I.%I', retention_plan.schema_name, retention_plan.table_name);
  v_rel    oid;
  v_kind   "char";
  v_atype  regtype;
  v_key    privacy.plan_column[];
  v_filter record;
  plan     privacy.table_retention_plan;
begin
  select * into p from privacy.retention_policy r
  where r.schema_name = retention_plan.schema_name and r.table_name = retention_plan.table_name;
  if p.schema_name is null then
    raise exception using errcode = 'PV305', schema = retention_plan.schema_name, table = retention_plan.table_name,
      message = pg_catalog.format('%s has no retention policy', v_object);
  end if;
  select c.oid, c.relkind into v_rel, v_kind
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = p.schema_name and c.relname = p.table_name and c.relkind in ('r', 'p');
  if v_rel is null then
    raise exception using errcode = 'PV001', schema = p.schema_name, table = p.table_name,
      message = pg_catalog.format('unknown table %s (it has a retention policy but no longer exists)', v_object);
  end if;
  v_atype := privacy.column_type(p.schema_name, p.table_name, p.anchor_column);
  if v_atype not in ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) then
    raise exception using errcode = 'PV005', schema = p.schema_name, table = p.table_name, column = p.anchor_column,
      message = pg_catalog.format('%s: anchor column %I is of type %s; it must be a date or timestamp', v_object, p.anchor_column, v_atype);
  end if;

  v_key := privacy.plan_key_columns(v_rel);
  select * into v_filter from privacy.plan_filter(p.schema_name, p.table_name, p.filter);

  plan.schema_name := p.schema_name;
  plan.table_name := p.table_name;
  plan.object := v_object;
  plan.relid := v_rel;
  plan.partitioned := v_kind = 'p';
  plan.action := p.action;
  plan.keep := p.keep;
  plan.time_zone := p.time_zone;
  plan.anchor := p.anchor_column;
  plan.anchor_type := v_atype;
  plan.key := v_key;
  -- Batches are ranges of (anchor, key): the order of the anchor index the policy created.
  plan.order_by := array[row(p.anchor_column, pg_catalog.format_type(v_atype, null))::privacy.plan_column]
                   || array(select k from pg_catalog.unnest(v_key) k where k.name <> p.anchor_column);
  plan.filter_sql := v_filter.filter_sql;
  plan.filter_columns := v_filter.filter_columns;
  plan.minimum := privacy.plan_minimum(p.schema_name, p.table_name, p.minimum, p.minimum_anchor_column, p.time_zone);
  plan.links := privacy.plan_links(p.schema_name, p.table_name);
  plan.referenced_by := case when p.action = 'delete' then privacy.plan_references(v_rel) else '{}' end;
  plan.expired_partitions := p.expired_partitions;
  return plan;
end
$$;
comment on function privacy.retention_plan(name, name) is
  'A table''s retention policy resolved against the catalog into SQL fragments (internal).';

-- Why invoker: pure formatting. The row's key as text[] (`array[t.k1::text, …]`), which the
-- queue stores and batch bounds compare; raises PV304 for a table without a primary key.
create or replace function privacy.plan_key_sql(plan privacy.table_retention_plan, alias text default 't')
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  if coalesce(pg_catalog.cardinality(plan.key), 0) = 0 then
    raise exception using errcode = 'PV304', schema = plan.schema_name, table = plan.table_name,
      message = pg_catalog.format('%s has no primary key, so its rows cannot be swept one by one', plan.object),
      hint = 'Add a primary key (a surrogate id will do).';
  end if;
  return (select 'array[' || pg_catalog.string_agg(pg_catalog.format('%I.%I::text', alias, x.name), ', ' order by x.o) || ']'
          from pg_catalog.unnest(plan.key) with ordinality as x(name, type, o));
end
$$;
comment on function privacy.plan_key_sql(privacy.table_retention_plan, text) is 'SQL of a row''s key as text[] (internal).';

-- Why invoker: pure formatting. A row of (anchor, key…) values, as text, turned back into a
-- typed row constructor for comparisons such as (t.anchor, t.id) > (…).
create or replace function privacy.plan_bound_sql(plan privacy.table_retention_plan, bound text[])
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select '(' || pg_catalog.string_agg(pg_catalog.format('%L::%s', bound[x.o], x.type), ', ' order by x.o) || ')'
          from pg_catalog.unnest(plan.order_by) with ordinality as x(name, type, o));
end
$$;
comment on function privacy.plan_bound_sql(privacy.table_retention_plan, text[]) is 'Typed row constructor of a batch bound (internal).';

-- Why invoker: pure formatting. `(t.anchor, t.k1, …)`: the order batches are cut in.
create or replace function privacy.plan_order_sql(plan privacy.table_retention_plan)
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select '(' || pg_catalog.string_agg(pg_catalog.format('t.%I', x.name), ', ' order by x.o) || ')'
          from pg_catalog.unnest(plan.order_by) with ordinality as x(name, type, o));
end
$$;
comment on function privacy.plan_order_sql(privacy.table_retention_plan) is 'Row constructor of the columns batches are ordered by (internal).';

-- Why invoker: pure formatting. How a hold's subject_id matches a row `t` by one of the plan's
-- links: `= t.customer_id::text` for a column, `= any (<ids through the paths>)` for paths.
create or replace function privacy.plan_link_match_sql(link privacy.plan_link)
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  return case when link.ids_sql is not null then pg_catalog.format('= any (%s)', link.ids_sql)
              else pg_catalog.format('= t.%I::text', link.column_name) end;
end
$$;
comment on function privacy.plan_link_match_sql(privacy.plan_link) is
  'SQL matching a hold''s subject id to a row by a column or through path links (internal).';

-- Why invoker: reads the hold table (callers are the toolkit's definer functions and triggers).
-- The predicates that decide, for a row `t` of an expired anchor, whether it may be swept on
-- `today` and if not why, as SQL fragments:
--   eligible   no minimum keeps it, no hold in force on a linked subject, nothing references it
--   reason     'minimum:<name>', 'hold:<reason>' or 'referenced:<table>' for a row kept back
--   hold_join  a lateral join (alias hh) to the latest-ending hold on the row's subjects
--   hold_id, recheck_at  which hold, and when the reason can have ended (NULL: at release)
create or replace function privacy.plan_predicates(plan privacy.table_retention_plan, as_of timestamptz)
returns privacy.retention_predicates
language plpgsql stable
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  v_tz      text := plan.time_zone;
  v_today   date := (as_of at time zone v_tz)::date;
  v_min_ok  text := 'true';
  v_held    text;
  v_match   text;
  v_refs    text;
  v_reason  text;
  v_recheck text;
  v_join    text := '';
  v_hold_id text := 'null::bigint';
  v_hold_reason text := 'null::text';
  v_hold_until  text := 'null::date';
  v_ends    text;
  v_by_min  text;
  v_in_force text := pg_catalog.format('h.released_at is null and (h.until is null or h.until >= %L::date)', v_today);
  preds     privacy.retention_predicates;
begin
  if (plan.minimum).ends_sql is not null then
    v_min_ok := pg_catalog.format('coalesce(%s <= %L::date, false)', (plan.minimum).ends_sql, v_today);
  end if;

  -- Only subject types that have a hold in force at all are looked up, row by row.
  select pg_catalog.string_agg(pg_catalog.format(
           'exists (select from privacy.hold as h where h.subject_type = %L and h.subject_id %s and %s)',
           l.subject_type, privacy.plan_link_match_sql(l), v_in_force), ' or '),
         pg_catalog.string_agg(pg_catalog.format('(h.subject_type = %L and h.subject_id %s)',
           l.subject_type, privacy.plan_link_match_sql(l)), ' or ')
  into v_held, v_match
  from pg_catalog.unnest(plan.links) l
  where exists (select from privacy.hold h
                where h.subject_type = l.subject_type and h.released_at is null
                  and (h.until is null or h.until >= v_today));
  if v_held is not null then
    v_held := '(' || v_held || ')';
    v_join := pg_catalog.format(
      'left join lateral (select h.id, h.reason, h.until from privacy.hold as h where %s and (%s) '
      'order by h.until desc nulls first limit 1) as hh on true', v_in_force, v_match);
    v_hold_id := 'hh.id';
    v_hold_reason := 'hh.reason';
    v_hold_until := 'hh.until';
  else
    v_held := 'false';
  end if;

  select coalesce('(' || pg_catalog.string_agg(r.predicate, ' or ') || ')', 'false')
  into v_refs from pg_catalog.unnest(plan.referenced_by) r;

  -- A row kept for several reasons is reported under the one that keeps it longest.
  v_ends := coalesce((plan.minimum).ends_sql, 'null::date');
  v_by_min := pg_catalog.format('(not %s and (%s is null or (%s is not null and %s - 1 >= %s)))',
                                v_min_ok, v_hold_id, v_hold_until, v_ends, v_hold_until);
  v_reason := pg_catalog.format('case when %s then %L when %s is not null then ''hold:'' || %s',
                                v_by_min, 'minimum:' || coalesce((plan.minimum).name, ''), v_hold_id, v_hold_reason)
           || coalesce((select pg_catalog.string_agg(pg_catalog.format(' when %s then %L', r.predicate, 'referenced:' || r.relation), '')
                        from pg_catalog.unnest(plan.referenced_by) r), '')
           || ' else ''blocked'' end';
  v_recheck := pg_catalog.format(
    'case when %s then (%s)::timestamp at time zone %L when %s is not null then (%s + 1)::timestamp at time zone %L '
    'else %L::timestamptz end',
    v_by_min, v_ends, v_tz, v_hold_id, v_hold_until, v_tz,
    -- kept back by a reference: look again in the next run, not in this one
    as_of + interval '1 microsecond');

  preds.today := v_today;
  preds.min_ok := v_min_ok;
  preds.held := v_held;
  preds.governed := pg_catalog.format('coalesce(%s, false)', plan.filter_sql);
  preds.eligible := pg_catalog.format('(%s and not %s and not %s)', v_min_ok, v_held, v_refs);
  preds.can_block := v_min_ok <> 'true' or v_held <> 'false' or v_refs <> 'false';
  preds.reason := v_reason;
  preds.hold_join := v_join;
  preds.hold_id := pg_catalog.format('case when not %s then %s end', v_by_min, v_hold_id);
  preds.hold_until := pg_catalog.format('case when %s then (%s - 1) else %s end', v_by_min, v_ends, v_hold_until);
  preds.open_ended := pg_catalog.format('(not %s and %s is not null and %s is null)', v_by_min, v_hold_id, v_hold_until);
  preds.recheck_at := v_recheck;
  return preds;
end
$$;
comment on function privacy.plan_predicates(privacy.table_retention_plan, timestamptz) is
  'SQL predicates deciding whether an expired row may be swept on a given day, and why not (internal).';

-- Why invoker: reads the catalog. How each column of the table is anonymized in place, one row
-- per column the sweep writes, with `problem` set when the column cannot be anonymized:
--   * kept as they are: the key, the anchor, the minimum anchor, filter columns, generated and
--     identity columns, and columns classified in a category that is not personal;
--   * a column with an anonymization strategy: that strategy (privacy.strategy_call, purpose
--     'anonymize'; `null` and `redact` also work without the strategy library);
--   * every other column (personal without a strategy, or unclassified: privacy by default):
--     NULL, or when it is NOT NULL a fixed type-appropriate value — '' for text, 0 for numbers,
--     false, 1970-01-01 (00:00) for dates and times, 0 for intervals, '{}' for arrays and JSON,
--     0.0.0.0 for addresses, the nil UUID — and for a NOT NULL text or uuid column under a
--     unique constraint a random UUID. NOT NULL columns of a foreign key, or of other types, or
--     unique ones of other types, are a problem: classify them.
create or replace function privacy.anonymize_columns(plan privacy.table_retention_plan)
returns table (column_name name, expression text, problem text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  c record;
  v_value text;
  v_kept text[];
begin
  v_kept := pg_catalog.array_remove(
              array(select k.name::text from pg_catalog.unnest(plan.key) k)
              || array[plan.anchor::text, (plan.minimum).column_name::text]
              || coalesce(plan.filter_columns::text[], '{}'), null);
  for c in
    select a.attname, a.atttypid::regtype as type, t.typcategory, a.attnotnull,
           r.anonymize_strategy, r.anonymize_params, k.personal,
           exists (select from pg_catalog.pg_constraint f
                   where f.conrelid = a.attrelid and f.contype = 'f' and a.attnum = any (f.conkey)) as in_fk,
           exists (select from pg_catalog.pg_index i
                   where i.indrelid = a.attrelid and i.indisunique and i.indnkeyatts = 1 and i.indkey[0] = a.attnum) as is_unique
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_type t on t.oid = a.atttypid
    left join privacy.column_rule r on r.schema_name = plan.schema_name and r.table_name = plan.table_name and r.column_name = a.attname
    left join privacy.category k on k.name = r.category
    where a.attrelid = plan.relid and a.attnum > 0 and not a.attisdropped
      and a.attgenerated = '' and a.attidentity = ''
      and a.attname <> all (v_kept)
      and coalesce(k.personal, true)
    order by a.attnum
  loop
    column_name := c.attname;
    expression := null;
    problem := null;
    v_value := pg_catalog.format('t.%I', c.attname);
    if c.anonymize_strategy = 'null' or (c.anonymize_strategy is null and not c.attnotnull) then
      expression := pg_catalog.format('null::%s', c.type);
      if c.attnotnull then
        problem := 'strategy null on a NOT NULL column';
      end if;
    elsif c.anonymize_strategy is not null then
      expression := privacy.strategy_call(c.anonymize_strategy, c.anonymize_params, v_value, c.type, 'anonymize');
    elsif c.anonymize_strategy = 'redact' then
      if c.typcategory = 'S' then
        expression := pg_catalog.format('%L::%s', coalesce(c.anonymize_params->>'replacement', '***'), c.type);
      else
        problem := pg_catalog.format('strategy redact on a column of type %s', c.type);
      end if;
    elsif c.anonymize_strategy is not null then
      problem := pg_catalog.format('strategy %s needs the strategy library (privacy.strategy_call), which is not installed',
                                   c.anonymize_strategy);
    elsif c.in_fk then
      problem := 'it is NOT NULL and part of a foreign key';
    elsif c.is_unique then
      if c.type = 'uuid'::regtype then
        expression := 'pg_catalog.gen_random_uuid()';
      elsif c.typcategory = 'S' then
        expression := pg_catalog.format('pg_catalog.gen_random_uuid()::text::%s', c.type);
      else
        problem := pg_catalog.format('it is NOT NULL and unique, of type %s', c.type);
      end if;
    else
      expression := case
        when c.typcategory = 'S' then pg_catalog.format('%L::%s', '', c.type)
        when c.typcategory = 'N' then pg_catalog.format('0::%s', c.type)
        when c.typcategory = 'B' then 'false'
        when c.type in ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) then pg_catalog.format('%L::%s', '1970-01-01', c.type)
        when c.type in ('time'::regtype, 'timetz'::regtype) then pg_catalog.format('%L::%s', '00:00', c.type)
        when c.typcategory = 'T' then pg_catalog.format('%L::%s', '0', c.type)
        when c.typcategory = 'A' or c.type in ('json'::regtype, 'jsonb'::regtype) then pg_catalog.format('%L::%s', '{}', c.type)
        when c.typcategory = 'I' then pg_catalog.format('%L::%s', '0.0.0.0', c.type)
        when c.type = 'uuid'::regtype then pg_catalog.format('%L::uuid', '00000000-0000-0000-0000-000000000000')
      end;
      if expression is null then
        problem := pg_catalog.format('it is NOT NULL, of type %s', c.type);
      end if;
    end if;
    return next;
  end loop;
end
$$;
comment on function privacy.anonymize_columns(privacy.table_retention_plan) is
  'How a sweep anonymizes each column of a table, or why it cannot (internal).';

-- Why invoker: as anonymize_columns. The SET list of the anonymizing UPDATE; raises PV303
-- naming the first column that cannot be anonymized, before any row is touched.
create or replace function privacy.anonymize_set_sql(plan privacy.table_retention_plan)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bad record;
  v_set text;
begin
  select a.column_name, a.problem into v_bad from privacy.anonymize_columns(plan) a where a.problem is not null limit 1;
  if v_bad.column_name is not null then
    raise exception using errcode = 'PV303', schema = plan.schema_name, table = plan.table_name, column = v_bad.column_name,
      message = pg_catalog.format('%s.%I cannot be anonymized: %s', plan.object, v_bad.column_name, v_bad.problem),
      hint = 'Classify it: not_personal to keep it as it is, or give it an anonymization strategy.';
  end if;
  select pg_catalog.string_agg(pg_catalog.format('%I = %s', a.column_name, a.expression), ', ')
  into v_set from privacy.anonymize_columns(plan) a;
  -- Nothing personal left to anonymize: the rows still count as done.
  return coalesce(v_set, pg_catalog.format('%I = t.%I', plan.anchor, plan.anchor));
end
$$;
comment on function privacy.anonymize_set_sql(privacy.table_retention_plan) is
  'SET list that anonymizes a row in place; raises PV303 for a column that cannot be anonymized (internal).';

revoke execute on function privacy.anchor_literal(timestamptz, regtype, text), privacy.retention_plan(name, name),
  privacy.plan_key_sql(privacy.table_retention_plan, text), privacy.plan_bound_sql(privacy.table_retention_plan, text[]),
  privacy.plan_order_sql(privacy.table_retention_plan), privacy.plan_predicates(privacy.table_retention_plan, timestamptz),
  privacy.anonymize_columns(privacy.table_retention_plan), privacy.anonymize_set_sql(privacy.table_retention_plan),
  privacy.plan_link_match_sql(privacy.plan_link), privacy.plan_key_columns(oid), privacy.plan_filter(name, name, jsonb),
  privacy.plan_minimum(name, name, text, name, text), privacy.plan_links(name, name), privacy.plan_references(oid)
  from public;
