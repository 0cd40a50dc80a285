-- integritet 0012 down: the ledger without its hash chain (the entries stay).

drop function if exists privacy.verify_ledger();
drop trigger if exists ledger_chain_append on privacy.ledger;
drop function if exists privacy.ledger_chain_append();
drop function if exists privacy.ledger_entry_hash(bytea, bigint, bigint, timestamptz, name, text, text, text, jsonb);
drop table if exists privacy.ledger_chain_head;
drop index if exists privacy.ledger_chain_seq_idx;
alter table privacy.ledger drop column chain_seq, drop column prev_hash, drop column entry_hash;
