-- integritet: which whole partitions a sweep retires, by name, before it retires them.
--
--   select * from privacy.sweep_partitions_due();            -- every table with a delete policy
--   select * from privacy.sweep_partitions_due('position');  -- one table
--
-- A partitioned table under a delete policy loses whole partitions (DROP TABLE, or DETACH when
-- the policy says expired_partitions => 'detach') once every row in them has expired and nothing
-- keeps any: it is far cheaper than deleting their rows one by one. Because a DROP is the most
-- drastic thing a sweep does, the dry run names each partition, and the ledger names it by schema
-- and name (an OID means nothing once the table is gone).
--
-- needs: 010-names, 300-retention-plan

-- Why invoker: called by privacy.sweep_preview and privacy.sweep_partitions_due (definer). The
-- leaf partitions, never the default one, whose rows have all expired and may all go now.
create or replace function privacy.expired_partitions(plan privacy.table_retention_plan, as_of timestamptz)
returns table (partition_name regclass, row_count bigint)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  preds    privacy.retention_predicates;
  v_cutoff timestamptz;
  v_cut    text;
  v_ok     boolean;
  v_rows   bigint;
  p        record;
begin
  if not plan.partitioned or plan.action <> 'delete' or plan.expired_partitions = 'rows' then
    return;
  end if;
  preds := privacy.plan_predicates(plan, as_of);
  v_cutoff := ((as_of at time zone plan.time_zone) - plan.keep) at time zone plan.time_zone;
  v_cut := privacy.anchor_literal(v_cutoff, plan.anchor_type, plan.time_zone);
  for p in
    select t.relid from pg_catalog.pg_partition_tree(plan.relid) t
    join pg_catalog.pg_class c on c.oid = t.relid
    where t.isleaf and t.relid <> plan.relid and pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
    order by 1
  loop
    execute pg_catalog.format(
      'select not exists (select from %1$s as t where t.%2$I >= %3$s or t.%2$I is null or not (%4$s and %5$s)), '
      '(select pg_catalog.count(*) from %1$s)',
      p.relid::regclass, plan.anchor, v_cut, preds.governed, preds.eligible) into v_ok, v_rows;
    if v_ok and v_rows > 0 then
      partition_name := p.relid::regclass;
      row_count := v_rows;
      return next;
    end if;
  end loop;
end
$$;
comment on function privacy.expired_partitions(privacy.table_retention_plan, timestamptz) is
  'Leaf partitions whose rows have all expired and may all go, with their row counts (internal).';

-- Why definer: privacy_sweeper members run dry runs without any privilege on the tables or the
-- catalog; only names of partitions and counts are returned, never a value of a row.
create or replace function privacy.sweep_partitions_due(table_name text default null)
returns table (relation text, partition_name text, action text, row_count bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set row_security = off
as $$
declare
  t        record;
  v_schema name;
  v_table  name;
begin
  if sweep_partitions_due.table_name is not null then
    select x.schema_name, x.relname into v_schema, v_table from privacy.resolve_table(sweep_partitions_due.table_name) x;
  end if;
  for t in
    select p.schema_name, p.table_name, p.expired_partitions from privacy.retention_policy p
    where p.action = 'delete' and (v_schema is null or (p.schema_name, p.table_name) = (v_schema, v_table))
    order by p.schema_name, p.table_name
  loop
    relation := pg_catalog.format('%I.%I', t.schema_name, t.table_name);
    action := case t.expired_partitions when 'detach' then 'detach_partition' else 'drop_partition' end;
    for partition_name, row_count in
      select e.partition_name::text, e.row_count
      from privacy.expired_partitions(privacy.retention_plan(t.schema_name, t.table_name), pg_catalog.clock_timestamp()) e
    loop
      return next;
    end loop;
  end loop;
end
$$;
comment on function privacy.sweep_partitions_due(text) is
  'The partitions a sweep would drop or detach now, by schema-qualified name, with their row counts.';

revoke execute on function privacy.expired_partitions(privacy.table_retention_plan, timestamptz), privacy.sweep_partitions_due(text) from public;
grant execute on function privacy.sweep_partitions_due(text) to privacy_sweeper, privacy_admin;
