-- integritet 0007: the keys of restricted rows, apart from whose they are and why.
--
-- A masked view leaves restricted rows out with an anti-join (sql/200-masked-views.sql). It used
-- to read privacy.restricted_row itself, through a grant on three of its columns; PostgreSQL
-- checks a column-level grant column by column each time a statement runs, and that was 2% of a
-- masked key lookup (bench/masked-reads.ts). privacy.hidden_row holds only what the views match
-- on, one row per hidden row of a table however many restrictions cover it (refs counts them),
-- and the views' owner may read all of it and nothing of privacy.restricted_row. Triggers on
-- privacy.restricted_row keep it in step (sql/415-hidden-rows.sql).

create table privacy.hidden_row (
  schema_name name not null,
  table_name  name not null,
  -- What the table's masked view matches on: privacy.restricted_row_id_sql().
  row_id      bigint not null,
  -- How many rows of privacy.restricted_row hide it.
  refs        integer not null,
  primary key (schema_name, table_name, row_id)
);
comment on table privacy.hidden_row is
  'Rows the masked views leave out: the keys of privacy.restricted_row, counted (kept by triggers).';

insert into privacy.hidden_row (schema_name, table_name, row_id, refs)
select r.schema_name, r.table_name, r.row_id, pg_catalog.count(*)
from privacy.restricted_row r
group by r.schema_name, r.table_name, r.row_id;
