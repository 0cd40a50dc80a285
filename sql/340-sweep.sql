-- integritet: retention sweeps — privacy.sweep(), its dry run, and what the worker reads.
--
--   select * from privacy.sweep('position', dry_run => true);   -- counts per action and reason
--   select * from privacy.sweep('position');                    -- one batch, in this transaction
--   call privacy.sweep_all();                                   -- everything, committing per batch
--
-- privacy.sweep() does at most max_batches units of work per table in the caller's transaction
-- and returns what it did; callers (the worker, `integritet sweep`, sweep_all) call it again in
-- new transactions until run_state is 'done', so that no batch's row locks outlive its call. A
-- unit that finds its first batch quick takes the next ones too (consecutive ones as a single
-- statement) while the time spent stays within lock_budget (default 200 ms): row locks are held
-- for about that long at most (or one batch, if a batch alone takes longer), and cheap deletes
-- do not pay a statement and a commit for every 10 000 rows. Several callers at once share a
-- run's batches. A call never changes a row that a statutory minimum or a hold in force keeps,
-- and writes counts, never values, to the ledger (one entry per table and run).
--
-- Its throughput against one hand-written UPDATE or DELETE, the longest lock a batch holds, and
-- how the time grows with the table are measured by bench/sweep.ts: the figures are in
-- bench/results/sweep.json and bench/results/summary.md, not here.
--
-- needs: 010-names, 070-retention, 300-retention-plan, 330-sweep-units, 335-expired-partitions

-- Earlier shapes of these functions, so that an upgraded database has one of each.
drop function if exists privacy.sweep(text, boolean, integer, integer, timestamptz);
drop function if exists privacy.sweep_unit(name, name, integer, timestamptz);

-- Why invoker: called by privacy.sweep_unit. Starts a run of the table's sweep when none is in
-- progress and none started at or after not_before, and does its first step (the expired
-- partitions, or the first batch bounds); returns what sweep_unit returns.
create or replace function privacy.sweep_unit_begin(schema_name name, table_name name, plan privacy.table_retention_plan, batch_size integer,
                                                    not_before timestamptz)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r    privacy.sweep_run;
  v_id bigint;
begin
  select * into r from privacy.sweep_run x
  where x.schema_name = sweep_unit_begin.schema_name and x.table_name = sweep_unit_begin.table_name
    and x.started_at >= coalesce(sweep_unit_begin.not_before, 'infinity')
  order by x.id desc limit 1;
  if r.id is not null then
    return pg_catalog.jsonb_build_object('did', false, 'run', r.id, 'phase', r.phase);
  end if;
  v_id := privacy.sweep_start(plan, batch_size);
  if v_id is null then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'phase', 'planning');
  end if;
  select * into r from privacy.sweep_run x where x.id = v_id;
  if r.phase = 'planning' then
    perform privacy.sweep_plan_batches(r.id, plan);
  else
    perform privacy.sweep_partitions(r.id, plan);
  end if;
  select * into r from privacy.sweep_run x where x.id = v_id;
  return pg_catalog.jsonb_build_object('did', true, 'run', r.id, 'phase', r.phase, 'acted', 0,
    'partitions', coalesce((select pg_catalog.sum(y.acted) from privacy.sweep_batch y where y.run_id = r.id and y.kind = 'partitions'), 0));
end
$$;
comment on function privacy.sweep_unit_begin(name, name, privacy.table_retention_plan, integer, timestamptz) is
  'Starts a run of a table''s sweep and does its first step, or says why not (internal).';

-- Why invoker: called by privacy.sweep_unit. The run's 'partitions' phase: drops or detaches the
-- expired partitions, unless another caller is doing so.
create or replace function privacy.sweep_unit_partitions(run_id bigint, plan privacy.table_retention_plan)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.sweep_run;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_unit_partitions.run_id;
  perform from privacy.sweep_run x where x.id = r.id and x.phase = 'partitions' for update skip locked;
  if not found then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end if;
  perform privacy.sweep_partitions(r.id, plan);
  return pg_catalog.jsonb_build_object('did', true, 'run', r.id, 'phase', 'planning', 'acted', 0,
    'partitions', (select pg_catalog.sum(y.acted) from privacy.sweep_batch y where y.run_id = r.id and y.kind = 'partitions'));
end
$$;
comment on function privacy.sweep_unit_partitions(bigint, privacy.table_retention_plan) is
  'The partitions phase of a sweep run: one step (internal).';

-- Why invoker: called by privacy.sweep_unit. The run's 'planning' and 'batches' phases: takes the
-- next range batches (several to a transaction while within lock_budget), or cuts more batch
-- bounds. Returns NULL once every batch is done and the run has moved on to 'pending'.
create or replace function privacy.sweep_unit_batches(run_id bigint, plan privacy.table_retention_plan, lock_budget interval)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r       privacy.sweep_run;
  b       privacy.sweep_batch;
  v_n     bigint;
  v_state text;
  v_column text;
  v_started timestamptz;
  v_batch_started timestamptz;
  v_kept  jsonb;
  v_more  jsonb;
  v_acted bigint;
  v_result text;
  v_ids   bigint[];
  v_next  bigint;
  v_hi    text[];
  v_per_batch double precision;
  v_room  integer;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_unit_batches.run_id;
  select * into b from privacy.sweep_batch x
  where x.run_id = r.id and x.kind = 'range' and x.state = 'todo'
  order by x.attempts, x.id limit 1 for update skip locked;
  if b.id is not null then
    -- Quick batches are taken several to a transaction, and consecutive ones as one statement,
    -- as long as the row locks they hold stay within lock_budget (judged by the first batch):
    -- cheap deletes need not pay a statement and a transaction for every 10 000 rows.
    v_started := pg_catalog.clock_timestamp();
    v_kept := '{}';
    v_acted := 0;
    v_ids := array[b.id];
    loop
      v_batch_started := pg_catalog.clock_timestamp();
      begin
        perform privacy.sweep_range_batches(v_ids, plan);
        select coalesce(pg_catalog.sum(x.acted), 0) into v_n from privacy.sweep_batch x where x.id = any (v_ids);
        select x.blocked into v_more from privacy.sweep_batch x where x.id = v_ids[1];
        v_acted := v_acted + v_n;
        select coalesce(pg_catalog.jsonb_object_agg(k.key, k.n), '{}') into v_kept
        from (select e.key, pg_catalog.sum(e.value::bigint) as n
              from (select * from pg_catalog.jsonb_each_text(v_kept) union all select * from pg_catalog.jsonb_each_text(v_more)) e
              group by e.key) k;
      exception
        when lock_not_available or deadlock_detected or serialization_failure then
          -- The application holds some of these rows: give way, retry the batches later.
          update privacy.sweep_batch x set attempts = x.attempts + 1,
                 state = case when x.attempts + 1 >= 10 then 'failed' else 'todo' end,
                 error = case when x.attempts + 1 >= 10 then sqlstate || ': rows stayed locked by other transactions' end
          where x.id = any (v_ids);
          v_result := 'retry';
          exit;
        when others then
          -- The message may quote a value (e.g. of a violated constraint): only the SQLSTATE and
          -- the constraint's name (or the column a NOT NULL names) are kept.
          get stacked diagnostics v_state = constraint_name, v_column = column_name;
          update privacy.sweep_batch x set state = 'failed', attempts = x.attempts + 1,
                 error = sqlstate || coalesce(' (' || coalesce(nullif(v_state, ''), 'column ' || nullif(v_column, '')) || ')', '')
          where x.id = any (v_ids);
          v_result := 'failed';
          exit;
      end;
      v_per_batch := pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - v_batch_started)
                     / pg_catalog.cardinality(v_ids);
      v_room := pg_catalog.floor(pg_catalog.date_part('epoch', lock_budget - (pg_catalog.clock_timestamp() - v_started))
                                 / greatest(v_per_batch, 0.0001))::integer;
      exit when v_room < 1;
      -- The next todo batches, the first one and those that continue it without a gap.
      select * into b from privacy.sweep_batch x
      where x.run_id = r.id and x.kind = 'range' and x.state = 'todo'
      order by x.attempts, x.id limit 1 for update skip locked;
      exit when b.id is null;
      v_ids := array[b.id];
      v_hi := b.hi;
      while pg_catalog.cardinality(v_ids) < least(v_room, 100) and v_hi is not null loop
        select x.id, x.hi into v_next, v_hi from privacy.sweep_batch x
        where x.run_id = r.id and x.kind = 'range' and x.state = 'todo' and x.lo = v_hi
        for update skip locked;
        exit when v_next is null;
        v_ids := v_ids || v_next;
        v_next := null;
      end loop;
    end loop;
    return pg_catalog.jsonb_build_object('did', true, 'run', r.id, 'phase', r.phase, 'acted', v_acted, 'kept', v_kept,
                                         'outcome', v_result);
  end if;
  if r.phase = 'planning' then
    perform from privacy.sweep_run x where x.id = r.id and x.phase = 'planning' for update skip locked;
    if not found then
      return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
    end if;
    perform privacy.sweep_plan_batches(r.id, plan);
    return pg_catalog.jsonb_build_object('did', true, 'run', r.id,
      'phase', (select x.phase from privacy.sweep_run x where x.id = r.id), 'acted', 0);
  end if;
  if exists (select from privacy.sweep_batch x where x.run_id = r.id and x.kind = 'range' and x.state = 'todo') then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end if;
  perform from privacy.sweep_run x where x.id = r.id and x.phase = 'batches' for update skip locked;
  if not found then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end if;
  update privacy.sweep_run x set phase = 'pending' where x.id = r.id;
  return null;
end
$$;
comment on function privacy.sweep_unit_batches(bigint, privacy.table_retention_plan, interval) is
  'The planning and batches phases of a sweep run: one step, or NULL once they are over (internal).';

-- Why invoker: called by privacy.sweep_unit. The run's 'pending' phase: the rows the queue says
-- are due again (privacy.retention_pending), then the end of the run.
create or replace function privacy.sweep_unit_pending(run_id bigint, plan privacy.table_retention_plan)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r   privacy.sweep_run;
  b   privacy.sweep_batch;
  v_n bigint;
begin
  select * into r from privacy.sweep_run x where x.id = sweep_unit_pending.run_id;
  begin
    v_n := privacy.sweep_pending_batch(r.id, plan);
  exception when lock_not_available or deadlock_detected or serialization_failure then
    -- An application transaction holds one of these rows (or writes the queue): later.
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end;
  if v_n > 0 then
    select * into b from privacy.sweep_batch x where x.run_id = r.id and x.kind = 'pending' order by x.id desc limit 1;
    return pg_catalog.jsonb_build_object('did', true, 'run', r.id, 'phase', r.phase, 'acted', b.acted, 'kept', b.blocked);
  end if;
  if exists (select from privacy.retention_pending p
             where p.schema_name = r.schema_name and p.table_name = r.table_name and p.recheck_at <= r.as_of) then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end if;
  perform from privacy.sweep_run x where x.id = r.id and x.phase = 'pending' for update skip locked;
  if not found then
    return pg_catalog.jsonb_build_object('did', false, 'busy', true, 'run', r.id, 'phase', r.phase);
  end if;
  perform privacy.sweep_finish(r.id);
  return pg_catalog.jsonb_build_object('did', true, 'run', r.id,
    'phase', (select x.phase from privacy.sweep_run x where x.id = r.id), 'acted', 0);
end
$$;
comment on function privacy.sweep_unit_pending(bigint, privacy.table_retention_plan) is
  'The pending phase of a sweep run: one step, then the end of the run (internal).';

-- Why invoker: called by privacy.sweep (definer). One unit of work on one table; returns what it
-- did: {did, busy, run, phase, acted, kept: {reason: rows}, partitions: rows}. The run goes through
-- its phases, one function each: begin, partitions, planning and batches, pending.
create or replace function privacy.sweep_unit(schema_name name, table_name name, batch_size integer,
                                              not_before timestamptz, lock_budget interval)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan     privacy.table_retention_plan := privacy.retention_plan(sweep_unit.schema_name, sweep_unit.table_name);
  r        privacy.sweep_run;
  v_result jsonb;
begin
  select * into r from privacy.sweep_run x
  where x.schema_name = sweep_unit.schema_name and x.table_name = sweep_unit.table_name and x.phase not in ('done', 'failed');
  if r.id is null then
    return privacy.sweep_unit_begin(sweep_unit.schema_name, sweep_unit.table_name, plan, sweep_unit.batch_size,
                                    sweep_unit.not_before);
  end if;
  if r.phase = 'partitions' then
    return privacy.sweep_unit_partitions(r.id, plan);
  end if;
  if r.phase in ('planning', 'batches') then
    v_result := privacy.sweep_unit_batches(r.id, plan, sweep_unit.lock_budget);
    if v_result is not null then
      return v_result;
    end if;
  end if;
  return privacy.sweep_unit_pending(r.id, plan);
end
$$;
comment on function privacy.sweep_unit(name, name, integer, timestamptz, interval) is 'Does one unit of a table''s sweep (internal).';

-- Why invoker: called by privacy.sweep (definer). What a sweep of the table would do now, without
-- doing it: rows per action and, for rows kept back, per reason. Reads only the expired rows.
create or replace function privacy.sweep_preview(schema_name name, table_name name)
returns table (action text, blocked_by text, row_count bigint)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  plan     privacy.table_retention_plan := privacy.retention_plan(sweep_preview.schema_name, sweep_preview.table_name);
  preds    privacy.retention_predicates;
  v_as_of  timestamptz := pg_catalog.clock_timestamp();
  v_cutoff timestamptz;
  v_below  timestamptz;
  v_retired oid[] := '{}'::oid[];
  v_keys   text;
  v_join   text;
  p        record;
begin
  perform privacy.plan_key_sql(plan);
  if plan.action = 'anonymize' then
    perform privacy.anonymize_set_sql(plan);
  end if;
  preds := privacy.plan_predicates(plan, v_as_of);
  v_cutoff := ((v_as_of at time zone plan.time_zone) - plan.keep) at time zone plan.time_zone;
  select s.done_below into v_below from privacy.sweep_state s
  where s.schema_name = sweep_preview.schema_name and s.table_name = sweep_preview.table_name;

  for p in select * from privacy.expired_partitions(plan, v_as_of) loop
    v_retired := v_retired || p.partition_name::oid;
    action := case plan.expired_partitions when 'detach' then 'detach_partition' else 'drop_partition' end;
    blocked_by := null;
    row_count := p.row_count;
    return next;
  end loop;

  return query execute pg_catalog.format(
    'select %1$L::text, x.reason, pg_catalog.count(*) from ('
    '  select case when %2$s then null else %3$s end as reason from %4$s as t %5$s'
    '  where %6$s and %7$s and t.tableoid <> all (%8$L::oid[])%9$s) as x '
    'group by x.reason order by x.reason nulls first',
    plan.action, preds.eligible, preds.reason, plan.object, preds.hold_join,
    privacy.sweep_range_sql(plan, v_cutoff, v_below), preds.governed, v_retired,
    privacy.sweep_late_exclusion_sql(plan));

  select pg_catalog.string_agg(pg_catalog.format('(p.row_key[%s])::%s as %I', x.o, x.type, 'k' || x.o), ', ' order by x.o),
         pg_catalog.string_agg(pg_catalog.format('t.%I = k.%I', x.name, 'k' || x.o), ' and ' order by x.o)
  into v_keys, v_join
  from pg_catalog.unnest(plan.key) with ordinality as x(name, type, o);
  return query execute pg_catalog.format(
    'select %1$L::text, x.reason, pg_catalog.count(*) from ('
    '  select case when %2$s then null else %3$s end as reason'
    '  from (select %4$s from privacy.retention_pending as p'
    '        where p.schema_name = %5$L and p.table_name = %6$L and p.recheck_at <= %7$L::timestamptz) as k'
    '  join %8$s as t on %9$s %10$s where %11$s and %12$s) as x '
    'group by x.reason order by x.reason nulls first',
    plan.action, preds.eligible, preds.reason, v_keys, sweep_preview.schema_name, sweep_preview.table_name,
    v_as_of, plan.object, v_join, preds.hold_join, privacy.sweep_range_sql(plan, v_cutoff, null), preds.governed);
end
$$;
comment on function privacy.sweep_preview(name, name) is 'Dry run of a table''s sweep: rows per action and reason (internal).';

-- Why definer: privacy_sweeper members run sweeps without any privilege on the tables swept,
-- the catalog or the queue. Fixed settings make generated SQL read back values as written;
-- row_security off makes a table that RLS would hide from the owner an error, never a silent
-- partial sweep.
create or replace function privacy.sweep(
  table_name text default null,
  dry_run boolean default false,
  max_batches integer default 1,
  batch_size integer default 10000,
  not_before timestamptz default null,
  lock_budget interval default '200 milliseconds'
)
returns table (relation text, action text, blocked_by text, row_count bigint, run_id bigint, run_state text,
               batches_done integer, batches_total integer)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set row_security = off
as $$
declare
  t        record;
  v_schema name;
  v_table  name;
  v_step   jsonb;
  v_units  integer;
  v_counts jsonb;
  v_run    bigint;
  v_state  text;
  v_key    text;
  v_n      bigint;
begin
  if sweep.max_batches is not null and sweep.max_batches < 1 then
    raise exception using errcode = 'PV011', message = pg_catalog.format('max_batches must be at least 1, not %s', sweep.max_batches);
  end if;
  if sweep.batch_size is null or sweep.batch_size not between 10 and 1000000 then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('batch_size must be between 10 and 1000000, not %s', coalesce(sweep.batch_size::text, 'NULL'));
  end if;
  if sweep.table_name is not null then
    select x.schema_name, x.relname into v_schema, v_table from privacy.resolve_table(sweep.table_name) x;
    if not exists (select from privacy.retention_policy p where p.schema_name = v_schema and p.table_name = v_table) then
      raise exception using errcode = 'PV305', schema = v_schema, table = v_table,
        message = pg_catalog.format('%I.%I has no retention policy', v_schema, v_table),
        hint = 'Declare one with privacy.set_retention().';
    end if;
  end if;
  -- Lets the sweep's own writes past the refill guard (which checks the owner too), and bounds
  -- every wait for a row or table lock the application holds. 1 ms, the least PostgreSQL allows:
  -- a batch that waits for an application's row while holding rows the application then asks
  -- for would make the application the deadlock victim once the application's deadlock_timeout
  -- passed, however short; giving way first (the batch is retried) never does.
  perform pg_catalog.set_config('privacy.sweeping', 'on', true);
  perform pg_catalog.set_config('lock_timeout',
    coalesce(nullif(pg_catalog.current_setting('privacy.sweep_lock_timeout', true), ''), '1ms'), true);

  for t in
    select p.schema_name, p.table_name, p.action from privacy.retention_policy p
    where (v_schema is null or (p.schema_name, p.table_name) = (v_schema, v_table))
    order by p.schema_name, p.table_name
  loop
    relation := pg_catalog.format('%I.%I', t.schema_name, t.table_name);
    if sweep.dry_run then
      run_id := null; run_state := 'dry_run'; batches_done := null; batches_total := null;
      v_n := 0;
      for action, blocked_by, row_count in select * from privacy.sweep_preview(t.schema_name, t.table_name) loop
        v_n := v_n + 1;
        return next;
      end loop;
      if v_n = 0 then
        action := t.action; blocked_by := null; row_count := 0;
        return next;
      end if;
      continue;
    end if;

    v_units := 0;
    v_counts := '{}';
    v_state := null;
    loop
      exit when sweep.max_batches is not null and v_units >= sweep.max_batches;
      v_step := privacy.sweep_unit(t.schema_name, t.table_name, sweep.batch_size, coalesce(sweep.not_before, pg_catalog.now()),
                                   coalesce(sweep.lock_budget, interval '0'));
      v_run := (v_step->>'run')::bigint;
      v_state := case when (v_step->>'busy')::boolean then 'busy' else v_step->>'phase' end;
      exit when not (v_step->>'did')::boolean;
      v_units := v_units + 1;
      v_counts := pg_catalog.jsonb_set(v_counts, array[t.action || '|'],
                    pg_catalog.to_jsonb(coalesce((v_counts->>(t.action || '|'))::bigint, 0) + coalesce((v_step->>'acted')::bigint, 0)));
      if coalesce((v_step->>'partitions')::bigint, 0) > 0 then
        v_key := case when exists (select from privacy.retention_policy p where (p.schema_name, p.table_name) = (t.schema_name, t.table_name)
                                     and p.expired_partitions = 'detach') then 'detach_partition|' else 'drop_partition|' end;
        v_counts := pg_catalog.jsonb_set(v_counts, array[v_key],
                      pg_catalog.to_jsonb(coalesce((v_counts->>v_key)::bigint, 0) + (v_step->>'partitions')::bigint));
      end if;
      for v_key, v_n in select e.key, e.value::bigint from pg_catalog.jsonb_each_text(coalesce(v_step->'kept', '{}')) e loop
        v_counts := pg_catalog.jsonb_set(v_counts, array[t.action || '|' || v_key],
                      pg_catalog.to_jsonb(coalesce((v_counts->>(t.action || '|' || v_key))::bigint, 0) + v_n));
      end loop;
      exit when v_state in ('done', 'failed');
    end loop;

    run_id := v_run;
    run_state := case when v_state in ('done', 'failed', 'busy') then v_state else 'running' end;
    select pg_catalog.count(*) filter (where b.state <> 'todo')::integer, pg_catalog.count(*)::integer into batches_done, batches_total
    from privacy.sweep_batch b where b.run_id = v_run and b.kind = 'range';
    if v_counts = '{}' then
      v_counts := pg_catalog.jsonb_build_object(t.action || '|', 0);
    end if;
    for v_key, v_n in select e.key, e.value::bigint from pg_catalog.jsonb_each_text(v_counts) e order by e.key loop
      action := pg_catalog.split_part(v_key, '|', 1);
      blocked_by := nullif(pg_catalog.split_part(v_key, '|', 2), '');
      row_count := v_n;
      return next;
    end loop;
  end loop;
end
$$;
comment on function privacy.sweep(text, boolean, integer, integer, timestamptz, interval) is
  'Sweeps expired rows (anonymize or delete per policy) batch by batch, or with dry_run counts what it would do.';

-- Why invoker: calls only privacy.sweep(), with the caller's own right to it, and commits after
-- every batch (a procedure may; a definer one may not). No `set search_path` either, because a
-- procedure with SET clauses may not commit: every name in it is qualified instead.
-- For psql: call privacy.sweep_all();
create or replace procedure privacy.sweep_all(table_name text default null, batch_size integer default 10000)
language plpgsql
as $$
declare
  v_started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
  v_open    pg_catalog.bool;
  v_rows    pg_catalog.int8 := 0;
  r         record;
begin
  loop
    v_open := false;
    for r in select * from privacy.sweep(sweep_all.table_name, false, 1, sweep_all.batch_size, v_started) loop
      if r.run_state in ('running', 'busy') then
        v_open := true;
      end if;
      if r.blocked_by is null then
        v_rows := v_rows + r.row_count;
      end if;
    end loop;
    commit;
    exit when not v_open;
  end loop;
  raise notice 'integritet: swept % rows', v_rows;
end
$$;
comment on procedure privacy.sweep_all(text, integer) is
  'Runs sweeps to the end, committing after every batch (psql: call privacy.sweep_all();).';

-- Why definer: the worker (a privacy_sweeper member) schedules one job per policy and may not
-- read the catalog; only table names, cron expressions and time zones are returned.
create or replace function privacy.sweep_schedules()
returns table (table_name text, schedule text, time_zone text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format('%I.%I', p.schema_name, p.table_name), p.schedule, p.time_zone
  from privacy.retention_policy p
  order by p.schema_name, p.table_name
$$;
comment on function privacy.sweep_schedules() is 'Tables with a retention policy, with the cron schedule and time zone of their sweeps.';

revoke execute on function privacy.sweep_unit(name, name, integer, timestamptz, interval),
  privacy.sweep_unit_begin(name, name, privacy.table_retention_plan, integer, timestamptz), privacy.sweep_unit_partitions(bigint, privacy.table_retention_plan),
  privacy.sweep_unit_batches(bigint, privacy.table_retention_plan, interval), privacy.sweep_unit_pending(bigint, privacy.table_retention_plan),
  privacy.sweep_preview(name, name),
  privacy.sweep(text, boolean, integer, integer, timestamptz, interval), privacy.sweep_schedules() from public;
revoke execute on procedure privacy.sweep_all(text, integer) from public;
grant execute on function privacy.sweep(text, boolean, integer, integer, timestamptz, interval), privacy.sweep_schedules()
  to privacy_sweeper, privacy_admin;
grant execute on procedure privacy.sweep_all(text, integer) to privacy_sweeper, privacy_admin;
grant select on privacy.sweep_state, privacy.sweep_run, privacy.sweep_batch, privacy.retention_pending,
  privacy.retention_index to privacy_admin;
