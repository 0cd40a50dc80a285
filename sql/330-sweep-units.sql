-- integritet: the units a retention sweep is made of. Each runs in one short transaction of
-- whoever calls privacy.sweep(), and leaves the run resumable by any worker after it:
--
--   start       fixes the run's "now" (as_of) and cutoff (as_of minus the keep period, in the
--               policy's time zone); the rows to look at are those anchored from the table's
--               watermark up to the cutoff, plus queue entries due by as_of
--   partitions  (partitioned tables under a delete policy) drops or detaches each partition whose
--               rows have all expired and may all go, instead of deleting them row by row
--   planning    cuts the expired rows into batches of ~batch_size rows, as ranges of
--               (anchor, key) read from the anchor index: cost grows with the expired rows only
--   range       one batch: one UPDATE (anonymize) or DELETE of the eligible rows in the range,
--               with a plain range predicate, then the rows kept back go to the queue
--   pending     a batch of due queue entries, looked at again
--   finish      moves the watermark to the cutoff and writes the run's counts to the ledger
--
-- Workers claim batches with FOR UPDATE SKIP LOCKED on the small sweep_batch rows, never on the
-- table's rows: they never wait for each other, a crashed worker's batch is simply free again
-- (its transaction rolled back), and the table's rows are written once. Waits for rows the
-- application holds are bounded by lock_timeout (1 ms unless privacy.sweep_lock_timeout says
-- otherwise): the batch gives way and is retried, so an application transaction is never the one
-- a deadlock or a long wait hits.
--
-- needs: 020-ledger, 300-retention-plan, 320-retention-guards

-- An earlier shape of the range batch, so that an upgraded database has one.
drop function if exists privacy.sweep_range_batch(bigint, jsonb);

-- Why invoker: pure formatting. The predicate selecting the expired rows of a run, optionally
-- within a batch (lo, hi]: `t.anchor < cutoff and t.anchor >= watermark and (anchor, key) > lo …`.
create or replace function privacy.sweep_range_sql(plan privacy.table_retention_plan, cutoff timestamptz, done_below timestamptz,
                                                   lo text[] default null, hi text[] default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_type regtype := plan.anchor_type;
  v_sql  text;
begin
  v_sql := pg_catalog.format('t.%I < %s', plan.anchor, privacy.anchor_literal(cutoff, v_type, plan.time_zone));
  if done_below is not null then
    v_sql := v_sql || pg_catalog.format(' and t.%I >= %s', plan.anchor,
                                        privacy.anchor_literal(done_below, v_type, plan.time_zone));
  end if;
  if lo is not null then
    v_sql := v_sql || pg_catalog.format(' and %s > %s', privacy.plan_order_sql(plan), privacy.plan_bound_sql(plan, lo));
  end if;
  if hi is not null then
    v_sql := v_sql || pg_catalog.format(' and %s <= %s', privacy.plan_order_sql(plan), privacy.plan_bound_sql(plan, hi));
  end if;
  return v_sql;
end
$$;
comment on function privacy.sweep_range_sql(privacy.table_retention_plan, timestamptz, timestamptz, text[], text[]) is
  'Predicate of the expired rows of a run, or of one batch of them (internal).';

-- Why invoker: pure formatting. Excludes rows queued as `late` from range batches (the queue
-- does them), so that a row is acted on once; empty when nothing is queued late.
create or replace function privacy.sweep_late_exclusion_sql(plan privacy.table_retention_plan)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if not exists (select from privacy.retention_pending p
                 where p.schema_name = plan.schema_name and p.table_name = plan.table_name and p.reason = 'late') then
    return '';
  end if;
  return pg_catalog.format(
    ' and not exists (select from privacy.retention_pending as p where p.schema_name = %L and p.table_name = %L and p.row_key = %s)',
    plan.schema_name, plan.table_name, privacy.plan_key_sql(plan));
end
$$;
comment on function privacy.sweep_late_exclusion_sql(privacy.table_retention_plan) is 'Predicate leaving rows queued late to the queue (internal).';

-- Why invoker: called by privacy.sweep (definer), in its transaction.
-- Starts a run: raises before anything is written when the table cannot be swept (PV303, PV304).
create or replace function privacy.sweep_start(plan privacy.table_retention_plan, batch_size integer)
returns bigint
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_as_of  timestamptz := pg_catalog.clock_timestamp();
  v_cutoff timestamptz;
  v_below  timestamptz;
  v_id     bigint;
  v_set    text;
begin
  perform privacy.plan_key_sql(plan);
  if plan.action = 'anonymize' then
    v_set := privacy.anonymize_set_sql(plan);
  end if;
  insert into privacy.sweep_state as s (schema_name, table_name, done_below, guard_keep)
  values (plan.schema_name, plan.table_name, null, plan.keep)
  on conflict on constraint sweep_state_pkey do nothing;
  -- A sweep changes rows, never triggers: it takes no lock stronger than the rows it changes
  -- (guards read holds as data; a new partition gets its truncate guard from the DDL event
  -- trigger or `integritet sync`, privacy.ensure_retention_guards).
  -- Two workers starting the same table at once: the second leaves it to the first rather than
  -- waiting on its uncommitted run (which would end in lock_timeout).
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('integritet.sweep_start'),
                                              pg_catalog.hashtext(plan.object)) then
    return null;
  end if;
  if exists (select from privacy.sweep_run x
             where x.schema_name = plan.schema_name and x.table_name = plan.table_name and x.phase not in ('done', 'failed')) then
    return null;
  end if;
  v_cutoff := ((v_as_of at time zone plan.time_zone) - plan.keep) at time zone plan.time_zone;
  select s.done_below into v_below from privacy.sweep_state s
  where s.schema_name = plan.schema_name and s.table_name = plan.table_name;
  insert into privacy.sweep_run (schema_name, table_name, action, phase, as_of, cutoff, done_below, batch_size, set_sql)
  values (plan.schema_name, plan.table_name, plan.action,
          case when plan.partitioned and plan.action = 'delete' and plan.expired_partitions <> 'rows'
               then 'partitions' else 'planning' end,
          v_as_of, v_cutoff, v_below, batch_size, v_set)
  on conflict do nothing
  returning id into v_id;
  return v_id;  -- NULL: another worker started one at the same moment
end
$$;
comment on function privacy.sweep_start(privacy.table_retention_plan, integer) is 'Starts a sweep run of a table (internal).';

-- Why invoker: as sweep_start. Cuts up to max_batches more batches; true when planning is done.
create or replace function privacy.sweep_plan_batches(run_id bigint, plan privacy.table_retention_plan, max_batches integer default 50)
returns boolean
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  r        privacy.sweep_run;
  v_base   text;
  v_order  text := privacy.plan_order_sql(plan);
  v_cols   text;
  v_cursor text[];
  v_next   text[];
  v_any    boolean;
  v_count  integer := 0;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_plan_batches.run_id;
  v_base := privacy.sweep_range_sql(plan, r.cutoff, r.done_below);
  select pg_catalog.string_agg(pg_catalog.format('x.%I::text', c.name), ', ' order by c.o)
  into v_cols from pg_catalog.unnest(plan.order_by) with ordinality as c(name, type, o);
  v_cursor := r.plan_after;
  -- The bounds of the next batches: from the last bound, the batch_size-th row in (anchor, key)
  -- order, again and again — each a look into the anchor index that steps over batch_size
  -- entries (OFFSET in an index-only scan, which reads less than numbering the rows with a
  -- window function over an ordered scan).
  loop
    exit when v_count >= max_batches;
    execute pg_catalog.format(
      'select array[%1$s] from (select %2$s from %3$s as t where %4$s%5$s order by %2$s offset %6$s limit 1) as x',
      v_cols, pg_catalog.substr(v_order, 2, pg_catalog.length(v_order) - 2), plan.object, v_base,
      case when v_cursor is null then ''
           else pg_catalog.format(' and %s > %s', v_order, privacy.plan_bound_sql(plan, v_cursor)) end,
      r.batch_size - 1)
      into v_next;
    exit when v_next is null;
    insert into privacy.sweep_batch (run_id, kind, lo, hi) values (r.id, 'range', v_cursor, v_next);
    v_cursor := v_next;
    v_count := v_count + 1;
  end loop;
  if v_count < max_batches then
    -- The rest, fewer than batch_size rows, if any. Asked in (anchor, key) order with a limit, so
    -- that it is a look into the anchor index: after the batches' deletes, the statistics can
    -- make a bare EXISTS a sequential scan of the whole table.
    execute pg_catalog.format('select exists (select from (select from %s as t where %s%s order by %s limit 1) as x)',
                              plan.object, v_base,
                              case when v_cursor is null then ''
                                   else pg_catalog.format(' and %s > %s', v_order, privacy.plan_bound_sql(plan, v_cursor)) end,
                              pg_catalog.substr(v_order, 2, pg_catalog.length(v_order) - 2))
      into v_any;
    if v_any then
      insert into privacy.sweep_batch (run_id, kind, lo, hi) values (r.id, 'range', v_cursor, null);
    end if;
    update privacy.sweep_run x set phase = 'batches', plan_after = null where x.id = r.id;
    return true;
  end if;
  update privacy.sweep_run x set plan_after = v_cursor where x.id = r.id;
  return false;
end
$$;
comment on function privacy.sweep_plan_batches(bigint, privacy.table_retention_plan, integer) is 'Cuts the expired rows of a run into batches (internal).';

-- Why invoker: reads the catalog. Whether a delete batch of the table may first be tried without
-- looking up, row by row, the tables that reference it (privacy.sweep_delete_unprobed): true only
-- when a refused attempt, undone by its savepoint, leaves nothing anyone could see. So every
-- foreign key referencing the table (or a partition of it) must be ON DELETE NO ACTION or
-- RESTRICT (no cascade writes elsewhere) and not deferrable (a deferred check would refuse only at
-- commit, the whole transaction), and none may come from the table itself (a row referenced only
-- by a row of the same batch would go with it, where the probed delete keeps it back); the table
-- may have no delete trigger but the toolkit's guards (whose conditions are false for the
-- sweep's own deletes) and no delete rule.
create or replace function privacy.sweep_may_skip_probe(relid oid)
returns boolean
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_tree oid[] := array[sweep_may_skip_probe.relid]
                  || array(select p.relid from pg_catalog.pg_partition_tree(sweep_may_skip_probe.relid) p);
begin
  return not exists (select from pg_catalog.pg_constraint k
                     where k.contype = 'f' and k.confrelid = any (v_tree)
                       and (k.confdeltype not in ('a', 'r') or k.condeferrable or k.conrelid = any (v_tree)))
    and not exists (select from pg_catalog.pg_trigger g
                    where g.tgrelid = any (v_tree) and not g.tgisinternal
                      and (g.tgtype::integer & 8) <> 0  -- TRIGGER_TYPE_DELETE
                      and g.tgfoid <> 'privacy.retention_guard_delete()'::regprocedure)
    and not exists (select from pg_catalog.pg_rewrite w where w.ev_class = any (v_tree) and w.ev_type = '4');
end
$$;
comment on function privacy.sweep_may_skip_probe(oid) is
  'Whether a sweep may first try a delete batch of the table without looking up its references (internal).';

-- Why invoker: as sweep_start. Sweeps a batch range with one statement: the UPDATE (set_sql
-- given) or DELETE of the eligible rows and, when a row can be kept back, the listing and queueing
-- (privacy.retention_pending) of those kept back, all under the statement's one snapshot. (Listed
-- by a statement after the DELETE, a row of a table referencing itself, kept back for a row the
-- DELETE took, looked eligible, was never queued, and stayed below the watermark for good.)
-- Unprobed: references are not looked up (privacy.sweep_delete_unprobed). Returns the rows acted
-- on and {reason: rows kept back}.
create or replace function privacy.sweep_act(plan privacy.table_retention_plan, preds privacy.retention_predicates, probed boolean, set_sql text, range_sql text,
                                             late_sql text, out acted bigint, out blocked jsonb)
returns record
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  v_eligible text := case when probed then preds.eligible
                          else pg_catalog.format('(%s and not %s)', preds.min_ok, preds.held) end;
  v_act text;
begin
  v_act := case when set_sql is null
             then pg_catalog.format('delete from %s as t where %s and %s and %s%s', plan.object,
                                    range_sql, preds.governed, v_eligible, late_sql)
             else pg_catalog.format('update %s as t set %s where %s and %s and %s%s', plan.object,
                                    set_sql, range_sql, preds.governed, v_eligible, late_sql) end;
  if not (case when probed then preds.can_block
               else preds.min_ok <> 'true' or preds.held <> 'false' end) then
    execute v_act;
    get diagnostics acted = row_count;
    blocked := '{}'::jsonb;
    return;
  end if;
  execute pg_catalog.format(
    'with acted as (%s returning 1), '
    'kept as (select %s as k, %s as reason, %s as hold_id, %s as recheck from %s as t %s where %s and %s and not %s%s), '
    'queued as (insert into privacy.retention_pending (schema_name, table_name, row_key, reason, hold_id, recheck_at) '
    '           select %L, %L, kept.k, kept.reason, kept.hold_id, kept.recheck from kept on conflict do nothing) '
    'select (select pg_catalog.count(*) from acted), '
    '       (select coalesce(pg_catalog.jsonb_object_agg(x.reason, x.n), ''{}'') '
    '        from (select kept.reason, pg_catalog.count(*) as n from kept group by kept.reason) as x)',
    v_act, privacy.plan_key_sql(plan), preds.reason, preds.hold_id, preds.recheck_at, plan.object,
    preds.hold_join, range_sql, preds.governed, v_eligible, late_sql, plan.schema_name, plan.table_name)
    into acted, blocked;
end
$$;
comment on function privacy.sweep_act(privacy.table_retention_plan, privacy.retention_predicates, boolean, text, text, text) is
  'Sweeps a batch range and queues the rows it keeps back, in one statement (internal).';

-- Why invoker: as sweep_start. A delete batch of a referenced table tried without looking up the
-- referencing tables for each row (a hand-written DELETE does not; the foreign keys check the
-- deleted rows anyway), inside a savepoint: when a reference refuses it (or a referencing row is
-- locked, which the probed delete would not have waited for), it is undone and acted is NULL, so
-- that the caller deletes the batch with the references looked up. Only where
-- privacy.sweep_may_skip_probe says the undone attempt leaves no trace.
create or replace function privacy.sweep_delete_unprobed(plan privacy.table_retention_plan, preds privacy.retention_predicates, range_sql text, late_sql text,
                                                         out acted bigint, out blocked jsonb)
returns record
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
begin
  select x.acted, x.blocked into acted, blocked from privacy.sweep_act(plan, preds, false, null, range_sql, late_sql) x;
-- A RESTRICT key refuses with restrict_violation (23001) from PostgreSQL 18 on, foreign_key_violation before.
exception when foreign_key_violation or restrict_violation or lock_not_available then
  acted := null;
  blocked := null;
end
$$;
comment on function privacy.sweep_delete_unprobed(privacy.table_retention_plan, privacy.retention_predicates, text, text) is
  'Deletes a batch range without looking up references first; NULL when a reference refused it (internal).';

-- Why invoker: as sweep_start. Does a chain of consecutive range batches (each one's lower bound
-- is the previous one's upper bound), whose rows the caller has locked, with one statement; the
-- counts go to the first batch of the chain.
create or replace function privacy.sweep_range_batches(batch_ids bigint[], plan privacy.table_retention_plan)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  first    privacy.sweep_batch;
  last     privacy.sweep_batch;
  r        privacy.sweep_run;
  preds    privacy.retention_predicates;
  v_range  text;
  v_late   text := privacy.sweep_late_exclusion_sql(plan);
  v_acted  bigint;
  v_blocked jsonb;
  v_t0     timestamptz;
begin
  select * into first from privacy.sweep_batch x where x.id = batch_ids[1];
  select * into last from privacy.sweep_batch x where x.id = batch_ids[pg_catalog.cardinality(batch_ids)];
  select * into r from privacy.sweep_run x where x.id = first.run_id;
  preds := privacy.plan_predicates(plan, r.as_of);
  v_range := privacy.sweep_range_sql(plan, r.cutoff, r.done_below, first.lo, last.hi);
  v_t0 := pg_catalog.clock_timestamp();
  if r.action = 'delete' and pg_catalog.cardinality(plan.referenced_by) > 0 and privacy.sweep_may_skip_probe(plan.relid) then
    select u.acted, u.blocked into v_acted, v_blocked from privacy.sweep_delete_unprobed(plan, preds, v_range, v_late) u;
  end if;
  if v_acted is null then
    select x.acted, x.blocked into v_acted, v_blocked
    from privacy.sweep_act(plan, preds, true,
                           case when r.action = 'anonymize' then coalesce(r.set_sql, privacy.anonymize_set_sql(plan)) end,
                           v_range, v_late) x;
  end if;
  update privacy.sweep_batch x
  set state = 'done', attempts = x.attempts + 1,
      acted = case when x.id = first.id then v_acted else 0 end,
      blocked = case when x.id = first.id then v_blocked else '{}' end,
      locked_ms = pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - v_t0) * 1000,
      finished_at = pg_catalog.clock_timestamp(), error = null
  where x.id = any (batch_ids);
end
$$;
comment on function privacy.sweep_range_batches(bigint[], privacy.table_retention_plan) is 'Sweeps a chain of consecutive range batches of a run (internal).';

-- Why invoker: as sweep_start. Looks again at up to batch_size due queue entries (claimed with
-- SKIP LOCKED): acts on rows that may now go, re-queues rows still kept back with their new
-- reason and recheck time, forgets the rest (gone, or no longer expired: a later range does
-- them). Returns the number of entries claimed (0: none left to claim).
create or replace function privacy.sweep_pending_batch(run_id bigint, plan privacy.table_retention_plan)
returns bigint
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  r        privacy.sweep_run;
  preds    privacy.retention_predicates;
  v_keys   text;
  v_join   text;
  v_expired text;
  v_claimed bigint;
  v_acted  bigint;
  v_blocked jsonb;
  v_t0     timestamptz := pg_catalog.clock_timestamp();
begin
  select * into r from privacy.sweep_run x where x.id = sweep_pending_batch.run_id;
  preds := privacy.plan_predicates(plan, r.as_of);
  perform privacy.plan_key_sql(plan);
  select pg_catalog.string_agg(pg_catalog.format('(c.row_key[%s])::%s as %I', x.o, x.type, 'k' || x.o), ', ' order by x.o),
         pg_catalog.string_agg(pg_catalog.format('t.%I = k.%I', x.name, 'k' || x.o), ' and ' order by x.o)
  into v_keys, v_join
  from pg_catalog.unnest(plan.key) with ordinality as x(name, type, o);
  v_expired := privacy.sweep_range_sql(plan, r.cutoff, null);

  execute pg_catalog.format(
    'with claimed as ('
    '  select p.row_key from privacy.retention_pending as p'
    '  where p.schema_name = %1$L and p.table_name = %2$L and p.recheck_at <= %3$L::timestamptz'
    '  order by p.recheck_at limit %4$s for update skip locked), '
    'k as (select c.row_key, %5$s from claimed as c), '
    'acted as (%6$s), '
    'blocked as (select k.row_key, %7$s as reason, %8$s as hold_id, %9$s as recheck from %10$s as t join k on %11$s %12$s '
    '            where %13$s and %14$s and not %15$s), '
    'requeued as (update privacy.retention_pending as p set reason = b.reason, hold_id = b.hold_id, recheck_at = b.recheck '
    '             from blocked as b where p.schema_name = %1$L and p.table_name = %2$L and p.row_key = b.row_key returning 1), '
    'forgotten as (delete from privacy.retention_pending as p using claimed as c '
    '              where p.schema_name = %1$L and p.table_name = %2$L and p.row_key = c.row_key '
    '                and not exists (select from blocked as b where b.row_key = c.row_key) returning 1) '
    'select (select pg_catalog.count(*) from claimed), (select pg_catalog.count(*) from acted), '
    '       (select coalesce(pg_catalog.jsonb_object_agg(x.reason, x.n), ''{}'') '
    '        from (select b.reason, pg_catalog.count(*) as n from blocked as b group by b.reason) as x), '
    '       (select pg_catalog.count(*) from requeued) + (select pg_catalog.count(*) from forgotten)',
    r.schema_name, r.table_name, r.as_of, r.batch_size, v_keys,
    case when r.action = 'anonymize'
      then pg_catalog.format('update %s as t set %s from k where %s and %s and %s and %s returning k.row_key',
                             plan.object, coalesce(r.set_sql, privacy.anonymize_set_sql(plan)), v_join, v_expired,
                             preds.governed, preds.eligible)
      else pg_catalog.format('delete from %s as t using k where %s and %s and %s and %s returning k.row_key',
                             plan.object, v_join, v_expired, preds.governed, preds.eligible)
    end,
    preds.reason, preds.hold_id, preds.recheck_at, plan.object, v_join, preds.hold_join,
    v_expired, preds.governed, preds.eligible)
    into v_claimed, v_acted, v_blocked;
  if v_claimed > 0 then
    insert into privacy.sweep_batch (run_id, kind, state, attempts, acted, blocked, locked_ms, finished_at)
    values (r.id, 'pending', 'done', 1, v_acted, v_blocked,
            pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - v_t0) * 1000, pg_catalog.clock_timestamp());
  end if;
  return v_claimed;
end
$$;
comment on function privacy.sweep_pending_batch(bigint, privacy.table_retention_plan) is 'Looks again at a batch of due queue entries of a run (internal).';

-- Why invoker: as sweep_start. Retires the partitions of a partitioned table under a delete
-- policy whose rows have all expired and may all go: each partition is first locked against
-- writes (SHARE, within lock_timeout) and checked, then dropped or detached (which briefly
-- needs an exclusive lock on its parent, again within lock_timeout; a busy one waits for the next
-- run). The default partition is never retired: it must keep catching rows.
create or replace function privacy.sweep_partitions(run_id bigint, plan privacy.table_retention_plan)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  r        privacy.sweep_run;
  preds    privacy.retention_predicates;
  p        record;
  v_cut    text;
  v_rows   bigint;
  v_ok     boolean;
  v_mode   text := plan.expired_partitions;
  v_name   text;
  v_done   jsonb := '[]'::jsonb;
  v_busy   integer := 0;
  v_total  bigint := 0;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_partitions.run_id;
  preds := privacy.plan_predicates(plan, r.as_of);
  v_cut := privacy.anchor_literal(r.cutoff, plan.anchor_type, plan.time_zone);
  -- Those the runner detached concurrently and retired since the last run are this run's too
  -- (sql/336-partition-detach.sql); those handed to it and not yet retired are left to it.
  for p in
    delete from privacy.partition_retirement x
    where x.schema_name = r.schema_name and x.table_name = r.table_name and x.retired_at is not null
    returning pg_catalog.format('%I.%I', x.partition_schema, x.partition_name) as name, x.row_count
  loop
    v_done := v_done || pg_catalog.jsonb_build_object('partition', p.name, 'rows', p.row_count);
    v_total := v_total + p.row_count;
  end loop;
  for p in
    select t.relid::regclass as leaf, t.parentrelid::regclass as parent
    from pg_catalog.pg_partition_tree(plan.relid) t
    join pg_catalog.pg_class c on c.oid = t.relid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where t.isleaf and t.relid <> plan.relid
      and pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
      and not exists (select from privacy.partition_retirement x
                      where (x.partition_schema, x.partition_name) = (n.nspname, c.relname))
    order by 1
  loop
    -- Cheap test first, through the anchor index: a row not yet expired (or without an anchor)?
    execute pg_catalog.format('select not exists (select from %s as t where t.%I >= %s or t.%I is null)',
                              p.leaf, plan.anchor, v_cut, plan.anchor) into v_ok;
    continue when not v_ok;
    begin
      execute pg_catalog.format('lock table %s in share mode', p.leaf);
      execute pg_catalog.format(
        'select not exists (select from %1$s as t where t.%2$I >= %3$s or t.%2$I is null or not (%4$s and %5$s)), '
        '(select pg_catalog.count(*) from %1$s)',
        p.leaf, plan.anchor, v_cut, preds.governed, preds.eligible) into v_ok, v_rows;
      if v_ok and v_rows > 0 then
        -- Its name while it still exists: a dropped table's regclass prints as a bare OID.
        v_name := p.leaf::text;
        if v_mode = 'detach' then
          execute pg_catalog.format('alter table %s detach partition %s', p.parent, p.leaf);
        else
          execute pg_catalog.format('drop table %s', p.leaf);
        end if;
        v_done := v_done || pg_catalog.jsonb_build_object('partition', v_name, 'rows', v_rows);
        v_total := v_total + v_rows;
        perform privacy.record('sweep.partition.' || v_mode, plan.object,
                               pg_catalog.jsonb_build_object('run', r.id, 'partition', v_name, 'rows', v_rows));
      end if;
    exception when lock_not_available or deadlock_detected or object_in_use
                or dependent_objects_still_exist or foreign_key_violation then
      -- Busy, or still referenced from elsewhere: left for a later run (rows may still go one by one).
      v_busy := v_busy + 1;
    end;
  end loop;
  insert into privacy.sweep_batch (run_id, kind, state, attempts, acted, partitions, finished_at)
  values (r.id, 'partitions', 'done', 1, v_total,
          pg_catalog.jsonb_build_object(case v_mode when 'detach' then 'detached' else 'dropped' end, v_done, 'busy', v_busy),
          pg_catalog.clock_timestamp());
  update privacy.sweep_run x set phase = 'planning' where x.id = r.id;
end
$$;
comment on function privacy.sweep_partitions(bigint, privacy.table_retention_plan) is 'Drops or detaches the fully expired partitions of a run''s table (internal).';

-- Why invoker: as sweep_start. Ends a run whose units are all done: moves the watermark to the
-- cutoff (unless a batch failed: the next run then covers the same rows again) and writes the
-- run's counts, never values, to the ledger.
create or replace function privacy.sweep_finish(run_id bigint)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r         privacy.sweep_run;
  v_acted   bigint;
  v_failed  bigint;
  v_batches bigint;
  v_longest double precision;
  v_blocked jsonb;
  v_parts   jsonb;
  v_errors  text;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_finish.run_id;
  select coalesce(pg_catalog.sum(b.acted) filter (where b.kind <> 'partitions'), 0), pg_catalog.count(*) filter (where b.state = 'failed'),
         pg_catalog.count(*) filter (where b.kind <> 'partitions'), pg_catalog.max(b.locked_ms),
         pg_catalog.string_agg(distinct b.error, '; ')
  into v_acted, v_failed, v_batches, v_longest, v_errors
  from privacy.sweep_batch b where b.run_id = r.id;
  select coalesce(pg_catalog.jsonb_object_agg(x.reason, x.n), '{}') into v_blocked
  from (select e.key as reason, pg_catalog.sum(e.value::bigint) as n
        from privacy.sweep_batch b, pg_catalog.jsonb_each_text(b.blocked) e
        where b.run_id = r.id group by e.key) x;
  select coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}') into v_parts
  from privacy.sweep_batch b, pg_catalog.jsonb_each(b.partitions) e
  where b.run_id = r.id and b.kind = 'partitions';
  if v_failed = 0 then
    update privacy.sweep_state s
    set done_below = greatest(coalesce(s.done_below, r.cutoff), r.cutoff)
    where s.schema_name = r.schema_name and s.table_name = r.table_name;
  end if;
  update privacy.sweep_run x
  set phase = case when v_failed = 0 then 'done' else 'failed' end, finished_at = pg_catalog.clock_timestamp(),
      error = case when v_failed > 0 then pg_catalog.format('%s batches failed: %s', v_failed, v_errors) end
  where x.id = r.id;
  perform privacy.record(case when v_failed = 0 then 'sweep' else 'sweep.failed' end,
    pg_catalog.format('%I.%I', r.schema_name, r.table_name),
    pg_catalog.jsonb_build_object(
      'run', r.id, 'action', r.action, 'as_of', r.as_of, 'cutoff', r.cutoff,
      case r.action when 'anonymize' then 'anonymized' else 'deleted' end, v_acted,
      'kept', v_blocked, 'partitions', v_parts, 'batches', v_batches, 'failed_batches', v_failed,
      'longest_batch_ms', pg_catalog.round(coalesce(v_longest, 0)::numeric, 1)));
  -- Runs are the sweep's working state, not the audit trail (the ledger is): keep a month.
  delete from privacy.sweep_run x
  where x.schema_name = r.schema_name and x.table_name = r.table_name and x.phase in ('done', 'failed')
    and x.finished_at < pg_catalog.now() - interval '30 days';
end
$$;
comment on function privacy.sweep_finish(bigint) is 'Ends a sweep run: watermark, ledger entry (internal).';

revoke execute on function privacy.sweep_range_sql(privacy.table_retention_plan, timestamptz, timestamptz, text[], text[]),
  privacy.sweep_late_exclusion_sql(privacy.table_retention_plan), privacy.sweep_start(privacy.table_retention_plan, integer),
  privacy.sweep_plan_batches(bigint, privacy.table_retention_plan, integer), privacy.sweep_may_skip_probe(oid),
  privacy.sweep_act(privacy.table_retention_plan, privacy.retention_predicates, boolean, text, text, text),
  privacy.sweep_delete_unprobed(privacy.table_retention_plan, privacy.retention_predicates, text, text),
  privacy.sweep_range_batches(bigint[], privacy.table_retention_plan),
  privacy.sweep_pending_batch(bigint, privacy.table_retention_plan), privacy.sweep_partitions(bigint, privacy.table_retention_plan), privacy.sweep_finish(bigint)
  from public;
