-- integritet: the privacy state of the database on one screen, for a DBA and for monitoring.
-- `integritet status` prints it and exits 1 when any line has `alert` set.
--
--   select * from privacy.status();                 -- one count per line; alert: needs someone now
--   select * from privacy.status() where alert;     -- for a monitoring check
--   select * from privacy.retention_status();       -- per retention policy: its latest sweep run
--
-- Functions, not views: a view would tie the tables it reads to itself, and the down steps of
-- migrations 0004 and 0005 drop those tables.
--
-- needs: 220-verify

-- Why invoker: reads only what privacy_admin members may read themselves (the catalog, sweep
-- runs, holds, requests) and calls privacy.verify(), which they may execute. Counts only. The
-- alert rule lives here so that psql, monitoring and the CLI agree: a subject request past its
-- deadline (GDPR Art. 12(3)), a finding of high severity, a table whose latest sweep failed and
-- a sweep that has made no progress for an hour (stalled) need someone now; the rest can wait:
-- a failed sweep leaves expired personal data in place.
create or replace function privacy.status()
returns table (area text, item text, value bigint, alert boolean)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with finding as (
    select f.severity, f.check_name from privacy.verify() f
  ),
  latest_run as (
    select distinct on (r.schema_name, r.table_name) r.id, r.schema_name, r.table_name, r.phase, r.started_at
    from privacy.sweep_run r
    order by r.schema_name, r.table_name, r.started_at desc, r.id desc
  ),
  hold_in_force as (
    select h.review_on from privacy.hold h
    where h.released_at is null and (h.until is null or h.until >= current_date)
  ),
  open_request as (
    select q.status, q.deadline from privacy.subject_request q where q.status not in ('done', 'refused')
  ),
  n as (
    select
      (select pg_catalog.count(*) from privacy.protected_table) as protected_tables,
      (select pg_catalog.count(*) from finding f where f.check_name = 'unclassified_column') as unclassified_columns,
      (select pg_catalog.count(*) from finding f where f.check_name = 'unprotected_personal_table') as unprotected_personal_tables,
      (select pg_catalog.count(*) from finding f where f.check_name = 'protected_table_without_tenant') as read_by_every_tenant,
      (select pg_catalog.count(*) from finding f where f.severity = 'high') as high,
      (select pg_catalog.count(*) from finding f where f.severity = 'medium') as medium,
      (select pg_catalog.count(*) from finding f where f.severity = 'low') as low,
      (select pg_catalog.count(*) from privacy.retention_policy) as policies,
      (select pg_catalog.count(*) from privacy.retention_policy p
       where not exists (select from privacy.sweep_run r where r.schema_name = p.schema_name and r.table_name = p.table_name))
        as never_swept,
      (select pg_catalog.count(*) from latest_run l where l.phase not in ('done', 'failed')) as sweeps_running,
      (select pg_catalog.count(*) from latest_run l where l.phase = 'failed') as sweeps_failed,
      (select pg_catalog.count(*) from latest_run l where l.phase not in ('done', 'failed')
         and greatest(l.started_at, (select pg_catalog.max(b.finished_at) from privacy.sweep_batch b where b.run_id = l.id))
             < pg_catalog.now() - interval '1 hour') as sweeps_stalled,
      (select pg_catalog.count(*) from privacy.retention_pending) as rows_queued,
      (select pg_catalog.count(*) from hold_in_force) as holds_active,
      (select pg_catalog.count(*) from hold_in_force h where h.review_on <= current_date) as holds_review_due,
      (select pg_catalog.count(*) from open_request) as requests_open,
      (select pg_catalog.count(*) from open_request q where q.deadline < current_date) as requests_overdue,
      (select pg_catalog.count(*) from open_request q where q.status = 'failed') as requests_failed
  )
  select x.area, x.item, x.value, x.alert
  from n cross join lateral (values
    (1,  'protection', 'protected_tables',     n.protected_tables,     false),
    (2,  'protection', 'unclassified_columns', n.unclassified_columns, false),
    (3,  'verify',     'high',                 n.high,                 n.high > 0),
    (4,  'verify',     'medium',               n.medium,               false),
    (5,  'verify',     'low',                  n.low,                  false),
    (6,  'retention',  'policies',             n.policies,             false),
    (7,  'retention',  'never_swept',          n.never_swept,          false),
    (8,  'retention',  'sweeps_running',       n.sweeps_running,       false),
    (9,  'retention',  'sweeps_failed',        n.sweeps_failed,        n.sweeps_failed > 0),
    (10, 'retention',  'sweeps_stalled',       n.sweeps_stalled,       n.sweeps_stalled > 0),
    (11, 'retention',  'rows_queued',          n.rows_queued,          false),
    (12, 'holds',      'active',               n.holds_active,         false),
    (13, 'holds',      'review_due',           n.holds_review_due,     false),
    (14, 'requests',   'open',                 n.requests_open,        false),
    (15, 'requests',   'overdue',              n.requests_overdue,     n.requests_overdue > 0),
    (16, 'requests',   'failed',               n.requests_failed,      false),
    (17, 'protection', 'unprotected_personal_tables', n.unprotected_personal_tables, false),
    -- Protected, with no tenant declared and not declared shared (sql/226-verify-tenants.sql).
    (18, 'protection', 'read_by_every_tenant', n.read_by_every_tenant, false)
  ) as x(line, area, item, value, alert)
  order by x.line
$$;
comment on function privacy.status() is
  'The privacy state in counts: protection, verify findings, retention, holds, subject requests; alert: needs someone now.';

-- Why invoker: as privacy.status(). The latest run of each policy's table (runs are kept a
-- month; the ledger keeps every sweep) and the rows queued for a sweep to look at again.
create or replace function privacy.retention_status()
returns table (relation text, action text, keep interval, schedule text, time_zone text, last_run bigint,
               last_run_state text, last_run_started timestamptz, last_run_finished timestamptz, last_run_rows bigint,
               last_done timestamptz, rows_queued bigint)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format('%I.%I', p.schema_name, p.table_name), p.action, p.keep, p.schedule, p.time_zone, r.id,
         case when r.phase in ('done', 'failed') then r.phase when r.id is not null then 'running' end,
         r.started_at, r.finished_at,
         (select pg_catalog.sum(b.acted)::bigint from privacy.sweep_batch b where b.run_id = r.id and b.kind <> 'partitions'),
         (select pg_catalog.max(d.finished_at) from privacy.sweep_run d
          where d.schema_name = p.schema_name and d.table_name = p.table_name and d.phase = 'done'),
         (select pg_catalog.count(*) from privacy.retention_pending q
          where q.schema_name = p.schema_name and q.table_name = p.table_name)
  from privacy.retention_policy p
  left join lateral (
    select x.id, x.phase, x.started_at, x.finished_at from privacy.sweep_run x
    where x.schema_name = p.schema_name and x.table_name = p.table_name
    order by x.started_at desc, x.id desc limit 1
  ) r on true
  order by p.schema_name, p.table_name
$$;
comment on function privacy.retention_status() is
  'Per retention policy: the latest sweep run (state, times, rows acted), the last finished one, and rows queued.';

revoke execute on function privacy.status(), privacy.retention_status() from public;
grant execute on function privacy.status(), privacy.retention_status() to privacy_admin;
