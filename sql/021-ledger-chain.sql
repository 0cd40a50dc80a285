-- integritet: verifying the ledger's hash chain (migrations/0012-ledger-chain.up.sql builds it).
--
--   select * from privacy.verify_ledger();   -- no rows: every entry is there, unaltered, in order
--
-- Each entry's hash covers the hash of the entry before it, so an entry altered, deleted,
-- reordered or slipped in past the chain's trigger breaks the chain at that point, whoever did
-- it. What this cannot show is a chain rewritten from the start by someone who can also rewrite
-- the head: keep the head hash that `integritet ledger verify` prints somewhere else (a ticket,
-- the backup log) and compare it with a later run.
--
-- needs: none

-- Why invoker: it only reads the ledger and the chain's head, which privacy_admin may read.
create or replace function privacy.verify_ledger()
returns table (problem text, chain_seq bigint, ledger_id bigint, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with chain as (
    select l.id, l.chain_seq, l.prev_hash, l.entry_hash,
           privacy.ledger_entry_hash(l.prev_hash, l.chain_seq, l.id, l.at, l.actor, l.acting_role, l.action, l.object,
                                     l.detail) as computed,
           pg_catalog.lag(l.chain_seq) over w as before_seq,
           pg_catalog.lag(l.entry_hash) over w as before_hash
      from privacy.ledger l
     where l.chain_seq is not null
    window w as (order by l.chain_seq)
  ),
  head as (select h.last_seq, h.last_hash from privacy.ledger_chain_head h),
  last_entry as (select c.chain_seq, c.entry_hash from chain c order by c.chain_seq desc limit 1)
  select f.problem, f.chain_seq, f.ledger_id, f.message
    from (
      select 'altered' as problem, c.chain_seq, c.id as ledger_id,
             pg_catalog.format('entry %s (chain place %s) does not match its hash: its content or place was changed', c.id,
                               c.chain_seq) as message
        from chain c
       where c.entry_hash is distinct from c.computed
      union all
      select 'missing', c.chain_seq, c.id,
             case when c.chain_seq operator(pg_catalog.<) coalesce(c.before_seq, 0) + 1
                  then pg_catalog.format('entry %s (chain place %s) is out of order', c.id, c.chain_seq)
                  else pg_catalog.format('%s entries before entry %s (chain places %s to %s) are missing: deleted',
                                         c.chain_seq - coalesce(c.before_seq, 0) - 1, c.id, coalesce(c.before_seq, 0) + 1,
                                         c.chain_seq - 1)
             end
        from chain c
       where c.chain_seq operator(pg_catalog.<>) coalesce(c.before_seq, 0) + 1
      union all
      select 'broken_link', c.chain_seq, c.id,
             pg_catalog.format('entry %s (chain place %s) does not follow the entry before it: entries were reordered or replaced',
                               c.id, c.chain_seq)
        from chain c
       where c.chain_seq operator(pg_catalog.=) coalesce(c.before_seq, 0) + 1
         and c.prev_hash is distinct from coalesce(c.before_hash, '\x'::bytea)
      union all
      select 'unchained', null, l.id,
             pg_catalog.format('entry %s is not in the chain: it was written past the chain''s trigger', l.id)
        from privacy.ledger l
       where l.chain_seq is null
      union all
      select 'missing_tail', h.last_seq, null,
             pg_catalog.format('the chain ends at place %s, its head says %s: the last entries were deleted or changed',
                               coalesce(e.chain_seq, 0), h.last_seq)
        from head h left join last_entry e on true
       where coalesce(e.chain_seq, 0) operator(pg_catalog.<>) h.last_seq
          or coalesce(e.entry_hash, '\x'::bytea) is distinct from h.last_hash
    ) f
   order by f.chain_seq nulls last, f.ledger_id;
$$;
comment on function privacy.verify_ledger() is
  'Walks the ledger''s hash chain; one row per entry altered, missing, out of order or unchained. No rows: intact.';

revoke execute on function privacy.verify_ledger() from public;
grant execute on function privacy.verify_ledger() to privacy_admin;
grant select on privacy.ledger_chain_head to privacy_admin;
grant execute on function privacy.ledger_entry_hash(bytea, bigint, bigint, timestamptz, name, text, text, text, jsonb)
  to privacy_admin;
