-- integritet 0004: what retention sweeps need besides the policies of 0001 — policy scope and
-- partition handling, statutory minimums computed from a date, debt holds that restart, the
-- per-table watermark and queue that keep a sweep's cost proportional to the rows that expired,
-- and the record of sweep runs and their batches.
--
-- The functions that use these tables live in ../sql/070, 080 and 3xx-*.sql (repeatable).

-- Which rows a policy governs (a filter of column = value(s), validated when declared), and what
-- happens to a partition of a partitioned table once every row in it has expired: `drop` it,
-- `detach` it (for archiving), or `rows` (delete row by row like any other table).
alter table privacy.retention_policy
  add column filter jsonb not null default '{}' check (pg_catalog.jsonb_typeof(filter) = 'object'),
  add column expired_partitions text not null default 'drop'
    check (expired_partitions in ('drop', 'detach', 'rows'));

-- How a statutory minimum is computed: the record is kept for `period` counted from its anchor
-- date, or from the end of the calendar year the anchor falls in (Bokföringslagen 7 kap. 2 §).
alter table privacy.statutory_minimum
  add column period interval check (period > interval '0'),
  add column counts_from text not null default 'anchor' check (counts_from in ('anchor', 'end_of_calendar_year'));

-- Debt holds (preskriptionslagen): a consumer claim is time-barred after 3 years, any other after
-- 10, counted from when the claim arose and restarted by a reminder, payment or acknowledgement.
alter table privacy.hold
  add column consumer boolean,
  add column claim_arose_on date;

create table privacy.hold_event (
  id           bigint generated always as identity primary key,
  hold_id      bigint not null references privacy.hold,
  event        text not null check (event in ('reminder', 'payment', 'acknowledgement')),
  occurred_on  date not null,
  until_before date,
  until_after  date not null,
  recorded_at  timestamptz not null default pg_catalog.now(),
  recorded_by  name not null default session_user
);
create index hold_event_hold_idx on privacy.hold_event (hold_id);
comment on table privacy.hold_event is
  'Events that interrupt a debt''s limitation period (preskriptionsavbrott) and the hold end they gave.';

-- Bumped by every change of a hold. Delete guards list the subjects held when they were made, in
-- their WHEN condition, and call their function for every row once this has moved on (until the
-- next sweep makes them anew): so a guard costs the application nothing for rows nothing keeps.
-- Readable by every role, because every role's deletes evaluate it; it is a counter, nothing more.
create sequence privacy.hold_version;
select pg_catalog.nextval('privacy.hold_version');
grant select on sequence privacy.hold_version to public;

-- Per table: every row whose anchor is before done_below has been swept or sits in
-- retention_pending. A sweep therefore reads only rows with an anchor from done_below up to its
-- cutoff (through the anchor index), plus due queue entries: never the rows it already did.
create table privacy.sweep_state (
  schema_name name not null,
  table_name  name not null,
  done_below  timestamptz,
  guard_keep  interval not null,
  guard_holds bigint,
  reset_at    timestamptz not null default pg_catalog.now(),
  primary key (schema_name, table_name)
);
comment on table privacy.sweep_state is
  'Sweep watermark per table: rows anchored before done_below were handled or are queued in retention_pending.';
comment on column privacy.sweep_state.guard_holds is
  'The hold_version the table''s delete guard was generated at (its WHEN lists the held subjects of then).';
comment on column privacy.sweep_state.guard_keep is
  'Shortest keep period since the watermark was last reset: rows anchored after now() - guard_keep cannot be swept yet.';

-- Rows below the watermark that still need a look: rows kept back by a minimum, a hold or a
-- reference (rechecked when that can have ended), and rows whose anchor was set or moved below
-- the watermark after the fact (`late`, queued by a trigger). Holds the row's key, never values.
create table privacy.retention_pending (
  schema_name name not null,
  table_name  name not null,
  row_key     text[] not null,
  reason      text not null,
  hold_id     bigint,
  recheck_at  timestamptz,
  queued_at   timestamptz not null default pg_catalog.clock_timestamp(),
  primary key (schema_name, table_name, row_key)
);
create index retention_pending_due_idx on privacy.retention_pending (schema_name, table_name, recheck_at);
create index retention_pending_hold_idx on privacy.retention_pending (hold_id) where hold_id is not null;
comment on table privacy.retention_pending is
  'Rows a sweep must look at again: kept back (minimum, hold, reference) or anchored below the watermark late.';

-- One sweep of one table: the instant it counts as "now", the cutoff it sweeps up to, and its
-- phase. At most one unfinished run per table; any number of workers share its batches.
create table privacy.sweep_run (
  id          bigint generated always as identity primary key,
  schema_name name not null,
  table_name  name not null,
  action      text not null check (action in ('anonymize', 'delete')),
  phase       text not null check (phase in ('partitions', 'planning', 'batches', 'pending', 'done', 'failed')),
  as_of       timestamptz not null,
  cutoff      timestamptz not null,
  done_below  timestamptz,
  batch_size  integer not null check (batch_size > 0),
  set_sql     text,
  plan_after  text[],
  started_at  timestamptz not null default pg_catalog.clock_timestamp(),
  started_by  name not null default session_user,
  finished_at timestamptz,
  error       text
);
create unique index sweep_run_one_active_idx on privacy.sweep_run (schema_name, table_name)
  where phase not in ('done', 'failed');
create index sweep_run_table_idx on privacy.sweep_run (schema_name, table_name, started_at);
comment on table privacy.sweep_run is 'Retention sweeps, one table each, resumable after a crash at any point.';
comment on column privacy.sweep_run.set_sql is
  'The anonymizing SET list, fixed when the run starts (generated from the column rules, never from input).';

-- The units of a run, each done in one short transaction: a key range of expired rows, a batch
-- of queue entries, or the partition step. Counts only, never values.
create table privacy.sweep_batch (
  id          bigint generated always as identity primary key,
  run_id      bigint not null references privacy.sweep_run on delete cascade,
  kind        text not null check (kind in ('range', 'pending', 'partitions')),
  lo          text[],
  hi          text[],
  state       text not null default 'todo' check (state in ('todo', 'done', 'failed')),
  attempts    integer not null default 0,
  acted       bigint not null default 0,
  blocked     jsonb not null default '{}',
  partitions  jsonb not null default '{}',
  locked_ms   double precision,
  finished_at timestamptz,
  error       text
);
create index sweep_batch_run_idx on privacy.sweep_batch (run_id, state, id);
comment on table privacy.sweep_batch is
  'Units of a sweep run: key ranges, queue batches and partition steps, with their counts and lock time.';

-- Indexes the policy call created on user tables (so that dropping the policy or uninstalling
-- removes exactly those, and never an index the user made).
create table privacy.retention_index (
  schema_name name not null,
  table_name  name not null,
  index_name  name not null,
  primary key (schema_name, table_name)
);
comment on table privacy.retention_index is 'Anchor indexes created on user tables by retention policies.';
