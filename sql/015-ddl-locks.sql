-- integritet: how the toolkit's own DDL takes its locks on the application's tables.
--
-- A DDL statement asks for ACCESS EXCLUSIVE; queued behind one long application transaction it
-- makes every later reader of the table wait behind it, for as long as that transaction runs.
-- So before changing a table (its masked view, policies, guards) the toolkit locks what it will
-- change, in a fixed order, and never waits long for it:
--
--   * the first lock of a transaction waits at most privacy.ddl_lock_timeout (default 100 ms):
--     an application statement queued behind it waits no longer than that;
--   * every later one, and every one in a transaction that already holds a lock on one of the
--     objects (an ALTER TABLE whose event trigger regenerates the view), is taken NOWAIT: the
--     toolkit never waits while holding a lock an application may want, so it is never part of
--     a deadlock, whatever deadlock_timeout is;
--   * it does not join the queue at all while a transaction that has been open for a second or
--     more holds a lock on the object (a report, a session idle in transaction): such a
--     transaction is not about to end, so the wait would only time out, and every application
--     statement on the object would have waited behind it first, for nothing, on every retry
--     (measured, bench/maintenance-latency.ts: the application's p99 went from 50 ms to 120 ms
--     while sync, apply or migrate up tried again behind a 30 s read). Who holds what is read from
--     pg_locks and pg_stat_activity; where the caller may not see other roles' transactions
--     (xact_start is NULL to it), it queues as above;
--   * when a lock is not free, PV015 names the object and who holds it (pid, application, how
--     long its transaction has been open). The transaction is rolled back and the caller (the
--     CLI's sync, apply and migrate) tries again with backoff, saying what it waits for.
--
-- needs: none

-- Why invoker: locks only what the caller may lock; reads pg_locks and pg_stat_activity, which
-- every role may read (other users' query text shows as <insufficient privilege>, and is not used).
-- pg_locks shows the locks of every database of the cluster, and databases cloned from one
-- template give their tables the same OIDs: only this database's locks count.
-- Who holds a lock on `rel` that ACCESS EXCLUSIVE would wait for, as one line for a message.
create or replace function privacy.lock_holders(rel regclass)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(pg_catalog.string_agg(pg_catalog.format('pid %s (%s%s, transaction open %s s)', x.pid,
                    coalesce(nullif(x.application_name, ''), 'no application name'),
                    case when x.state is null then '' else ', ' || x.state end,
                    coalesce(pg_catalog.round(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - x.xact_start)::numeric, 1)::text, '?')),
                  '; ' order by x.xact_start), 'a transaction that has just ended')
  from (select distinct l.pid, a.application_name, a.state, a.xact_start
        from pg_catalog.pg_locks l
        left join pg_catalog.pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'relation' and l.relation = lock_holders.rel and l.granted
          and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
          and l.pid <> pg_catalog.pg_backend_pid()) x
$$;
comment on function privacy.lock_holders(regclass) is
  'Who holds a lock on a relation that a DDL statement would wait for: pid, application, transaction age (internal).';

-- Why invoker: reads pg_locks and pg_stat_activity with the caller's rights (see lock_holders).
-- Whether another transaction that has been open for at least `open_for` holds a lock on `rel`:
-- waiting for `rel` in the lock queue would then only time out, and hold up the application.
create or replace function privacy.long_transaction_holds(rel regclass, open_for interval)
returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select exists (select from pg_catalog.pg_locks l
                 join pg_catalog.pg_stat_activity a on a.pid = l.pid
                 where l.locktype = 'relation' and l.relation = long_transaction_holds.rel and l.granted
                   and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
                   and l.pid <> pg_catalog.pg_backend_pid()
                   and a.xact_start < pg_catalog.clock_timestamp() - long_transaction_holds.open_for)
$$;
comment on function privacy.long_transaction_holds(regclass, interval) is
  'Whether a transaction open for at least the given time holds a lock on a relation (internal, for privacy.lock_for_ddl).';

-- Why invoker: the caller locks what it is about to change, with its own rights.
-- Locks `relations` (each with its partitions, parents before their partitions) in ACCESS
-- EXCLUSIVE mode in the order given, as the banner says; raises PV015 when one is not free.
create or replace function privacy.lock_for_ddl(relations regclass[])
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  r          record;
  v_timeout  text := coalesce(nullif(pg_catalog.current_setting('privacy.ddl_lock_timeout', true), ''), '100ms');
  v_previous text := pg_catalog.current_setting('lock_timeout');
  -- Whether this transaction may still wait: it holds none of the toolkit's DDL locks yet, and
  -- no lock on the objects either.
  v_may_wait boolean := coalesce(pg_catalog.current_setting('privacy.ddl_locked', true), '') <> 'on'
                        and not exists (select from pg_catalog.pg_locks l
                                        where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation'
                                          and l.relation = any (lock_for_ddl.relations));
begin
  for r in
    select t.relid::regclass as rel, x.n, t.level,
           (select c.relkind from pg_catalog.pg_class c where c.oid = t.relid) as kind,
           (select c.relowner::regrole::text from pg_catalog.pg_class c where c.oid = t.relid) as owner
    from pg_catalog.unnest(lock_for_ddl.relations) with ordinality as x(rel, n)
    cross join lateral (select p.relid, p.level from pg_catalog.pg_partition_tree(x.rel) p
                        union all
                        -- pg_partition_tree has no rows for views and sequences
                        select x.rel, 0 where not exists (select from pg_catalog.pg_partition_tree(x.rel))) t
    where x.rel is not null
    order by x.n, t.level, t.relid
  loop
    -- Already held in this mode: nothing to wait for.
    continue when exists (select from pg_catalog.pg_locks l
                          where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation'
                            and l.relation = r.rel and l.mode = 'AccessExclusiveLock' and l.granted);
    begin
      -- A long transaction holds it: not worth a place in the queue (see the banner).
      if v_may_wait and privacy.long_transaction_holds(r.rel, greatest(v_timeout::interval, interval '1 second')) then
        raise exception using errcode = 'lock_not_available';
      end if;
      if r.kind in ('v', 'm') then
        -- LOCK TABLE on a view locks every table its query reads as well (privacy.hidden_row,
        -- read by every masked view): an ALTER that changes nothing locks the view alone.
        perform pg_catalog.set_config('lock_timeout', case when v_may_wait then v_timeout else '1ms' end, true);
        execute pg_catalog.format('alter %s %s owner to %s', case r.kind when 'v' then 'view' else 'materialized view' end,
                                  r.rel, r.owner);
        perform pg_catalog.set_config('lock_timeout', v_previous, true);
      elsif v_may_wait then
        perform pg_catalog.set_config('lock_timeout', v_timeout, true);
        execute pg_catalog.format('lock table %s in access exclusive mode', r.rel);
        perform pg_catalog.set_config('lock_timeout', v_previous, true);
      else
        execute pg_catalog.format('lock table %s in access exclusive mode nowait', r.rel);
      end if;
    exception when lock_not_available then
      perform pg_catalog.set_config('lock_timeout', v_previous, true);
      raise exception using errcode = 'PV015',
        schema = (select n.nspname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = r.rel),
        table = (select c.relname from pg_catalog.pg_class c where c.oid = r.rel),
        message = pg_catalog.format('%s is in use by %s', r.rel, privacy.lock_holders(r.rel)),
        hint = 'The change was rolled back; integritet tries again shortly. '
               'Set privacy.ddl_lock_timeout to wait longer in the queue (every statement on the table waits as long).';
    end;
    v_may_wait := false;
    perform pg_catalog.set_config('privacy.ddl_locked', 'on', true);
  end loop;
end
$$;
comment on function privacy.lock_for_ddl(regclass[]) is
  'Locks relations (and their partitions) for the toolkit''s DDL in a fixed order without long waits; PV015 names who holds one.';

-- Why definer: `integritet apply` (a privacy_admin member, who need not own the tables) locks
-- the tables its changes will regenerate things on before it changes anything, so that a busy
-- table makes it try again before, never half-way. Only tables the catalog knows and their
-- masked views are locked; anything else given (or no longer there) is ignored. Names are
-- resolved here: the caller need not have USAGE on the schema `masked`.
create or replace function privacy.lock_catalog_tables(relations text[])
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform privacy.lock_for_ddl(array(
    select c.oid::regclass
    from pg_catalog.unnest(lock_catalog_tables.relations) with ordinality as x(name, n)
    join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(x.name)
    join pg_catalog.pg_namespace s on s.oid = c.relnamespace
    where (s.nspname = 'masked' and c.relkind = 'v' and c.relowner = 'privacy_view_owner'::regrole)
       or exists (select from privacy.protected_table p where p.schema_name = s.nspname and p.table_name = c.relname)
       or exists (select from privacy.retention_policy p where p.schema_name = s.nspname and p.table_name = c.relname)
       or exists (select from privacy.subject_link p where p.schema_name = s.nspname and p.table_name = c.relname)
       or exists (select from privacy.column_rule p where p.schema_name = s.nspname and p.table_name = c.relname)
    order by x.n));
end
$$;
comment on function privacy.lock_catalog_tables(text[]) is
  'Locks, for a change of the catalog, the tables it knows and their masked views, as privacy.lock_for_ddl does.';

revoke execute on function privacy.lock_holders(regclass), privacy.long_transaction_holds(regclass, interval),
  privacy.lock_for_ddl(regclass[]),
  privacy.lock_catalog_tables(text[]) from public;
grant execute on function privacy.lock_catalog_tables(text[]) to privacy_admin;
