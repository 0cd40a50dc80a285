-- integritet: effective retention — until when one row is kept, and why.
--
--   select * from privacy.retention_of('invoice', '42');
--   select * from privacy.retention_of('position', '1017', '2026-01-03 08:00:00+00');  -- composite key
--
-- One line per rule that applies: the policy (anchor + keep), the statutory minimum, each hold in
-- force on a subject the row is linked to. The row is kept until the latest of them (`governs`);
-- removable_from NULL means no end yet (an open-ended hold, or an anchor that is not set).
--
-- needs: 010-names, 300-retention-plan

-- Why definer: reads the row's anchor dates and links, which privacy_admin members may not read
-- themselves; returns dates and the toolkit's own identifiers only, never a value of the row.
create or replace function privacy.retention_of(table_name text, variadic row_key text[])
returns table (source text, detail text, kept_until date, removable_from timestamptz, governs boolean)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  v_schema name;
  v_table  name;
  plan     privacy.table_retention_plan;
  v_tz     text;
  v_where  text;
  v_policy timestamptz;
  v_anchor_set boolean;
  v_governed boolean;
  v_min    date;
  v_rows   jsonb;
  v_found  boolean;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(retention_of.table_name) t;
  plan := privacy.retention_plan(v_schema, v_table);
  v_tz := plan.time_zone;
  perform privacy.plan_key_sql(plan);
  if pg_catalog.cardinality(retention_of.row_key) <> pg_catalog.cardinality(plan.key) then
    raise exception using errcode = 'PV011', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: its key has %s columns (%s), %s values were given', plan.object,
        pg_catalog.cardinality(plan.key),
        (select pg_catalog.string_agg(k.name, ', ') from pg_catalog.unnest(plan.key) k),
        pg_catalog.cardinality(retention_of.row_key));
  end if;
  begin
    select pg_catalog.string_agg(pg_catalog.format('t.%I = %L::%s', x.name, retention_of.row_key[x.o], x.type), ' and ')
    into v_where
    from pg_catalog.unnest(plan.key) with ordinality as x(name, type, o);
    execute pg_catalog.format(
      'select true, t.%1$I is not null, %2$s, '
      '  (%3$s + %4$L::interval) at time zone %10$L, '
      '  %5$s, '
      '  (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(''id'', h.id, ''reason'', h.reason, ''until'', h.until, '
      '          ''review_on'', h.review_on, ''subject_type'', h.subject_type) order by h.id) '
      '   from privacy.hold as h where h.released_at is null and (h.until is null or h.until >= %6$L::date) and (%7$s)) '
      'from %8$s as t where %9$s',
      plan.anchor, plan.filter_sql,
      case when plan.anchor_type = 'timestamptz'::regtype
           then pg_catalog.format('(t.%I at time zone %L)', plan.anchor, v_tz)
           else pg_catalog.format('t.%I::timestamp', plan.anchor) end,
      plan.keep,
      coalesce((plan.minimum).ends_sql, 'null::date'),
      (pg_catalog.now() at time zone v_tz)::date,
      coalesce((select pg_catalog.string_agg(pg_catalog.format('(h.subject_type = %L and h.subject_id %s)',
                                                               l.subject_type, privacy.plan_link_match_sql(l)), ' or ')
                from pg_catalog.unnest(plan.links) l), 'false'),
      plan.object, v_where, v_tz)
    into v_found, v_anchor_set, v_governed, v_policy, v_min, v_rows;
  exception when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
                  or numeric_value_out_of_range then
    raise exception using errcode = 'PV011', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: the key given does not fit the key columns', plan.object);
  end;
  if v_found is null then
    raise exception using errcode = 'PV306', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s has no row with the given key', plan.object);
  end if;

  return query
  with rules as (
    select 'policy'::text as source,
           pg_catalog.format('%s %s after %s%s', plan.action, plan.keep, plan.anchor,
             case when not v_anchor_set then ' (not set yet)'
                  when not coalesce(v_governed, false) then ' (row outside the policy filter)' else '' end) as detail,
           case when coalesce(v_governed, false) then v_policy end as removable_from
    union all
    -- The rule, its citation and the version of the law it was read from.
    select 'minimum', pg_catalog.format('%s (%s; %s)', m.name, coalesce(m.citation, m.law), coalesce(m.version, 'version not recorded')),
           v_min::timestamp at time zone v_tz
    from privacy.statutory_minimum m where m.name = (plan.minimum).name
    union all
    select 'hold',
           pg_catalog.format('%s hold %s on %s%s', h->>'reason', h->>'id', h->>'subject_type',
             coalesce(' (review on ' || (h->>'review_on') || ')', '')),
           ((h->>'until')::date + 1)::timestamp at time zone v_tz
    from pg_catalog.jsonb_array_elements(coalesce(v_rows, '[]')) h
  ), latest as (
    select r.*, pg_catalog.row_number() over (order by r.removable_from desc nulls first) = 1 as governs
    from rules r
  )
  select l.source, l.detail,
         ((l.removable_from at time zone v_tz) - interval '1 microsecond')::date,
         l.removable_from, l.governs
  from latest l
  order by case l.source when 'policy' then 1 when 'minimum' then 2 else 3 end, l.detail;
end
$$;
comment on function privacy.retention_of(text, text[]) is
  'Until when one row is kept and why: one line per policy, minimum and hold, the latest one governs.';

revoke execute on function privacy.retention_of(text, text[]) from public;
grant execute on function privacy.retention_of(text, text[]) to privacy_admin;
