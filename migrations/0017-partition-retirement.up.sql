-- integritet 0017: whole expired partitions handed from the sweep to its runner, which detaches
-- them CONCURRENTLY (that cannot run in a function or a transaction block), so that a sweep never
-- takes ACCESS EXCLUSIVE on a partitioned table the application reads. A partition is named here
-- by schema and name from the moment it is handed over until it is dropped (or left detached, as
-- its policy says) and the ledger has it; a runner that crashed in between finds it here again.

create table privacy.partition_retirement (
  partition_schema name not null,
  partition_name   name not null,
  -- The partitioned table under the retention policy, and the partition's direct parent.
  schema_name      name not null,
  table_name       name not null,
  parent_schema    name not null,
  parent_name      name not null,
  -- Its bound, to attach it again if rows that must stay arrived before it was detached.
  bound            text not null,
  mode             text not null check (mode in ('drop', 'detach')),
  row_count        bigint not null,
  handed_at        timestamptz not null default pg_catalog.now(),
  -- Set once it is dropped or detached for good: the sweep run of its table reports it then.
  retired_at       timestamptz,
  primary key (partition_schema, partition_name)
);
comment on table privacy.partition_retirement is
  'Expired partitions handed to the sweep''s runner to detach concurrently, until their run reports them.';
grant select on privacy.partition_retirement to privacy_admin;
