-- integritet 0014: a subject graph that follows real schemas, and debts that stay time-barred.
--
-- * subject_path.direction: a path link either follows a foreign key of the linked table to a
--   row of the subject (`references`, as before: rental.customer_id → customer), or a foreign key
--   of a row of the subject to the linked table (`referenced_by`: customer.address_id → address,
--   the address belongs to the customers whose rows reference it). For `referenced_by` the
--   constraint lives on the parent table.
-- * subject_link.unchecked: a column link no foreign key to the subject's key backs is taken on
--   trust only when declared so; privacy.verify() lists it. Links made before this version that
--   no foreign key backs are marked unchecked, so that they keep working and show up.
-- * hold_event: legal action and the end of proceedings interrupt a limitation too
--   (preskriptionslagen 5 § 3 p., 7 §), and an event after the claim was time-barred is kept on
--   record as such without moving the hold's end.

alter table privacy.subject_path
  add column direction text not null default 'references' check (direction in ('references', 'referenced_by'));
comment on column privacy.subject_path.direction is
  'references: the table''s foreign key points at the parent; referenced_by: the parent''s foreign key points at the table.';

alter table privacy.subject_link add column unchecked boolean not null default false;
comment on column privacy.subject_link.unchecked is
  'True when no foreign key to the subject''s key backs the column: its values are taken on trust (verify lists it).';

update privacy.subject_link l set unchecked = true
from privacy.subject_type s
where s.name = l.subject_type
  and (l.schema_name, l.table_name, l.column_name) is distinct from (s.schema_name, s.table_name, s.key_column)
  and not exists (
    select from pg_catalog.pg_constraint c
    join pg_catalog.pg_class t on t.oid = c.conrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
    join pg_catalog.pg_class pt on pt.oid = c.confrelid
    join pg_catalog.pg_namespace pn on pn.oid = pt.relnamespace
    where c.contype = 'f' and n.nspname = l.schema_name and t.relname = l.table_name
      and pn.nspname = s.schema_name and pt.relname = s.table_name
      and exists (select from rows from (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) as m(a, b)
                  join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = m.a
                  join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = m.b
                  where ca.attname = l.column_name and pa.attname = s.key_column));

alter table privacy.hold_event drop constraint hold_event_event_check;
alter table privacy.hold_event add constraint hold_event_event_check
  check (event in ('reminder', 'payment', 'acknowledgement', 'legal_action', 'proceedings_ended'));
alter table privacy.hold_event add column interrupted boolean not null default true;
comment on column privacy.hold_event.interrupted is
  'False for an event recorded after the claim was already time-barred: it interrupted nothing.';

-- Statutory periods as data, with their citations: which law, which section, which version of it,
-- and where the citation was taken from. `kind` tells minimums a retention policy can name from
-- limitation periods that holds follow. Two new ways to count: from the end of the fiscal year
-- the anchor falls in, and from the end of the calendar year in which that fiscal year ended.
alter table privacy.statutory_minimum
  add column kind text not null default 'minimum' check (kind in ('minimum', 'limitation')),
  add column citation text,
  add column version text,
  add column source text;
alter table privacy.statutory_minimum drop constraint statutory_minimum_counts_from_check;
alter table privacy.statutory_minimum add constraint statutory_minimum_counts_from_check
  check (counts_from in ('anchor', 'end_of_calendar_year', 'end_of_fiscal_year', 'end_of_calendar_year_of_fiscal_year'));
comment on column privacy.statutory_minimum.citation is 'Law, section and paragraph, as cited.';
comment on column privacy.statutory_minimum.version is 'The version of the law the period was read from (SFS number or date in force).';
comment on column privacy.statutory_minimum.source is 'Where the citation was taken from, and whether it was checked against the law''s own text.';

-- The controller's fiscal year: the month it starts in (a fiscal year starts on the first of a
-- month, Bokföringslagen 3 kap. 1 §). No row: the calendar year.
create table privacy.fiscal_year (
  scope       text primary key default 'controller' check (scope = 'controller'),
  start_month smallint not null check (start_month between 1 and 12),
  declared_at timestamptz not null default pg_catalog.now(),
  declared_by name not null default session_user
);
comment on table privacy.fiscal_year is
  'The controller''s fiscal year (the month it starts in); bookkeeping minimums count from its end.';
