-- integritet: privacy.hidden_row (migration 0007) follows privacy.restricted_row.
--
-- Row-level security leaves out the rows listed in privacy.hidden_row. Its owner, privacy_view_owner,
-- may read that table whole, and nothing of privacy.restricted_row (which says whose the rows are
-- and why they are kept). Each hidden row counts the restricted rows that hide it (refs): it
-- stays hidden until the last one goes. Statement triggers keep the count, so an erasure that
-- restricts thousands of rows in one statement updates it in one statement too. Concurrent writers
-- of the same key queue on its privacy.hidden_row row: the count is updated in place, and a row
-- is deleted only in a later statement of the transaction that brought its count to zero.
--
-- needs: none

-- Why invoker: fired by writes to privacy.restricted_row, which only its owner makes (through the
-- subject functions, definer, owned by it); that owner owns privacy.hidden_row too.
create or replace function privacy.hidden_row_count()
returns trigger
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'TRUNCATE' then
    truncate privacy.hidden_row;
    return null;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into privacy.hidden_row as h (schema_name, table_name, row_id, refs)
    select n.schema_name, n.table_name, n.row_id, pg_catalog.count(*)
    from new_rows n
    group by n.schema_name, n.table_name, n.row_id
    order by n.schema_name, n.table_name, n.row_id
    on conflict (schema_name, table_name, row_id) do update set refs = h.refs OPERATOR(pg_catalog.+) excluded.refs;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update privacy.hidden_row h set refs = h.refs OPERATOR(pg_catalog.-) o.n
    from (select x.schema_name, x.table_name, x.row_id, pg_catalog.count(*)::integer as n
          from old_rows x group by x.schema_name, x.table_name, x.row_id) o
    where h.schema_name = o.schema_name and h.table_name = o.table_name and h.row_id = o.row_id;
    delete from privacy.hidden_row h
    using (select distinct x.schema_name, x.table_name, x.row_id from old_rows x) o
    where h.schema_name = o.schema_name and h.table_name = o.table_name and h.row_id = o.row_id
      and h.refs <= 0;
  end if;
  return null;
end
$$;
comment on function privacy.hidden_row_count() is
  'Trigger: counts in privacy.hidden_row the rows of privacy.restricted_row that hide each row (internal).';
revoke execute on function privacy.hidden_row_count() from public;

create or replace trigger hidden_row_insert after insert on privacy.restricted_row
  referencing new table as new_rows for each statement execute function privacy.hidden_row_count();
create or replace trigger hidden_row_update after update on privacy.restricted_row
  referencing old table as old_rows new table as new_rows for each statement execute function privacy.hidden_row_count();
create or replace trigger hidden_row_delete after delete on privacy.restricted_row
  referencing old table as old_rows for each statement execute function privacy.hidden_row_count();
create or replace trigger hidden_row_truncate after truncate on privacy.restricted_row
  for each statement execute function privacy.hidden_row_count();

-- Why definer: privacy_admin members repair privacy.hidden_row after privacy.verify() found it out
-- of step (its triggers disabled, say); only its owner writes it. Returns how many rows it lists.
create or replace function privacy.rebuild_hidden_rows()
returns bigint
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_rows bigint;
begin
  -- No restriction may come or go while the count is made anew.
  lock table privacy.restricted_row, privacy.hidden_row in share row exclusive mode;
  delete from privacy.hidden_row;
  insert into privacy.hidden_row (schema_name, table_name, row_id, refs)
  select r.schema_name, r.table_name, r.row_id, pg_catalog.count(*)
  from privacy.restricted_row r
  group by r.schema_name, r.table_name, r.row_id;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;
comment on function privacy.rebuild_hidden_rows() is
  'Counts privacy.hidden_row anew from privacy.restricted_row; returns how many rows it lists.';
revoke execute on function privacy.rebuild_hidden_rows() from public;
grant execute on function privacy.rebuild_hidden_rows() to privacy_admin;

grant select on privacy.hidden_row to privacy_view_owner, privacy_admin;

-- Enforcement generated before migration 0007 read privacy.restricted_row: it is made anew by
-- sql/950-enforcement-upgrade.sql, once every definition here is in place.
