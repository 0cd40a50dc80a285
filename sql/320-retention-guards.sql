-- integritet: guards on tables under a retention policy, generated when the policy is declared.
--
--   * privacy_retention_guard_delete / _truncate: a row that a statutory minimum or a hold in
--     force keeps cannot be deleted or truncated away (also not through ON DELETE CASCADE), except
--     by a privacy_admin member who first gives a reason: `set local privacy.reason = '…'`, which
--     the ledger records. The error (PV301) names the table, the reason and the last day kept.
--   * privacy_retention_guard_refill: once a sweep anonymized a row, its anonymized columns
--     cannot be filled again (PV302), with the same exception for privacy_admin.
--   * privacy_retention_queue_insert / _update: a row written with an anchor already past its
--     keep period (a backfill, a contract end set in the past) is queued for the next sweep,
--     because the sweep's watermark has moved past it.
-- What they cost: each row trigger has a WHEN condition true only for rows the function must
-- look at — the delete guard's for rows a minimum keeps (computed inline from the row, without a
-- function call), the hold guard's for rows linked to a subject (whose holds its function looks
-- up by index, as data, when the row is deleted), the others for rows anchored more than the
-- keep period ago. Holds are data, never part of a
-- trigger's definition: placing or releasing a hold changes no trigger, so nothing (least of all
-- a sweep) has to drop and re-create triggers, which takes ACCESS EXCLUSIVE on the application's
-- tables. Measured: a delete of rows nothing keeps costs what it costs without the guard (a
-- statement trigger with a transition table cost 1.55x), and inserts and updates of current
-- rows never call a function. The sweep's own writes skip the
-- guards (the toolkit's owner with privacy.sweeping set, outside any trigger): they touch only
-- rows nothing keeps, which their own predicate checks. The table owner and the toolkit's owner
-- can always disable triggers; the guards bind every other role.
-- Policy and subject link changes re-generate the guards and the anchor index through triggers on
-- the catalog, whichever way they were changed.
--
-- needs: 015-ddl-locks, 020-ledger, 300-retention-plan

-- Why invoker: pure formatting. The first row of what a guard refuses: how many rows of `source`
-- a minimum or hold keeps, the reason of the one kept longest, and its last day.
create or replace function privacy.retention_covered_sql(plan privacy.table_retention_plan, predicates privacy.retention_predicates, source text)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format(
    'select pg_catalog.count(*) over (), x.reason, x.kept_until, x.open_ended from ('
    '  select %s as reason, %s as kept_until, %s as open_ended from %s as t %s where not %s or %s'
    ') as x order by x.open_ended desc, x.kept_until desc nulls last limit 1',
    predicates.reason, predicates.hold_until, predicates.open_ended, source,
    predicates.hold_join, predicates.min_ok, predicates.held)
$$;
comment on function privacy.retention_covered_sql(privacy.table_retention_plan, privacy.retention_predicates, text) is
  'SQL counting the rows of a source that a minimum or a hold keeps (internal).';

-- Why invoker: called by the guard triggers (definer). Lets a privacy_admin member with a reason
-- through and records it; refuses everyone else with PV301/PV302 naming the table. Only a
-- privacy_admin member hears why a row is kept and until when: the kind of a hold on a subject
-- (a debt, a legal claim) and its dates are what restricted roles may not read, and an error
-- message reaches whoever tried the delete.
create or replace function privacy.retention_guard_refuse(plan privacy.table_retention_plan, operation text, rows bigint, reason text,
                                                          kept_until date, open_ended boolean,
                                                          columns name[] default null)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_reason text := nullif(pg_catalog.btrim(pg_catalog.current_setting('privacy.reason', true)), '');
  v_why    text;
  v_until  text;
  v_key    text;
begin
  if v_reason is not null and pg_catalog.pg_has_role(session_user, 'privacy_admin', 'MEMBER') then
    -- One ledger entry per transaction, table, operation and reason, not one per row.
    v_key := pg_catalog.md5(pg_catalog.concat_ws('|', pg_catalog.txid_current(), plan.object, operation, v_reason));
    if pg_catalog.strpos(coalesce(pg_catalog.current_setting('privacy.overrides_recorded', true), ''), v_key) = 0 then
      perform privacy.record('retention.override', plan.object,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('operation', operation,
          'kept_by', retention_guard_refuse.reason, 'columns', columns, 'reason', v_reason)));
      perform pg_catalog.set_config('privacy.overrides_recorded',
        coalesce(pg_catalog.current_setting('privacy.overrides_recorded', true), '') || ' ' || v_key, true);
    end if;
    return;
  end if;
  if operation = 'update' then
    raise exception using errcode = 'PV302', schema = plan.schema_name, table = plan.table_name,
      message = pg_catalog.format('%s: a row anonymized by retention cannot have %s filled again',
                                  plan.object, pg_catalog.array_to_string(columns, ', ')),
      hint = 'Only a privacy_admin member may, after set local privacy.reason = ''…'' (recorded in the ledger).';
  end if;
  v_why := case
    when retention_guard_refuse.reason like 'minimum:%' then 'statutory minimum ' || pg_catalog.substr(retention_guard_refuse.reason, 9)
    when retention_guard_refuse.reason like 'hold:%' then 'a ' || pg_catalog.replace(pg_catalog.substr(retention_guard_refuse.reason, 6), '_', ' ') || ' hold'
    else retention_guard_refuse.reason end;
  v_until := case when open_ended then 'it is released' else kept_until::text end;
  if not pg_catalog.pg_has_role(session_user, 'privacy_admin', 'MEMBER') then
    raise exception using errcode = 'PV301', schema = plan.schema_name, table = plan.table_name,
      message = pg_catalog.format('%s: %s cannot be %s: kept by law', plan.object,
                                  case when rows = 1 then '1 row' else rows || ' rows' end,
                                  case operation when 'truncate' then 'truncated' else 'deleted' end),
      hint = 'A privacy_admin member sees why.';
  end if;
  raise exception using errcode = 'PV301', schema = plan.schema_name, table = plan.table_name,
    message = pg_catalog.format('%s: %s cannot be %s: kept by %s until %s', plan.object,
                                case when rows = 1 then '1 row' else rows || ' rows' end,
                                case operation when 'truncate' then 'truncated' else 'deleted' end,
                                case when rows = 1 then v_why else 'law, the longest by ' || v_why end, v_until),
    hint = 'Only a privacy_admin member may, after set local privacy.reason = ''…'' (recorded in the ledger).';
end
$$;
comment on function privacy.retention_guard_refuse(privacy.table_retention_plan, text, bigint, text, date, boolean, name[]) is
  'Refuses a guarded change (PV301/PV302), or records an admin''s reasoned override in the ledger (internal).';

-- Why definer: reads the catalog and the holds, which the deleting role may not read.
-- Row trigger (AFTER, so the row is at hand without another fetch), called only for rows its
-- WHEN condition found possibly kept; decides exactly and refuses the statement at the first one.
-- As the hold guard (privacy_retention_guard_held) it first looks up, by index, whether a
-- subject the row is linked to is held today, and returns at once when none is.
create or replace function privacy.retention_guard_delete()
returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  plan  privacy.table_retention_plan;
  preds privacy.retention_predicates;
  v_kept boolean;
  v_reason text;
  v_until date;
  v_open boolean;
  v_row jsonb;
begin
  -- A table reached through a path link (sql/400) has no column to look up by: the full check runs.
  if tg_name = 'privacy_retention_guard_held'
     and not exists (select from privacy.subject_path y where y.schema_name = tg_argv[0] and y.table_name = tg_argv[1]) then
    v_row := pg_catalog.to_jsonb(old);
    if not exists (select from privacy.subject_link l
                   join privacy.hold h on h.subject_type = l.subject_type
                                      and h.subject_id = v_row->>(l.column_name::text)
                                      and h.released_at is null
                   where l.schema_name = tg_argv[0] and l.table_name = tg_argv[1]
                     and (h.until is null or h.until >= current_date - 1)) then
      return null;
    end if;
  end if;
  if not exists (select from privacy.retention_policy p where p.schema_name = tg_argv[0] and p.table_name = tg_argv[1]) then
    return null;
  end if;
  plan := privacy.retention_plan(tg_argv[0]::name, tg_argv[1]::name);
  preds := privacy.plan_predicates(plan, pg_catalog.now());
  execute pg_catalog.format('select not %s or %s, %s, %s, %s from (select ($1).*) as t %s',
                            preds.min_ok, preds.held, preds.reason, preds.hold_until, preds.open_ended,
                            preds.hold_join)
    into v_kept, v_reason, v_until, v_open using old;
  if v_kept then
    perform privacy.retention_guard_refuse(plan, 'delete', 1, v_reason, v_until, v_open);
  end if;
  return null;
end
$$;
comment on function privacy.retention_guard_delete() is
  'Trigger: refuses deleting a row a statutory minimum or a hold keeps (PV301), unless an admin gives a reason.';

-- Why definer: as retention_guard_delete.
create or replace function privacy.retention_guard_truncate()
returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  plan  privacy.table_retention_plan;
  preds privacy.retention_predicates;
  v_rows bigint;
  v_reason text;
  v_until date;
  v_open boolean;
begin
  if not exists (select from privacy.retention_policy p where p.schema_name = tg_argv[0] and p.table_name = tg_argv[1]) then
    return null;
  end if;
  plan := privacy.retention_plan(tg_argv[0]::name, tg_argv[1]::name);
  preds := privacy.plan_predicates(plan, pg_catalog.now());
  if preds.min_ok = 'true' and preds.held = 'false' then
    return null;
  end if;
  execute privacy.retention_covered_sql(plan, preds, pg_catalog.format('%I.%I', tg_table_schema, tg_table_name))
    into v_rows, v_reason, v_until, v_open;
  if v_rows > 0 then
    perform privacy.retention_guard_refuse(plan, 'truncate', v_rows, v_reason, v_until, v_open);
  end if;
  return null;
end
$$;
comment on function privacy.retention_guard_truncate() is
  'Trigger: refuses truncating a table that holds rows a statutory minimum or a hold keeps (PV301).';

-- Why definer: reads the sweep watermark, the queue and the catalog.
create or replace function privacy.retention_guard_refill()
returns trigger
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  plan      privacy.table_retention_plan;
  v_below   timestamptz;
  v_done    boolean;
  v_key     text[];
  v_changed name[];
  v_old     jsonb;
  v_new     jsonb;
begin
  select s.done_below into v_below from privacy.sweep_state s
  where s.schema_name = tg_argv[0] and s.table_name = tg_argv[1];
  if v_below is null then
    return null;
  end if;
  plan := privacy.retention_plan(tg_argv[0]::name, tg_argv[1]::name);
  if plan.action <> 'anonymize' or pg_catalog.cardinality(plan.key) = 0 then
    return null;
  end if;
  -- Swept: anchored below the watermark, governed by the policy, and not waiting in the queue.
  execute pg_catalog.format('select t.%I < %s and %s, %s from (select ($1).*) as t',
                            plan.anchor, privacy.anchor_literal(v_below, plan.anchor_type, plan.time_zone),
                            pg_catalog.format('coalesce(%s, false)', plan.filter_sql), privacy.plan_key_sql(plan))
    into v_done, v_key using old;
  if not v_done or exists (select from privacy.retention_pending p
                           where p.schema_name = tg_argv[0] and p.table_name = tg_argv[1] and p.row_key = v_key) then
    return null;
  end if;
  v_old := pg_catalog.to_jsonb(old);
  v_new := pg_catalog.to_jsonb(new);
  select pg_catalog.array_agg(a.column_name order by a.column_name) into v_changed
  from privacy.anonymize_columns(plan) a
  where v_old -> a.column_name::text is distinct from v_new -> a.column_name::text;
  if v_changed is not null then
    perform privacy.retention_guard_refuse(plan, 'update', 1, null, null, false, v_changed);
  end if;
  return null;
end
$$;
comment on function privacy.retention_guard_refill() is
  'Trigger: refuses filling the anonymized columns of a swept row again (PV302), unless an admin gives a reason.';

-- Why invoker: pure formatting. The name of the queue trigger function generated for a table:
-- a hash of its name, so that it is found again to be replaced or dropped.
create or replace function privacy.retention_late_function(schema_name name, table_name name)
returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select 'retention_late_' || pg_catalog.left(pg_catalog.md5(pg_catalog.format('%I.%I', schema_name, table_name)), 16)
$$;
comment on function privacy.retention_late_function(name, name) is
  'Name of the generated function that queues a table''s late rows (internal).';

-- Why invoker: runs as install_retention_guards. Generates, for one table, the trigger function
-- that queues a row written with an anchor already past its keep period. Generated rather than
-- generic so that its SQL is static and planned once: a backfill of a million old rows queues
-- each at the cost of one insert (a generic function building the key per row took 0.7 ms).
-- The function it generates is SECURITY DEFINER, because it writes the sweep queue, which the
-- writing role cannot; for a key with a date or time it sets the fixed DateStyle and TimeZone, so
-- keys read as sweeps write them.
create or replace function privacy.create_retention_late_function(plan privacy.table_retention_plan)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_name text := privacy.retention_late_function(plan.schema_name, plan.table_name);
begin
  execute pg_catalog.format($f$
    create or replace function privacy.%1$I()
    returns trigger
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp%5$s
    as $body$
    begin
      insert into privacy.retention_pending as p (schema_name, table_name, row_key, reason, hold_id, recheck_at, queued_at)
      values (%2$L, %3$L, %4$s, 'late', null, pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp())
      on conflict on constraint retention_pending_pkey do update
        set reason = 'late', hold_id = null, recheck_at = excluded.recheck_at, queued_at = excluded.queued_at;
      return null;
    end
    $body$
    $f$, v_name, plan.schema_name, plan.table_name, privacy.plan_key_sql(plan, 'new'),
    -- Settings cost every call: only a key with a date or time in it needs them.
    case when exists (select from pg_catalog.unnest(plan.key) k
                      where k.type ~ '^(date|time|timestamp)')
         then E'\n    set timezone = ''UTC''\n    set datestyle = ''ISO, YMD''' else '' end);
  execute pg_catalog.format('comment on function privacy.%I() is %L', v_name,
    pg_catalog.format('Trigger (generated; why definer: writes the sweep queue): queues rows of %s written with an anchor past its keep period.',
                      plan.object));
  execute pg_catalog.format('revoke execute on function privacy.%I() from public', v_name);
  return v_name;
end
$$;
comment on function privacy.create_retention_late_function(privacy.table_retention_plan) is
  'Generates the trigger function that queues a table''s late rows for the next sweep (internal).';

-- Why invoker: runs as install_retention_guards, which has dropped the table's guards. Creates
-- the delete guards (row triggers, inherited by partitions) and the truncate guard of the table
-- and of each partition. `sweeping` is the WHEN condition that lets the sweep itself pass.
create or replace function privacy.install_retention_delete_guards(plan privacy.table_retention_plan, table_oid oid,
                                                                   sweeping text, args text)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r      record;
  v_kept text;
begin
  -- Delete: row triggers (inherited by partitions) whose conditions are true for the rows that
  -- may be kept: a minimum not yet over (or unknown); a linked subject (its holds are read when the
  -- row is deleted: holds are data, never part of the trigger, so placing one changes no trigger).
  if (plan.minimum).ends_sql_old is not null then
    execute pg_catalog.format(
      'create trigger privacy_retention_guard_delete after delete on %s for each row when (%s and %s) '
      'execute function privacy.retention_guard_delete(%s)', table_oid::regclass, sweeping,
      pg_catalog.format('coalesce(%s > (pg_catalog.now() at time zone %L)::date, true)',
                        (plan.minimum).ends_sql_old, plan.time_zone), args);
  end if;
  -- A row reached through a path link has no column of its own to test in a WHEN condition (no
  -- subqueries there): every deleted row of such a table is looked at.
  select pg_catalog.string_agg(case when l.column_name is not null then pg_catalog.format('old.%I is not null', l.column_name)
                                    else 'true' end, ' or ')
  into v_kept
  from pg_catalog.unnest(plan.links) l
  where l.column_name is not null or l.ids_sql is not null;
  if v_kept is not null then
    execute pg_catalog.format(
      'create trigger privacy_retention_guard_held after delete on %s for each row when (%s and (%s)) '
      'execute function privacy.retention_guard_delete(%s)', table_oid::regclass, sweeping, v_kept, args);
  end if;
  -- Truncate: statement triggers are not inherited, so each partition gets its own.
  for r in
    select table_oid::regclass as rel
    union all
    select p.relid::regclass from pg_catalog.pg_partition_tree(table_oid) p where p.isleaf and p.relid <> table_oid
  loop
    execute pg_catalog.format(
      'create trigger privacy_retention_guard_truncate before truncate on %s '
      'for each statement execute function privacy.retention_guard_truncate(%s)', r.rel, args);
  end loop;
end
$$;
comment on function privacy.install_retention_delete_guards(privacy.table_retention_plan, oid, text, text) is
  'Creates the delete and truncate guards of a table under a retention policy (internal).';

-- Why invoker: runs as the caller, which is the catalog trigger below (itself fired by the
-- definer declaration API), a sweep (definer) or the owner; creating triggers needs the table's
-- owner. Drops the guards of a table, and when it has a policy creates them anew for that policy.
create or replace function privacy.install_retention_guards(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  r          record;
  plan       privacy.table_retention_plan;
  v_keep     interval;
  v_owner    text;
  v_args     text := pg_catalog.format('%L, %L', install_retention_guards.schema_name, install_retention_guards.table_name);
  v_when_old text;
  v_when_new text;
  v_sweeping text;
  v_seconds  double precision;
  v_since    text;
  v_late     text;
  v_watched  text;
  v_rel      oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', install_retention_guards.schema_name,
                                                             install_retention_guards.table_name));
begin
  if v_rel is null then
    return;
  end if;
  -- The table and every partition, without a long wait in the lock queue (sql/015-ddl-locks.sql).
  perform privacy.lock_for_ddl(array[v_rel::regclass]);
  for r in
    select t.tgname, t.tgrelid::regclass as rel
    from pg_catalog.pg_trigger t
    where t.tgrelid in (select v_rel union all select p.relid from pg_catalog.pg_partition_tree(v_rel) p)
      and not t.tgisinternal and t.tgparentid = 0 and t.tgname like 'privacy\_retention\_%'
  loop
    execute pg_catalog.format('drop trigger %I on %s', r.tgname, r.rel);
  end loop;
  if not exists (select from privacy.retention_policy p
                 where p.schema_name = install_retention_guards.schema_name and p.table_name = install_retention_guards.table_name) then
    execute pg_catalog.format('drop function if exists privacy.%I()',
      privacy.retention_late_function(install_retention_guards.schema_name, install_retention_guards.table_name));
    return;
  end if;
  plan := privacy.retention_plan(install_retention_guards.schema_name, install_retention_guards.table_name);
  select s.guard_keep into v_keep from privacy.sweep_state s
  where s.schema_name = install_retention_guards.schema_name and s.table_name = install_retention_guards.table_name;
  v_keep := coalesce(v_keep, plan.keep);
  select n.nspowner::regrole::text into v_owner from pg_catalog.pg_namespace n where n.nspname = 'privacy';
  -- The sweep itself (the toolkit's owner, with privacy.sweeping set by privacy.sweep, not in a
  -- trigger) passes without a call: it deletes and re-anonymizes only rows nothing keeps. A
  -- cascade from its deletes runs inside a foreign key trigger (depth > 0), so it is guarded.
  v_sweeping := pg_catalog.format(
    'not (current_user = %L and coalesce(pg_catalog.current_setting(''privacy.sweeping'', true), '''') = ''on'' '
    'and pg_catalog.pg_trigger_depth() = 0)', v_owner);

  perform privacy.install_retention_delete_guards(plan, v_rel, v_sweeping, v_args);

  -- "Anchored more than the keep period ago", loosely (months as 28 days, a day to spare), in
  -- seconds only: subtracting months or days from a timestamptz converts through the time zone,
  -- which, row by row, cost inserts a fifth of their time; subtracting seconds costs nothing.
  v_seconds := ((pg_catalog.date_part('year', v_keep) * 12 + pg_catalog.date_part('month', v_keep)) * 28
                + pg_catalog.date_part('day', v_keep) - 1) * 86400
               + pg_catalog.date_part('hour', v_keep) * 3600 + pg_catalog.date_part('minute', v_keep) * 60
               + pg_catalog.date_part('second', v_keep);
  v_since := case plan.anchor_type
    when 'timestamptz'::regtype then pg_catalog.format('pg_catalog.now() - %L::interval', pg_catalog.make_interval(secs => v_seconds))
    else pg_catalog.format('localtimestamp - %L::interval', pg_catalog.make_interval(secs => v_seconds))
  end;
  v_when_old := pg_catalog.format('old.%I < %s', plan.anchor, v_since);
  v_when_new := pg_catalog.format('new.%I < %s', plan.anchor, v_since);
  if plan.action = 'anonymize' then
    execute pg_catalog.format(
      'create trigger privacy_retention_guard_refill after update on %s for each row when (%s and %s) '
      'execute function privacy.retention_guard_refill(%s)', v_rel::regclass, v_when_old, v_sweeping, v_args);
  end if;
  -- Without a primary key there is nothing to queue a row by (the sweep says so, PV304).
  if pg_catalog.cardinality(plan.key) = 0 then
    return;
  end if;
  v_late := privacy.create_retention_late_function(plan);
  execute pg_catalog.format(
    'create trigger privacy_retention_queue_insert after insert on %s for each row when (%s) '
    'execute function privacy.%I()', v_rel::regclass, v_when_new, v_late);
  select pg_catalog.string_agg(pg_catalog.format('%I', c), ', '),
         pg_catalog.format('(%s) is distinct from (%s)',
           pg_catalog.string_agg(pg_catalog.format('new.%I', c), ', '), pg_catalog.string_agg(pg_catalog.format('old.%I', c), ', '))
  into v_watched, v_when_old
  from (select distinct c from pg_catalog.unnest(array[plan.anchor, (plan.minimum).column_name] || plan.filter_columns) c
        where c is not null) x;
  execute pg_catalog.format(
    'create trigger privacy_retention_queue_update after update of %s on %s for each row when (%s and %s) '
    'execute function privacy.%I()', v_watched, v_rel::regclass, v_when_old, v_when_new, v_late);
end
$$;
comment on function privacy.install_retention_guards(name, name) is
  'Re-creates the guard and queue triggers of a table for its retention policy, or drops them without one (internal).';

-- Why invoker: runs as the DDL event trigger or privacy.sync() (definer), which own the tables.
-- Makes the guards of a table under a retention policy that lacks them (the table was dropped
-- and made again), and the truncate guard of each partition made or attached since (statement
-- triggers are not inherited). Touches nothing that has its guards: what the sweep used to do,
-- taken out of the sweep so that a sweep never locks more than the rows it changes.
create or replace function privacy.ensure_retention_guards(schema_name name, table_name name)
returns integer
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_rel  oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', ensure_retention_guards.schema_name,
                                                         ensure_retention_guards.table_name));
  v_args text := pg_catalog.format('%L, %L', ensure_retention_guards.schema_name, ensure_retention_guards.table_name);
  r      record;
  v_made integer := 0;
begin
  if v_rel is null or not exists (select from privacy.retention_policy p
                                  where p.schema_name = ensure_retention_guards.schema_name
                                    and p.table_name = ensure_retention_guards.table_name) then
    return 0;
  end if;
  if not exists (select from pg_catalog.pg_trigger g where g.tgrelid = v_rel and g.tgname = 'privacy_retention_guard_truncate') then
    perform privacy.install_retention_guards(ensure_retention_guards.schema_name, ensure_retention_guards.table_name);
    return 1;
  end if;
  for r in
    select p.relid::regclass as rel from pg_catalog.pg_partition_tree(v_rel) p
    where p.isleaf and p.relid <> v_rel
      and not exists (select from pg_catalog.pg_trigger g
                      where g.tgrelid = p.relid and g.tgname = 'privacy_retention_guard_truncate')
    order by 1
  loop
    perform privacy.lock_for_ddl(array[r.rel]);
    execute pg_catalog.format(
      'create trigger privacy_retention_guard_truncate before truncate on %s '
      'for each statement execute function privacy.retention_guard_truncate(%s)', r.rel, v_args);
    v_made := v_made + 1;
  end loop;
  return v_made;
end
$$;
comment on function privacy.ensure_retention_guards(name, name) is
  'Makes the retention guards a table or its new partitions lack; returns how many it made (internal).';

-- Why invoker: as install_retention_guards. Makes sure an index leads with the anchor column, so
-- that a sweep reads the expired rows and not the table: reuses any valid index that does (one
-- the DBA built concurrently beforehand, for instance), else creates (anchor, key…) and records
-- it, so that dropping the policy drops it again. Building it blocks writes to the table while
-- it runs: on a large busy table create it first with CREATE INDEX CONCURRENTLY.
create or replace function privacy.ensure_retention_index(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan   privacy.table_retention_plan := privacy.retention_plan(ensure_retention_index.schema_name, ensure_retention_index.table_name);
  v_name name;
  v_n    integer := 0;
begin
  if exists (select from pg_catalog.pg_index i
             join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
             where i.indrelid = plan.relid and i.indisvalid and i.indpred is null
               and a.attname = plan.anchor) then
    return;
  end if;
  loop
    v_name := pg_catalog.left(pg_catalog.format('%s_%s', ensure_retention_index.table_name, plan.anchor), 48)
              || case when v_n = 0 then '' else '_' || v_n end || '_retention_idx';
    exit when pg_catalog.to_regclass(pg_catalog.format('%I.%I', ensure_retention_index.schema_name, v_name)) is null;
    v_n := v_n + 1;
  end loop;
  perform privacy.lock_for_ddl(array[plan.relid::regclass]);
  execute pg_catalog.format('create index %I on %s (%s)', v_name, plan.object,
                            (select pg_catalog.string_agg(pg_catalog.format('%I', x.name), ', ' order by x.o)
                             from pg_catalog.unnest(plan.order_by) with ordinality as x(name, type, o)));
  execute pg_catalog.format('comment on index %I.%I is %L', ensure_retention_index.schema_name, v_name,
                            'integritet: lets retention sweeps read only the expired rows; dropped with the policy.');
  insert into privacy.retention_index as x (schema_name, table_name, index_name)
  values (ensure_retention_index.schema_name, ensure_retention_index.table_name, v_name)
  on conflict on constraint retention_index_pkey do update set index_name = excluded.index_name;
end
$$;
comment on function privacy.ensure_retention_index(name, name) is
  'Creates the (anchor, key) index a table''s sweeps need unless an index already leads with the anchor (internal).';

-- Why invoker: as install_retention_guards.
create or replace function privacy.drop_retention_index(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_name name;
begin
  delete from privacy.retention_index x
  where x.schema_name = drop_retention_index.schema_name and x.table_name = drop_retention_index.table_name
  returning x.index_name into v_name;
  if v_name is not null then
    perform privacy.lock_for_ddl(array[pg_catalog.to_regclass(pg_catalog.format('%I.%I', drop_retention_index.schema_name,
                                                                                drop_retention_index.table_name))]);
    execute pg_catalog.format('drop index if exists %I.%I', drop_retention_index.schema_name, v_name);
  end if;
end
$$;
comment on function privacy.drop_retention_index(name, name) is 'Drops the anchor index a policy created (internal).';

-- Why invoker: fired by changes to retention_policy, which only its owner (directly or through
-- the definer declaration API) can make. Keeps the sweep state, the anchor index and the guards
-- in step with the policy, in the same transaction as the change.
create or replace function privacy.retention_policy_changed()
returns trigger
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    update privacy.sweep_run r set phase = 'failed', finished_at = pg_catalog.clock_timestamp(),
                                   error = 'the retention policy changed during the run'
    where r.schema_name = old.schema_name and r.table_name = old.table_name and r.phase not in ('done', 'failed');
  end if;
  if tg_op = 'DELETE' then
    perform privacy.install_retention_guards(old.schema_name, old.table_name);
    perform privacy.drop_retention_index(old.schema_name, old.table_name);
    delete from privacy.sweep_state s where s.schema_name = old.schema_name and s.table_name = old.table_name;
    delete from privacy.retention_pending p where p.schema_name = old.schema_name and p.table_name = old.table_name;
    return null;
  end if;
  if tg_op = 'INSERT'
     or (new.anchor_column, new.action, new.filter, new.time_zone)
        is distinct from (old.anchor_column, old.action, old.filter, old.time_zone) then
    -- Rows already done were done by another rule: start again from the oldest row.
    insert into privacy.sweep_state as s (schema_name, table_name, done_below, guard_keep)
    values (new.schema_name, new.table_name, null, new.keep)
    on conflict (schema_name, table_name) do update
      set done_below = null, guard_keep = excluded.guard_keep, reset_at = pg_catalog.now();
    -- The next run looks at every row again and queues what is still kept back: entries queued
    -- under the old rule would have it act on the same rows a second time (and count them twice).
    if tg_op = 'UPDATE' then
      delete from privacy.retention_pending p where p.schema_name = new.schema_name and p.table_name = new.table_name;
    end if;
  elsif new.keep is distinct from old.keep then
    update privacy.sweep_state s set guard_keep = least(s.guard_keep, new.keep)
    where s.schema_name = new.schema_name and s.table_name = new.table_name;
  end if;
  if tg_op = 'UPDATE' and (new.minimum, new.minimum_anchor_column) is distinct from (old.minimum, old.minimum_anchor_column) then
    update privacy.retention_pending p set recheck_at = pg_catalog.now()
    where p.schema_name = new.schema_name and p.table_name = new.table_name and p.reason like 'minimum:%';
  end if;
  if tg_op = 'UPDATE' and new.anchor_column is distinct from old.anchor_column then
    perform privacy.drop_retention_index(new.schema_name, new.table_name);
  end if;
  perform privacy.ensure_retention_index(new.schema_name, new.table_name);
  perform privacy.install_retention_guards(new.schema_name, new.table_name);
  return null;
end
$$;
comment on function privacy.retention_policy_changed() is
  'Trigger: keeps sweep state, anchor index and guards in step with a table''s retention policy.';

create or replace trigger privacy_retention_enforce
  after insert or update or delete on privacy.retention_policy
  for each row execute function privacy.retention_policy_changed();

-- Why invoker: fired by changes to holds, made through the definer hold API. A hold that ends or
-- changes its end lets the rows it kept back be looked at in the next sweep. (The guards read the
-- holds when a row is deleted; privacy.hold_version is still counted for tools that watched it.)
create or replace function privacy.hold_changed()
returns trigger
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.nextval('privacy.hold_version');
  if tg_op = 'UPDATE' and (new.released_at, new.until) is distinct from (old.released_at, old.until) then
    update privacy.retention_pending p set recheck_at = pg_catalog.clock_timestamp()
    where p.hold_id = new.id;
  end if;
  return null;
end
$$;
comment on function privacy.hold_changed() is
  'Trigger: tells delete guards that holds changed, and queues the rows a released or changed hold kept back for a new look.';

create or replace trigger privacy_retention_hold_changed
  after insert or update on privacy.hold
  for each row execute function privacy.hold_changed();

-- Why invoker: fired by changes to subject links, made through the definer declaration API. A
-- table's delete guard lists its linked columns, so a link added or removed re-generates it.
create or replace function privacy.subject_link_changed()
returns trigger
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name := coalesce(new.schema_name, old.schema_name);
  v_table  name := coalesce(new.table_name, old.table_name);
begin
  if exists (select from privacy.retention_policy p where p.schema_name = v_schema and p.table_name = v_table) then
    perform privacy.install_retention_guards(v_schema, v_table);
  end if;
  return null;
end
$$;
comment on function privacy.subject_link_changed() is 'Trigger: re-generates the guards of a table whose subject links changed.';

create or replace trigger privacy_retention_link_changed
  after insert or delete on privacy.subject_link
  for each row execute function privacy.subject_link_changed();

create or replace trigger privacy_retention_path_changed
  after insert or delete on privacy.subject_path
  for each row execute function privacy.subject_link_changed();

revoke execute on function privacy.retention_covered_sql(privacy.table_retention_plan, privacy.retention_predicates, text),
  privacy.retention_guard_refuse(privacy.table_retention_plan, text, bigint, text, date, boolean, name[]),
  privacy.retention_guard_delete(), privacy.retention_guard_truncate(), privacy.retention_guard_refill(),
  privacy.retention_late_function(name, name), privacy.create_retention_late_function(privacy.table_retention_plan),
  privacy.install_retention_delete_guards(privacy.table_retention_plan, oid, text, text),
  privacy.install_retention_guards(name, name), privacy.ensure_retention_guards(name, name),
  privacy.ensure_retention_index(name, name), privacy.drop_retention_index(name, name),
  privacy.retention_policy_changed(), privacy.hold_changed(), privacy.subject_link_changed()
  from public;
