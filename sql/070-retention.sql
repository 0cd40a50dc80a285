-- integritet: retention policies and the statutory minimums they cannot go below.
--
--   select privacy.set_retention('position', anchor => 'recorded_at', keep => '90 days',
--                                action => 'anonymize');
--   select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'delete',
--                                minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');

-- The period and where it counts from are data, so that privacy.minimum_ends() computes every
-- minimum the same way: bookkeeping runs 7 years from the end of the calendar year in which the
-- fiscal year ended (fiscal year 2008-07-01..2009-06-30: kept through 2016, discardable 2017-01-01).
insert into privacy.statutory_minimum as m (name, law, description, period, counts_from) values
  ('bookkeeping', 'Bokföringslagen (1999:1078) 7 kap. 2 §',
   'Accounting records are kept until the end of the seventh calendar year after the end of the '
   'calendar year in which the fiscal year ended.', interval '7 years', 'end_of_calendar_year')
on conflict (name) do update
  set law = excluded.law, description = excluded.description, period = excluded.period,
      counts_from = excluded.counts_from
  where (m.law, m.description, m.period, m.counts_from)
        is distinct from (excluded.law, excluded.description, excluded.period, excluded.counts_from);

-- Why invoker: pure date arithmetic. SQL and immutable so that sweeps inline it into their
-- predicates. The first day the record may be discarded (it is kept through the day before);
-- NULL when the anchor is unknown, which keeps the record.
create or replace function privacy.minimum_ends(period interval, counts_from text, anchor date)
returns date
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select (case counts_from
            when 'end_of_calendar_year'
              then pg_catalog.date_trunc('year', anchor::timestamp) operator(pg_catalog.+) interval '1 year'
            else anchor::timestamp
          end operator(pg_catalog.+) period)::date
$$;
comment on function privacy.minimum_ends(interval, text, date) is
  'First day a record under a statutory minimum of this period may be discarded (NULL anchor: never).';

-- Why invoker: reads the statutory_minimum reference table, readable by privacy_admin.
create or replace function privacy.minimum_ends(minimum text, anchor date)
returns date
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  m privacy.statutory_minimum;
begin
  select * into m from privacy.statutory_minimum s where s.name = minimum_ends.minimum;
  if m.name is null then
    raise exception using errcode = 'PV005',
      message = pg_catalog.format('unknown statutory minimum %L', minimum_ends.minimum),
      hint = (select 'Known: ' || pg_catalog.string_agg(s.name, ', ' order by s.name) from privacy.statutory_minimum s);
  end if;
  if m.period is null then
    raise exception using errcode = 'PV005',
      message = pg_catalog.format('statutory minimum %s has no period to compute it from', m.name);
  end if;
  return privacy.minimum_ends(m.period, m.counts_from, minimum_ends.anchor);
end
$$;
comment on function privacy.minimum_ends(text, date) is
  'First day a record under the named statutory minimum may be discarded, e.g. minimum_ends(''bookkeeping'', fiscal_year_end).';

-- Why invoker: reads the system catalog only.
create or replace function privacy.check_date_column(schema_name name, table_name name, column_name text, what text)
returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_type regtype := privacy.column_type(schema_name, table_name, column_name);
begin
  if v_type not in ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) then
    raise exception using errcode = 'PV005', schema = schema_name, table = table_name, column = column_name,
      message = pg_catalog.format('%s %I.%I.%I is of type %s; it must be a date or timestamp',
                                  what, schema_name, table_name, column_name, v_type);
  end if;
end
$$;
comment on function privacy.check_date_column(name, name, text, text) is
  'Raises PV005 unless the column is a date, timestamp or timestamptz.';

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
create or replace function privacy.set_retention(
  table_name text,
  anchor text,
  keep text,
  action text,
  minimum text default null,
  minimum_anchor text default null,
  schedule text default '0 3 * * *',
  time_zone text default 'UTC'
)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
  v_keep   interval;
  v_object text;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(set_retention.table_name) t;
  v_object := pg_catalog.format('%I.%I', v_schema, v_table);
  perform privacy.check_date_column(v_schema, v_table, set_retention.anchor, 'anchor column');

  begin
    v_keep := set_retention.keep::interval;
  exception when others then
    v_keep := null;
  end;
  if v_keep is null or v_keep <= interval '0' then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: keep period %L is not a positive interval', v_object, set_retention.keep),
      hint = 'For example ''90 days'', ''3 years'' or ''P1Y6M''.';
  end if;
  if set_retention.action is null or set_retention.action not in ('anonymize', 'delete') then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: action %L must be anonymize or delete', v_object, set_retention.action);
  end if;
  if set_retention.minimum is not null then
    if not exists (select from privacy.statutory_minimum m where m.name = set_retention.minimum) then
      raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
        message = pg_catalog.format('%s: unknown statutory minimum %L', v_object, set_retention.minimum),
        hint = (select 'Known: ' || pg_catalog.string_agg(m.name, ', ') from privacy.statutory_minimum m);
    end if;
    if set_retention.minimum_anchor is null then
      raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
        message = pg_catalog.format('%s: minimum %s needs minimum_anchor (the date it runs from)', v_object, set_retention.minimum);
    end if;
    perform privacy.check_date_column(v_schema, v_table, set_retention.minimum_anchor, 'minimum anchor column');
  elsif set_retention.minimum_anchor is not null then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: minimum_anchor given without a minimum', v_object);
  end if;
  if set_retention.schedule is null
     or set_retention.schedule !~ '^\s*[0-9*,/-]+(\s+[0-9A-Za-z*,/-]+){4}\s*$' then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: schedule %L is not a five-field cron expression', v_object, set_retention.schedule);
  end if;
  if not exists (select from pg_catalog.pg_timezone_names z where z.name = set_retention.time_zone) then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: unknown time zone %L', v_object, set_retention.time_zone);
  end if;

  insert into privacy.retention_policy as p
    (schema_name, table_name, anchor_column, keep, action, minimum, minimum_anchor_column, schedule, time_zone)
  values
    (v_schema, v_table, set_retention.anchor, v_keep, set_retention.action, set_retention.minimum,
     set_retention.minimum_anchor, set_retention.schedule, set_retention.time_zone)
  on conflict on constraint retention_policy_pkey do update
    set anchor_column = excluded.anchor_column, keep = excluded.keep, action = excluded.action,
        minimum = excluded.minimum, minimum_anchor_column = excluded.minimum_anchor_column,
        schedule = excluded.schedule, time_zone = excluded.time_zone,
        declared_at = pg_catalog.now(), declared_by = session_user
    where (p.anchor_column, p.keep, p.action, p.minimum, p.minimum_anchor_column, p.schedule, p.time_zone)
          is distinct from (excluded.anchor_column, excluded.keep, excluded.action, excluded.minimum,
                            excluded.minimum_anchor_column, excluded.schedule, excluded.time_zone);
end
$$;
comment on function privacy.set_retention(text, text, text, text, text, text, text, text) is
  'Declares how long a table''s rows are kept after their anchor date and what happens then.';

-- Why definer: as set_retention.
create or replace function privacy.drop_retention(table_name text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(drop_retention.table_name) t;
  delete from privacy.retention_policy p where p.schema_name = v_schema and p.table_name = v_table;
  return found;
end
$$;
comment on function privacy.drop_retention(text) is 'Removes a table''s retention policy. True if it had one.';

-- Why definer: as set_retention. Separate from set_retention (whose signature is granted and used
-- as is) so that existing calls keep resolving to exactly one function.
--
--   select privacy.set_retention_options('invoice', filter => '{"status": ["paid", "written_off"]}');
--   select privacy.set_retention_options('position', expired_partitions => 'detach');
create or replace function privacy.set_retention_options(
  table_name text,
  filter jsonb default null,
  expired_partitions text default null
)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
  v_object text;
  v_key    text;
  v_value  jsonb;
  v_item   jsonb;
  v_type   regtype;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(set_retention_options.table_name) t;
  v_object := pg_catalog.format('%I.%I', v_schema, v_table);
  if not exists (select from privacy.retention_policy p where p.schema_name = v_schema and p.table_name = v_table) then
    raise exception using errcode = 'PV305', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s has no retention policy', v_object),
      hint = 'Declare one first with privacy.set_retention().';
  end if;
  if set_retention_options.filter is not null then
    if pg_catalog.jsonb_typeof(set_retention_options.filter) <> 'object' then
      raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
        message = pg_catalog.format('%s: filter must be a JSON object of column: value or [values]', v_object);
    end if;
    for v_key, v_value in select * from pg_catalog.jsonb_each(set_retention_options.filter) loop
      v_type := privacy.column_type(v_schema, v_table, v_key);
      for v_item in
        select e from pg_catalog.jsonb_array_elements(
          case when pg_catalog.jsonb_typeof(v_value) = 'array' then v_value else pg_catalog.jsonb_build_array(v_value) end) e
      loop
        if pg_catalog.jsonb_typeof(v_item) in ('object', 'array') then
          raise exception using errcode = 'PV005', schema = v_schema, table = v_table, column = v_key,
            message = pg_catalog.format('%s: filter value of %I must be a scalar or a list of scalars', v_object, v_key);
        end if;
        if pg_catalog.jsonb_typeof(v_item) <> 'null' then
          begin
            execute pg_catalog.format('select %L::%s', v_item #>> '{}', v_type);
          exception when others then
            raise exception using errcode = 'PV005', schema = v_schema, table = v_table, column = v_key,
              message = pg_catalog.format('%s: filter value %s is not a valid %s for column %I',
                                          v_object, v_item::text, v_type, v_key);
          end;
        end if;
      end loop;
    end loop;
  end if;
  if set_retention_options.expired_partitions is not null
     and set_retention_options.expired_partitions not in ('drop', 'detach', 'rows') then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: expired_partitions %L must be drop, detach or rows',
                                  v_object, set_retention_options.expired_partitions);
  end if;
  update privacy.retention_policy p
  set filter = coalesce(set_retention_options.filter, p.filter),
      expired_partitions = coalesce(set_retention_options.expired_partitions, p.expired_partitions),
      declared_at = pg_catalog.now(), declared_by = session_user
  where p.schema_name = v_schema and p.table_name = v_table
    and (p.filter, p.expired_partitions) is distinct from
        (coalesce(set_retention_options.filter, p.filter),
         coalesce(set_retention_options.expired_partitions, p.expired_partitions));
end
$$;
comment on function privacy.set_retention_options(text, jsonb, text) is
  'Sets which rows a retention policy governs (filter) and what happens to fully expired partitions.';

revoke execute on function privacy.set_retention_options(text, jsonb, text) from public;
grant execute on function privacy.set_retention_options(text, jsonb, text) to privacy_admin;
revoke execute on function privacy.minimum_ends(interval, text, date), privacy.minimum_ends(text, date) from public;
grant execute on function privacy.minimum_ends(interval, text, date), privacy.minimum_ends(text, date)
  to privacy_admin, privacy_sweeper;
