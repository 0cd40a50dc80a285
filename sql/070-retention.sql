-- integritet: retention policies and the statutory minimums they cannot go below.
--
--   select privacy.set_retention('position', anchor => 'recorded_at', keep => '90 days',
--                                action => 'anonymize');
--   select privacy.set_retention('invoice', anchor => 'issued_on', keep => '1 year', action => 'delete',
--                                minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');
--
-- needs: 010-names, 020-ledger
-- uses later: 080-holds, 320-retention-guards

-- The period and where it counts from are data, so that privacy.minimum_ends() computes every
-- minimum the same way: bookkeeping runs 7 years from the end of the calendar year in which the
-- fiscal year ended (fiscal year 2008-07-01..2009-06-30: kept through 2016, discardable 2017-01-01).
-- Each period says where it is written (citation), in which version of the law (version), and
-- where the citation was taken from (source). The laws' own texts (riksdagen.se, lovdata.no,
-- retsinformation.dk, finlex.fi) could not be reached from where this was written: the citations
-- are as known to the authors, and each row says so; check them before relying on them.
-- Where a period counts from:
--   anchor                                the anchor date itself (+ period)
--   end_of_calendar_year                  1 January after the anchor's year (+ period)
--   end_of_fiscal_year                    the day after the fiscal year the anchor falls in ends (+ period)
--   end_of_calendar_year_of_fiscal_year   1 January after the year in which that fiscal year ended (+ period)
insert into privacy.statutory_minimum as m (name, kind, law, citation, version, description, period, counts_from, source) values
  ('bookkeeping', 'minimum', 'Bokföringslagen (1999:1078) 7 kap. 2 §', 'Bokföringslagen (1999:1078) 7 kap. 2 §',
   'SFS 1999:1078 as amended up to SFS 2023:1027',
   'Accounting records are kept until the end of the seventh calendar year after the end of the '
   'calendar year in which the fiscal year ended.', interval '7 years', 'end_of_calendar_year_of_fiscal_year',
   'Cited from the authors'' knowledge of the law; its text was not reachable from here. The period (7 years, SFS 2023:1027 kept it) and the example of fiscal year 2008-07-01..2009-06-30 are tested.'),
  ('debt_limitation', 'limitation', 'Preskriptionslag (1981:130) 2 §', 'Preskriptionslag (1981:130) 2 § första stycket',
   'SFS 1981:130',
   'A claim becomes time-barred ten years after it arose, unless the limitation is interrupted (5 §).',
   interval '10 years', 'anchor',
   'Cited from the authors'' knowledge of the law; its text was not reachable from here.'),
  ('debt_limitation_consumer', 'limitation', 'Preskriptionslag (1981:130) 2 § 2 st.', 'Preskriptionslag (1981:130) 2 § andra stycket',
   'SFS 1981:130',
   'A business''s claim on a consumer for goods, services or other utilities provided mainly for private use becomes '
   'time-barred three years after it arose.', interval '3 years', 'anchor',
   'Cited from the authors'' knowledge of the law; its text was not reachable from here.'),
  ('debt_interruption', 'limitation', 'Preskriptionslag (1981:130) 5–7 §§', 'Preskriptionslag (1981:130) 5 §, 6 §, 7 §',
   'SFS 1981:130',
   'A reminder, an acknowledgement, a payment or legal action interrupts the limitation of a claim that is not yet '
   'time-barred (5 §); a new period of the same length (10 years, 3 for a consumer claim) runs from the day of the '
   'interruption (6 §), after legal proceedings from the day they ended (7 §). privacy.debt_hold_ends() computes it.',
   interval '10 years', 'anchor',
   'Cited from the authors'' knowledge of the law; its text was not reachable from here.'),
  ('anti_money_laundering', 'minimum', 'Lag (2017:630) om åtgärder mot penningtvätt och finansiering av terrorism 5 kap. 3 §',
   'Penningtvättslagen (2017:630) 5 kap. 3 §', 'SFS 2017:630',
   'Documents and information from customer due diligence are kept for five years after the business relationship '
   'ended or the occasional transaction was carried out (anchor: that day).', interval '5 years', 'anchor',
   'Cited from the authors'' knowledge of the law; its text was not reachable from here. The law allows a longer period in some cases (up to ten years on request): not modelled.'),
  ('bookkeeping_no', 'minimum', 'Bokføringsloven (LOV-2004-11-19-73) § 13', 'Bokføringsloven § 13 første ledd',
   'LOV-2004-11-19-73, as in force from 2014 (five years for primary documentation)',
   'Accounting material (Norway) is kept for five years after the end of the financial year.',
   interval '5 years', 'end_of_fiscal_year',
   'Cited from the authors'' knowledge of the law; lovdata.no was not reachable from here.'),
  ('bookkeeping_dk', 'minimum', 'Bogføringsloven (LOV nr 700 af 24/05/2022) § 10', 'Bogføringsloven (2022) § 10, stk. 1',
   'LOV nr 700 af 24/05/2022',
   'Accounting material (Denmark) is kept for five years from the end of the financial year it concerns.',
   interval '5 years', 'end_of_fiscal_year',
   'Cited from the authors'' knowledge of the law; retsinformation.dk was not reachable from here.'),
  ('bookkeeping_fi', 'minimum', 'Kirjanpitolaki (1336/1997) 2 luku 10 § 1 mom.', 'Kirjanpitolaki 2:10 § 1 mom.',
   '1336/1997 as amended by 1620/2015',
   'Financial statements, annual reports and the books (Finland) are kept at least ten years from the end of the '
   'year in which the financial period ended.', interval '10 years', 'end_of_calendar_year_of_fiscal_year',
   'Cited from the authors'' knowledge of the law; finlex.fi was not reachable from here.'),
  ('bookkeeping_fi_vouchers', 'minimum', 'Kirjanpitolaki (1336/1997) 2 luku 10 § 2 mom.', 'Kirjanpitolaki 2:10 § 2 mom.',
   '1336/1997 as amended by 1620/2015',
   'Vouchers, correspondence and other accounting material (Finland) are kept at least six years from the end of the '
   'year in which the financial period ended.', interval '6 years', 'end_of_calendar_year_of_fiscal_year',
   'Cited from the authors'' knowledge of the law; finlex.fi was not reachable from here.')
on conflict (name) do update
  set kind = excluded.kind, law = excluded.law, citation = excluded.citation, version = excluded.version,
      description = excluded.description, period = excluded.period, counts_from = excluded.counts_from,
      source = excluded.source
  where (m.kind, m.law, m.citation, m.version, m.description, m.period, m.counts_from, m.source)
        is distinct from (excluded.kind, excluded.law, excluded.citation, excluded.version, excluded.description,
                          excluded.period, excluded.counts_from, excluded.source);

-- Why invoker: pure formatting, shared by the sweeps' inline predicates and statutory_end(). The
-- SQL of the first day a record under a period may be discarded, from `anchor_sql` (a timestamp
-- expression), for a fiscal year starting on the first of `start_month`. The fiscal year an
-- anchor falls in ends the day before the first start after it: shifting the anchor back by the
-- months before the start puts it in the calendar year that fiscal year starts in.
create or replace function privacy.statutory_end_sql(counts_from text, period interval, anchor_sql text, start_month integer)
returns text
language plpgsql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
begin
  return case counts_from
    when 'end_of_calendar_year' then pg_catalog.format(
      '(pg_catalog.date_trunc(''year'', %s) + interval ''1 year'' + %L::interval)::date', anchor_sql, period)
    when 'end_of_fiscal_year' then pg_catalog.format(
      '(pg_catalog.date_trunc(''year'', %s - %L::interval) + %L::interval + interval ''1 year'' + %L::interval)::date',
      anchor_sql, pg_catalog.make_interval(months => start_month - 1), pg_catalog.make_interval(months => start_month - 1), period)
    when 'end_of_calendar_year_of_fiscal_year' then pg_catalog.format(
      '(pg_catalog.date_trunc(''year'', pg_catalog.date_trunc(''year'', %s - %L::interval) + %L::interval + interval ''1 year'' - interval ''1 day'') '
      '+ interval ''1 year'' + %L::interval)::date',
      anchor_sql, pg_catalog.make_interval(months => start_month - 1), pg_catalog.make_interval(months => start_month - 1), period)
    else pg_catalog.format('(%s + %L::interval)::date', anchor_sql, period)
  end;
end
$$;
comment on function privacy.statutory_end_sql(text, interval, text, integer) is
  'SQL of the first day a record under a statutory period may go, from an anchor and a fiscal year start (internal).';

-- Why invoker: pure date arithmetic, the same as statutory_end_sql() writes. NULL anchor: NULL.
create or replace function privacy.statutory_end(counts_from text, period interval, anchor date, start_month integer default 1)
returns date
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select (case counts_from
    when 'end_of_calendar_year'
      then pg_catalog.date_trunc('year', anchor::timestamp) operator(pg_catalog.+) interval '1 year'
    when 'end_of_fiscal_year'
      then pg_catalog.date_trunc('year', anchor::timestamp operator(pg_catalog.-) pg_catalog.make_interval(months => start_month - 1))
           operator(pg_catalog.+) pg_catalog.make_interval(months => start_month - 1) operator(pg_catalog.+) interval '1 year'
    when 'end_of_calendar_year_of_fiscal_year'
      then pg_catalog.date_trunc('year', pg_catalog.date_trunc('year', anchor::timestamp operator(pg_catalog.-) pg_catalog.make_interval(months => start_month - 1))
           operator(pg_catalog.+) pg_catalog.make_interval(months => start_month - 1) operator(pg_catalog.+) interval '1 year'
           operator(pg_catalog.-) interval '1 day') operator(pg_catalog.+) interval '1 year'
    else anchor::timestamp
  end operator(pg_catalog.+) period)::date
$$;
comment on function privacy.statutory_end(text, interval, date, integer) is
  'First day a record under a statutory period may be discarded, for a fiscal year starting in start_month (NULL anchor: never).';

-- Why invoker: reads privacy.fiscal_year, readable by privacy_admin. The month the controller's
-- fiscal year starts in: 1 (the calendar year) unless declared.
create or replace function privacy.fiscal_year_start_month()
returns integer
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((select f.start_month::integer from privacy.fiscal_year f where f.scope = 'controller'), 1);
end
$$;
comment on function privacy.fiscal_year_start_month() is 'The month the controller''s fiscal year starts in (1: the calendar year).';

-- Why definer: the catalog is writable only through validated calls by privacy_admin members, and
-- the guards of every table under a bookkeeping minimum are made anew with the new fiscal year
-- (their conditions carry its start month).
--
--   select privacy.set_fiscal_year(start_month => 7);   -- fiscal years from 1 July to 30 June
create or replace function privacy.set_fiscal_year(start_month integer)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  p record;
begin
  if set_fiscal_year.start_month is null or set_fiscal_year.start_month not between 1 and 12 then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('a fiscal year starts in a month from 1 to 12, not %s', coalesce(set_fiscal_year.start_month::text, 'NULL'));
  end if;
  insert into privacy.fiscal_year as f (scope, start_month) values ('controller', set_fiscal_year.start_month)
  on conflict (scope) do update set start_month = excluded.start_month, declared_at = pg_catalog.now(), declared_by = session_user
    where f.start_month is distinct from excluded.start_month;
  if found then
    perform privacy.record('fiscal_year.set', 'controller', pg_catalog.jsonb_build_object('start_month', set_fiscal_year.start_month));
    for p in select r.schema_name, r.table_name from privacy.retention_policy r where r.minimum is not null loop
      perform privacy.install_retention_guards(p.schema_name, p.table_name);
    end loop;
  end if;
end
$$;
comment on function privacy.set_fiscal_year(integer) is
  'Declares the month the controller''s fiscal year starts in; bookkeeping minimums count from the end of the fiscal year.';

-- Why invoker: pure date arithmetic. SQL and immutable so that sweeps inline it into their
-- predicates. The first day the record may be discarded (it is kept through the day before);
-- NULL when the anchor is unknown, which keeps the record. Counts a fiscal year as the calendar
-- year; the form taking a minimum's name uses the controller's fiscal year.
create or replace function privacy.minimum_ends(period interval, counts_from text, anchor date)
returns date
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select privacy.statutory_end(counts_from, period, anchor, 1)
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
  return privacy.statutory_end(m.counts_from, m.period, minimum_ends.anchor, privacy.fiscal_year_start_month());
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
    -- Counted from the calendar year of its anchor: right only when the anchor is the end of the
    -- fiscal year, which with a fiscal year that is not the calendar year it need not be.
    if privacy.fiscal_year_start_month() <> 1
       and (select m.counts_from from privacy.statutory_minimum m where m.name = set_retention.minimum) = 'end_of_calendar_year' then
      raise warning using
        message = pg_catalog.format('%s: minimum %s counts from the end of the calendar year of %I, but fiscal years start in month %s: '
                                    'unless %I is the end of the fiscal year, the record may go a year early',
                                    v_object, set_retention.minimum, set_retention.minimum_anchor,
                                    privacy.fiscal_year_start_month(), set_retention.minimum_anchor),
        hint = 'Use a minimum that counts from the fiscal year (bookkeeping does), or a fiscal-year-end column as anchor.';
    end if;
  elsif set_retention.minimum_anchor is not null then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: minimum_anchor given without a minimum', v_object);
  end if;
  if set_retention.schedule is null
     or set_retention.schedule !~ '^\s*[0-9*,/-]+(\s+[0-9A-Za-z*,/-]+){4}\s*$' then
    raise exception using errcode = 'PV005', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s: schedule %L is not a five-field cron expression', v_object, set_retention.schedule);
  end if;
  -- pg_timezone_names reads every file of the time zone database (tens of milliseconds, more on a
  -- slow disk): UTC, and a zone a retention policy already has (checked when it was declared),
  -- are known without it, so declaring the retention of many tables reads it once per new zone.
  if set_retention.time_zone is distinct from 'UTC'
     and not exists (select from privacy.retention_policy r where r.time_zone = set_retention.time_zone)
     and not exists (select from pg_catalog.pg_timezone_names z where z.name = set_retention.time_zone) then
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
revoke execute on function privacy.statutory_end_sql(text, interval, text, integer), privacy.statutory_end(text, interval, date, integer),
  privacy.fiscal_year_start_month(), privacy.set_fiscal_year(integer) from public;
grant execute on function privacy.statutory_end(text, interval, date, integer), privacy.fiscal_year_start_month(),
  privacy.set_fiscal_year(integer) to privacy_admin;
grant select on privacy.fiscal_year to privacy_admin;
grant execute on function privacy.minimum_ends(interval, text, date), privacy.minimum_ends(text, date)
  to privacy_admin, privacy_sweeper;

-- The declaration API, for admins.
grant execute on function
  privacy.set_retention(text, text, text, text, text, text, text, text),
  privacy.drop_retention(text)
  to privacy_admin;
