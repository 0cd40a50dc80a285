-- integritet: whole expired partitions detached CONCURRENTLY by the sweep's runner.
--
--   select * from privacy.partitions_to_detach('event');          -- what the runner detaches
--   alter table public.event detach partition public.event_2016 concurrently;   -- the runner
--   select * from privacy.retire_detached_partition('public.event_2016');       -- dropped, in the ledger
--
-- Dropping or detaching a partition in the sweep's own transaction takes ACCESS EXCLUSIVE on the
-- partitioned table: it waits for every application statement on it, and queues every later one
-- behind it. ALTER TABLE … DETACH PARTITION … CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE on
-- the parent (the application reads and writes on), waits for the transactions that use it to
-- end, and detaches the partition in a second transaction. It cannot run inside a function or a
-- transaction block, so the work is handed over:
--
--   1. privacy.partitions_to_detach() checks which partitions have expired whole and may go (as
--      the sweep would), records each in privacy.partition_retirement by schema and name, and
--      returns them with their state: attached, detach_pending (a detach was interrupted: the
--      runner finishes it with DETACH PARTITION … FINALIZE), or detached;
--   2. the runner (src/retention/detach-partitions.ts) detaches each on an autocommit connection,
--      with a lock_timeout, retrying with backoff;
--   3. privacy.retire_detached_partition() checks the detached table again (rows that must stay
--      may have arrived meanwhile: then it is attached again, as it was), drops it unless the
--      policy says to keep it detached, and writes it to the ledger; the table's next sweep run
--      reports it with its rows.
--
-- Only where the runner's login may alter the parent (its owner, or a member of the owner's role)
-- and the parent has no default partition (PostgreSQL refuses a concurrent detach then): other
-- partitions are retired by the sweep itself, as before, within its lock_timeout.
--
-- needs: 010-names, 020-ledger, 300-retention-plan, 335-expired-partitions

-- Why definer: privacy_sweeper members run sweeps without any privilege on the tables or the
-- catalog; only names of partitions and their states are returned, never a value of a row.
create or replace function privacy.partitions_to_detach(table_name text default null)
returns table (partition_name text, parent text, state text)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set row_security = off
as $$
declare
  t        record;
  e        record;
  v_schema name;
  v_table  name;
  v_parent oid;
begin
  if partitions_to_detach.table_name is not null then
    select x.schema_name, x.relname into v_schema, v_table from privacy.resolve_table(partitions_to_detach.table_name) x;
  end if;
  -- Dropped by hand, or by a runner that crashed after the drop: nothing left to hand over.
  delete from privacy.partition_retirement x
  where x.retired_at is null
    and pg_catalog.to_regclass(pg_catalog.format('%I.%I', x.partition_schema, x.partition_name)) is null;
  for t in
    select p.schema_name, p.table_name, p.expired_partitions from privacy.retention_policy p
    where p.action = 'delete' and p.expired_partitions <> 'rows'
      and (v_schema is null or (p.schema_name, p.table_name) = (v_schema, v_table))
    order by p.schema_name, p.table_name
  loop
    for e in
      select x.partition_name::oid as relid, x.row_count
      from privacy.expired_partitions(privacy.retention_plan(t.schema_name, t.table_name), pg_catalog.clock_timestamp()) x
    loop
      select i.inhparent into v_parent from pg_catalog.pg_inherits i where i.inhrelid = e.relid;
      continue when v_parent is null
        or exists (select from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
                   where i.inhparent = v_parent and pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT')
        or not pg_catalog.pg_has_role(session_user, (select c.relowner from pg_catalog.pg_class c where c.oid = v_parent), 'USAGE');
      insert into privacy.partition_retirement
        (partition_schema, partition_name, schema_name, table_name, parent_schema, parent_name, bound, mode, row_count)
      select pn.nspname, pc.relname, t.schema_name, t.table_name, qn.nspname, qc.relname,
             pg_catalog.pg_get_expr(pc.relpartbound, pc.oid), t.expired_partitions, e.row_count
      from pg_catalog.pg_class pc join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace,
           pg_catalog.pg_class qc join pg_catalog.pg_namespace qn on qn.oid = qc.relnamespace
      where pc.oid = e.relid and qc.oid = v_parent
      on conflict do nothing;
    end loop;
  end loop;
  return query
    select pg_catalog.format('%I.%I', x.partition_schema, x.partition_name),
           pg_catalog.format('%I.%I', x.parent_schema, x.parent_name),
           case when i.inhrelid is null then 'detached' when i.inhdetachpending then 'detach_pending' else 'attached' end
    from privacy.partition_retirement x
    left join pg_catalog.pg_inherits i
      on i.inhrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', x.partition_schema, x.partition_name))
    where x.retired_at is null
      and (v_schema is null or (x.schema_name, x.table_name) = (v_schema, v_table))
    order by 1;
end
$$;
comment on function privacy.partitions_to_detach(text) is
  'Expired partitions handed to the runner to detach concurrently: name, parent, attached/detach_pending/detached.';

-- Why definer: as partitions_to_detach; drops only a table this toolkit handed over as an expired
-- partition of a table under a retention policy, after checking its rows again.
create or replace function privacy.retire_detached_partition(partition_name text)
returns table (action text, row_count bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set row_security = off
as $$
declare
  h       privacy.partition_retirement;
  v_rel   regclass;
  v_plan  privacy.table_retention_plan;
  v_preds privacy.retention_predicates;
  v_cut   text;
  v_ok    boolean;
  v_rows  bigint;
begin
  select * into h from privacy.partition_retirement x
  where pg_catalog.format('%I.%I', x.partition_schema, x.partition_name) = retire_detached_partition.partition_name
    and x.retired_at is null;
  if h.partition_name is not null then
    v_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', h.partition_schema, h.partition_name));
  end if;
  if v_rel is null
     or exists (select from pg_catalog.pg_inherits i where i.inhrelid = v_rel) then
    raise exception using errcode = 'PV308', table = coalesce(h.partition_name, retire_detached_partition.partition_name),
      message = pg_catalog.format('%s is not an expired partition handed over and detached', retire_detached_partition.partition_name),
      hint = 'privacy.partitions_to_detach() names them; detach each with ALTER TABLE … DETACH PARTITION … CONCURRENTLY first.';
  end if;
  perform pg_catalog.set_config('lock_timeout',
    coalesce(nullif(pg_catalog.current_setting('privacy.sweep_lock_timeout', true), ''), '200ms'), true);
  -- Detached, it is no longer read through its parent: only a reader of the table by name waits.
  execute pg_catalog.format('lock table %s in access exclusive mode', v_rel);
  v_plan := privacy.retention_plan(h.schema_name, h.table_name);
  v_preds := privacy.plan_predicates(v_plan, pg_catalog.clock_timestamp());
  v_cut := privacy.anchor_literal(
    ((pg_catalog.clock_timestamp() at time zone (v_plan.time_zone)) - v_plan.keep) at time zone (v_plan.time_zone),
    v_plan.anchor_type, v_plan.time_zone);
  execute pg_catalog.format(
    'select not exists (select from %1$s as t where t.%2$I >= %3$s or t.%2$I is null or not (%4$s and %5$s)), '
    '(select pg_catalog.count(*) from %1$s)',
    v_rel, v_plan.anchor, v_cut, v_preds.governed, v_preds.eligible) into v_ok, v_rows;
  if not v_ok then
    -- Rows that must stay arrived before it was detached: back where it was, for a later run.
    execute pg_catalog.format('alter table %I.%I attach partition %s %s', h.parent_schema, h.parent_name, v_rel, h.bound);
    delete from privacy.partition_retirement x
    where (x.partition_schema, x.partition_name) = (h.partition_schema, h.partition_name);
    action := 'attached_again';
    row_count := v_rows;
    return next;
    return;
  end if;
  if h.mode = 'drop' then
    execute pg_catalog.format('drop table %s', v_rel);
  end if;
  update privacy.partition_retirement x set retired_at = pg_catalog.clock_timestamp(), row_count = v_rows
  where (x.partition_schema, x.partition_name) = (h.partition_schema, h.partition_name);
  perform privacy.record('sweep.partition.' || h.mode, pg_catalog.format('%I.%I', h.schema_name, h.table_name),
                         pg_catalog.jsonb_build_object('partition', retire_detached_partition.partition_name, 'rows', v_rows,
                                                       'detached', 'concurrently'));
  action := case h.mode when 'detach' then 'detach_partition' else 'drop_partition' end;
  row_count := v_rows;
  return next;
end
$$;
comment on function privacy.retire_detached_partition(text) is
  'Drops (or leaves detached) an expired partition its runner detached concurrently, after checking its rows again; writes it to the ledger.';

revoke execute on function privacy.partitions_to_detach(text), privacy.retire_detached_partition(text) from public;
grant execute on function privacy.partitions_to_detach(text), privacy.retire_detached_partition(text) to privacy_sweeper, privacy_admin;
