-- integritet: the retention forecast — what a sweep on a future day would anonymize, delete, or
-- release from a restriction, and why, so that a DPO sees the next year coming.
--
--   select * from privacy.retention_forecast('2027-01-01');
--
-- One line per table, action and reason, counting rows:
--   action  anonymize | delete  the sweep on that day would do it
--           kept                still kept then (reason: minimum:<name>, hold:<reason>, referenced:<table>)
--           release             a row an erasure kept restricted whose reason has ended by then:
--                               privacy.erase_due() erases it (reason: what kept it)
--   reason  for anonymize/delete, why then and not now: `due now`, `keep period ends`, or the
--           minimum or hold that ends in between (`minimum:bookkeeping ends`, `hold:debt ends`)
--   until   for kept rows the last day the latest of them is kept (NULL: open-ended or not known)
-- Holds and the fiscal year are taken as they are today; a hold placed, released or restarted
-- later changes the answer. Rows that arrive later are not counted.
--
-- needs: 010-names, 300-retention-plan, 330-sweep-units

-- Why definer: reads every governed table, the holds and the restrictions, which privacy_admin
-- members may not read themselves; returns counts, table names and reasons only, never a value.
-- Changes nothing: it builds the same predicates a sweep does, for two days (today and `at`).
create or replace function privacy.retention_forecast(at date, table_name text default null)
returns table (relation text, action text, reason text, row_count bigint, until date)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set row_security = off
as $$
declare
  t         record;
  plan      privacy.table_retention_plan;
  p_at      privacy.retention_predicates;
  p_now     privacy.retention_predicates;
  v_schema  name;
  v_table   name;
  v_at      timestamptz;
  v_now     timestamptz := pg_catalog.now();
  v_cut_at  timestamptz;
  v_cut_now timestamptz;
  v_below   timestamptz;
begin
  if retention_forecast.at is null or retention_forecast.at < current_date then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('a forecast is for today or a later day, not %s', coalesce(retention_forecast.at::text, 'NULL'));
  end if;
  if retention_forecast.table_name is not null then
    select x.schema_name, x.relname into v_schema, v_table from privacy.resolve_table(retention_forecast.table_name) x;
  end if;
  for t in
    select p.schema_name, p.table_name from privacy.retention_policy p
    where v_schema is null or (p.schema_name, p.table_name) = (v_schema, v_table)
    order by p.schema_name, p.table_name
  loop
    relation := pg_catalog.format('%I.%I', t.schema_name, t.table_name);
    plan := privacy.retention_plan(t.schema_name, t.table_name);
    perform privacy.plan_key_sql(plan);
    -- The start of that day in the policy's time zone.
    v_at := retention_forecast.at::timestamp at time zone plan.time_zone;
    p_at := privacy.plan_predicates(plan, v_at);
    -- Today's predicates over their own hold join: the two joins must not share an alias.
    p_now := pg_catalog.replace(pg_catalog.replace(privacy.plan_predicates(plan, v_now)::text, 'hh.', 'hn.'),
                                ' as hh on true', ' as hn on true')::privacy.retention_predicates;
    v_cut_at := ((v_at at time zone plan.time_zone) - plan.keep) at time zone plan.time_zone;
    v_cut_now := ((v_now at time zone plan.time_zone) - plan.keep) at time zone plan.time_zone;
    select s.done_below into v_below from privacy.sweep_state s
    where s.schema_name = t.schema_name and s.table_name = t.table_name;
    return query execute pg_catalog.format(
      'select %1$L::text, x.action, x.reason, pg_catalog.count(*), pg_catalog.max(x.until) from ('
      '  select case when %2$s then %3$L else ''kept'' end as action,'
      '         case when not %2$s then %4$s'
      '              when not (%5$s) then ''keep period ends'''
      '              when %6$s then ''due now'''
      '              else %7$s || '' ends'' end as reason,'
      '         case when not %2$s then %8$s end as until'
      '  from %9$s as t %10$s %11$s'
      '  where (%12$s or (%14$s and exists (select from privacy.retention_pending as q'
      '                                     where q.schema_name = %15$L and q.table_name = %16$L and q.row_key = %17$s)))'
      '    and %13$s) as x '
      'group by x.action, x.reason order by x.action, x.reason',
      relation, p_at.eligible, plan.action, p_at.reason,
      privacy.sweep_range_sql(plan, v_cut_now, null), p_now.eligible, p_now.reason, p_at.hold_until,
      plan.object, p_at.hold_join, p_now.hold_join,
      -- Rows from where the sweeps have come so far, and those they kept back (queued for a new look).
      privacy.sweep_range_sql(plan, v_cut_at, v_below), p_at.governed,
      privacy.sweep_range_sql(plan, v_cut_at, null), t.schema_name, t.table_name, privacy.plan_key_sql(plan));
  end loop;

  -- Rows an erasure kept back whose reason will have ended: erase_due() erases them then.
  return query
  select pg_catalog.format('%I.%I', r.schema_name, r.table_name), 'release'::text, r.reason, pg_catalog.count(*),
         pg_catalog.max(coalesce(h.until, r.until))
  from privacy.restricted_row r
  left join privacy.hold h on h.id = r.hold_id
  where r.origin = 'erasure' and not pg_catalog.starts_with(r.reason, 'referenced:')
    and (v_schema is null or (r.schema_name, r.table_name) = (v_schema, v_table))
    and (h.released_at is not null or coalesce(h.until, r.until) < retention_forecast.at)
  group by r.schema_name, r.table_name, r.reason
  order by 1, 3;
end
$$;
comment on function privacy.retention_forecast(date, text) is
  'What a sweep on a future day would anonymize, delete or release from a restriction, and why; changes nothing.';

revoke execute on function privacy.retention_forecast(date, text) from public;
grant execute on function privacy.retention_forecast(date, text) to privacy_admin, privacy_sweeper;
