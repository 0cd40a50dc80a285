-- integritet 0018 down: the plan types stay. `migrate down` leaves the latest definitions of sql/
-- installed (sql/README.md), and their functions take and return these types: dropping them would
-- take those functions with them and leave the toolkit without sweeps, guards or erasure at the
-- version migrated to. They hold no data, and the next `migrate up` finds them in place (0018 up
-- makes each only where it is missing); `migrate down --all` drops them with the schema (0001).
select 1;
