-- integritet 0016 down: nothing to take back. 0016 brought no table or column; the erasure
-- functions of the latest definitions stay installed (sql/README.md), and the next `migrate up`
-- applies sql/ afresh.
select 1;
