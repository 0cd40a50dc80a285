-- integritet 0003: the mask strategy library's tables — custom strategies, write-minimisation
-- rules in the strategy registry, the pseudonym key, and the word lists of the `fake` strategy.
--
-- The functions that use them live in ../sql/1xx-*.sql (repeatable).

-- Custom strategies name the function that implements them (schema.function, taking
-- (value T, params jsonb) and returning T); built-in strategies are privacy.mask_<name> and
-- leave it NULL.
alter table privacy.strategy add column function_name text;
comment on column privacy.strategy.function_name is
  'Custom strategies: the implementing function as a quoted schema.function; NULL for built-in ones.';

-- Write-minimisation rules (applied by BEFORE INSERT/UPDATE triggers) share the registry, so
-- their parameters are declared and validated exactly like those of masks.
alter table privacy.strategy drop constraint strategy_usable_for_check;
alter table privacy.strategy add constraint strategy_usable_for_check
  check (usable_for in ('mask', 'anonymize', 'both', 'write'));

-- The keys of the `pseudonym` strategy (HMAC-SHA256). Nobody but the owner may read it: only
-- privacy.pseudonym_hmac(), a definer function returning HMACs, ever touches a key. At most one
-- key is current (retired_at is null); rotation retires it and adds a new one.
create table privacy.pseudonym_key (
  id         bigint generated always as identity primary key,
  key        bytea not null check (pg_catalog.octet_length(key) >= 32),
  created_at timestamptz not null default pg_catalog.now(),
  retired_at timestamptz,
  check (retired_at is null or retired_at >= created_at)
);
create unique index pseudonym_key_current_idx on privacy.pseudonym_key ((true)) where retired_at is null;
revoke all on privacy.pseudonym_key from public;
comment on table privacy.pseudonym_key is
  'Keys of the pseudonym strategy; readable by its owner only (never granted), used through pseudonym_hmac().';

-- The first key: 64 bytes from three gen_random_uuid() (core, strong random source; pgcrypto's
-- gen_random_bytes is not guaranteed to be installed), compressed with sha512.
insert into privacy.pseudonym_key (key)
values (pg_catalog.sha512(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
                          operator(pg_catalog.||) pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
                          operator(pg_catalog.||) pg_catalog.uuid_send(pg_catalog.gen_random_uuid())));

-- Invented words the `fake` strategy picks from, by a hash of the value; filled by
-- sql/150-fake-words.sql. Positions run 1..n without gaps within each (locale, kind).
create table privacy.fake_word (
  locale   text not null check (locale ~ '^[a-z]{2}$'),
  kind     text not null check (kind ~ '^[a-z][a-z_]*$'),
  position integer not null check (position >= 1),
  word     text not null check (word <> ''),
  primary key (locale, kind, position)
);
comment on table privacy.fake_word is
  'Word lists (first names, last names, companies, streets, cities) of the fake strategy, per locale.';
