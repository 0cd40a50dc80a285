-- integritet 0012: the ledger as a hash chain, so that altering, deleting or reordering an
-- entry shows even when it was done by someone who bypassed the append-only trigger (a
-- superuser with session_replication_role = replica, or the table's owner disabling it).
--
-- Each entry carries its place in the chain (chain_seq), the hash of the entry before it
-- (prev_hash) and its own hash (entry_hash): sha256 over prev_hash and the entry's content.
-- privacy.ledger_chain_head holds the last place and hash; an append locks that one row, so
-- concurrent writers queue for the moment between their append and their commit, and the chain
-- order is the order in which the entries became visible. privacy.verify_ledger()
-- (sql/021-ledger-chain.sql) walks the chain.
--
-- The hash and the append are defined here, not in sql/: stored hashes depend on them, so a
-- change to either is a new migration that re-chains, never an edit of a repeatable file.

alter table privacy.ledger
  add column chain_seq  bigint,
  add column prev_hash  bytea,
  add column entry_hash bytea;
create unique index ledger_chain_seq_idx on privacy.ledger (chain_seq);
comment on column privacy.ledger.chain_seq is 'Place in the hash chain (1, 2, …): the order entries were appended in.';
comment on column privacy.ledger.prev_hash is 'entry_hash of the entry before it in the chain (empty for the first).';
comment on column privacy.ledger.entry_hash is 'sha256 of prev_hash and this entry''s content: privacy.ledger_entry_hash().';

create table privacy.ledger_chain_head (
  only_row  boolean primary key default true check (only_row),
  last_seq  bigint not null,
  last_hash bytea not null
);
comment on table privacy.ledger_chain_head is
  'The last entry of the ledger''s hash chain: appends lock this row; a deleted last entry shows against it.';

-- Why invoker: a pure function of its arguments.
create function privacy.ledger_entry_hash(prev_hash bytea, chain_seq bigint, id bigint, at timestamptz, actor name,
                                          acting_role text, action text, object text, detail jsonb)
returns bytea
language sql stable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  -- The time in UTC with microseconds, so the hash does not depend on the session's TimeZone;
  -- jsonb's text form is canonical (keys sorted, no insignificant white space).
  select pg_catalog.sha256(
    ledger_entry_hash.prev_hash operator(pg_catalog.||) pg_catalog.convert_to(
      pg_catalog.jsonb_build_array(
        ledger_entry_hash.chain_seq, ledger_entry_hash.id,
        pg_catalog.to_char(pg_catalog.timezone('UTC', ledger_entry_hash.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        ledger_entry_hash.actor, ledger_entry_hash.acting_role, ledger_entry_hash.action, ledger_entry_hash.object,
        ledger_entry_hash.detail)::text,
      'UTF8'));
$$;
comment on function privacy.ledger_entry_hash(bytea, bigint, bigint, timestamptz, name, text, text, text, jsonb) is
  'The hash of a ledger entry: sha256 of the previous entry''s hash and this entry''s content.';

-- Why invoker: fired by inserts into the ledger, which only its owner (through the toolkit's
-- definer functions and triggers) can make; it writes nothing the inserting role could not.
create function privacy.ledger_chain_append()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_seq  bigint;
  v_hash bytea;
begin
  -- The row lock serialises appends until the appending transaction ends.
  select h.last_seq, h.last_hash into v_seq, v_hash from privacy.ledger_chain_head h for update;
  new.chain_seq := v_seq operator(pg_catalog.+) 1;
  new.prev_hash := v_hash;
  new.entry_hash := privacy.ledger_entry_hash(new.prev_hash, new.chain_seq, new.id, new.at, new.actor, new.acting_role,
                                              new.action, new.object, new.detail);
  update privacy.ledger_chain_head set last_seq = new.chain_seq, last_hash = new.entry_hash;
  return new;
end
$$;
comment on function privacy.ledger_chain_append() is 'Trigger: links each new ledger entry into the hash chain.';

-- Existing entries are chained in the order of their ids (the order they were written in).
-- The append-only trigger (sql/020-ledger.sql) is set aside for this one update, if present.
insert into privacy.ledger_chain_head (last_seq, last_hash) values (0, '\x');
do $backfill$
declare
  v_guarded boolean := exists (select from pg_catalog.pg_trigger
                               where tgrelid = 'privacy.ledger'::regclass and tgname = 'ledger_no_update_or_delete');
  v_seq  bigint := 0;
  v_hash bytea := '\x';
  r      record;
begin
  if v_guarded then
    alter table privacy.ledger disable trigger ledger_no_update_or_delete;
  end if;
  for r in select * from privacy.ledger order by id loop
    v_seq := v_seq + 1;
    update privacy.ledger l
       set chain_seq = v_seq, prev_hash = v_hash,
           entry_hash = privacy.ledger_entry_hash(v_hash, v_seq, r.id, r.at, r.actor, r.acting_role, r.action, r.object, r.detail)
     where l.id = r.id
    returning l.entry_hash into v_hash;
  end loop;
  update privacy.ledger_chain_head set last_seq = v_seq, last_hash = v_hash;
  if v_guarded then
    alter table privacy.ledger enable trigger ledger_no_update_or_delete;
  end if;
end
$backfill$;

create trigger ledger_chain_append
  before insert on privacy.ledger
  for each row execute function privacy.ledger_chain_append();

-- Nobody writes the chain's head but the appends; privacy_admin may read it to verify.
revoke all on privacy.ledger_chain_head from public;
revoke execute on function privacy.ledger_entry_hash(bytea, bigint, bigint, timestamptz, name, text, text, text, jsonb) from public;
revoke execute on function privacy.ledger_chain_append() from public;
