-- integritet 0005: data subjects' rights — links to a subject through foreign keys, restricted
-- rows (GDPR Art. 18), the record of rows an erasure anonymized, and subject requests with their
-- deadline (Art. 12(3)).
--
-- The functions that use these tables live in ../sql/4xx-*.sql (repeatable).

-- Rows of a table belong to a subject through a foreign key when the row they reference does:
-- a position belongs to the vehicle its device is fitted to. The constraint is named, so the link
-- is checked against the real foreign key whenever it is used.
create table privacy.subject_path (
  subject_type    text not null references privacy.subject_type on delete cascade,
  schema_name     name not null,
  table_name      name not null,
  constraint_name name not null,
  parent_schema   name not null,
  parent_table    name not null,
  declared_at     timestamptz not null default pg_catalog.now(),
  declared_by     name not null default session_user,
  primary key (subject_type, schema_name, table_name, constraint_name)
);
comment on table privacy.subject_path is
  'Tables whose rows belong to a subject through a foreign key to a table linked to that subject.';

-- Requests of data subjects: access (Art. 15), portability (Art. 20), erasure (Art. 17) and
-- restriction (Art. 18). Answered within one month of receipt, extendable by two further months
-- (Art. 12(3)). The note may hold personal data: it stays here and never reaches the ledger.
create table privacy.subject_request (
  id               bigint generated always as identity primary key,
  kind             text not null check (kind in ('access', 'portability', 'erasure', 'restriction')),
  subject_type     text not null references privacy.subject_type,
  subject_id       text not null,
  received_on      date not null,
  deadline         date not null,
  extended_because text,
  status           text not null default 'received'
                   check (status in ('received', 'in_progress', 'done', 'refused', 'failed')),
  outcome          jsonb,
  note             text,
  attempts         integer not null default 0,
  received_at      timestamptz not null default pg_catalog.now(),
  received_by      name not null default session_user,
  completed_at     timestamptz,
  completed_by     name,
  check (deadline >= received_on)
);
create index subject_request_open_idx on privacy.subject_request (deadline) where status not in ('done', 'refused');
create index subject_request_subject_idx on privacy.subject_request (subject_type, subject_id);
comment on table privacy.subject_request is
  'Requests of data subjects (access, portability, erasure, restriction) and their one-month deadline.';

-- Restricted rows: kept, but invisible to masked roles (the masked views anti-join on
-- (schema_name, table_name, row_id)). One entry per row, subject and origin: a row restricted by
-- a subject's request (origin `restriction`, until lifted) or kept back by an erasure because a
-- statutory minimum, a hold or a reference keeps it (origin `erasure`, erased when that ends).
-- row_id is what a masked view can compute from the row without text conversion (the integer key,
-- or a hash of the key); row_key is the key as text (UTC, ISO), exact.
create table privacy.restricted_row (
  schema_name   name not null,
  table_name    name not null,
  row_key       text[] not null,
  subject_type  text not null references privacy.subject_type,
  subject_id    text not null,
  origin        text not null check (origin in ('restriction', 'erasure')),
  row_id        bigint not null,
  reason        text not null,
  hold_id       bigint references privacy.hold,
  until         date,
  request_id    bigint references privacy.subject_request,
  restricted_at timestamptz not null default pg_catalog.now(),
  restricted_by name not null default session_user,
  primary key (schema_name, table_name, row_key, subject_type, subject_id, origin)
);
create index restricted_row_match_idx on privacy.restricted_row (schema_name, table_name, row_id);
create index restricted_row_subject_idx on privacy.restricted_row (subject_type, subject_id, origin);
comment on table privacy.restricted_row is
  'Rows restricted (GDPR Art. 18): kept, invisible to masked roles; by request, or kept back by an erasure.';

-- Rows an erasure anonymized in place, so that erasing the same subject again leaves them be.
-- Keys only, never values.
create table privacy.erased_row (
  schema_name name not null,
  table_name  name not null,
  row_key     text[] not null,
  request_id  bigint references privacy.subject_request,
  erased_at   timestamptz not null default pg_catalog.now(),
  primary key (schema_name, table_name, row_key)
);
comment on table privacy.erased_row is 'Rows an erasure anonymized in place (their keys), so a second erasure leaves them be.';
