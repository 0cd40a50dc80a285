-- integritet 0017 down: partitions handed over and not yet retired stay as they are (attached,
-- or detached and named in the ledger's run only once retired); the next sweep drops them in its
-- own transaction, as before 0017.

drop table privacy.partition_retirement;
