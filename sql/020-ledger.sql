-- integritet: the append-only audit ledger.
--
-- Every catalog change is written here by a trigger on the catalog table itself, so a change
-- is recorded whichever way it was made (API call, the owner's own SQL, policy apply). Sweeps,
-- erasures, exports and reveals write their own entries. Entries name objects and carry counts
-- and identifiers of the toolkit's own records: never a value of a user table, never a hold's
-- subject or note.
--
-- needs: none

-- Why invoker: only the toolkit's own definer functions and triggers, running as the catalog
-- owner, call it; no role is granted EXECUTE.
create or replace function privacy.record(action text, object text, detail jsonb default '{}')
returns void
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  insert into privacy.ledger (action, object, detail)
  values (record.action, record.object, coalesce(record.detail, '{}'::jsonb));
$$;
comment on function privacy.record(text, text, jsonb) is 'Appends one ledger entry (internal).';

-- Why invoker: raises unconditionally; nothing to read or write.
create or replace function privacy.ledger_is_append_only()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception using errcode = 'PV009', schema = 'privacy', table = 'ledger',
    message = pg_catalog.format('the ledger is append-only: %s is not allowed', pg_catalog.lower(tg_op));
end
$$;
comment on function privacy.ledger_is_append_only() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE of the ledger.';

create or replace trigger ledger_no_update_or_delete
  before update or delete on privacy.ledger
  for each row execute function privacy.ledger_is_append_only();
create or replace trigger ledger_no_truncate
  before truncate on privacy.ledger
  for each statement execute function privacy.ledger_is_append_only();

-- Why invoker: fired by changes to catalog tables, which only their owner can make.
create or replace function privacy.audit_catalog_change()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  r jsonb := pg_catalog.to_jsonb(coalesce(new, old));
  v_object text;
  v_detail jsonb;
begin
  v_object := case tg_table_name
    when 'column_rule' then pg_catalog.format('%I.%I.%I', r->>'schema_name', r->>'table_name', r->>'column_name')
    when 'subject_link' then pg_catalog.format('%I.%I.%I', r->>'schema_name', r->>'table_name', r->>'column_name')
    when 'protected_table' then pg_catalog.format('%I.%I', r->>'schema_name', r->>'table_name')
    when 'retention_policy' then pg_catalog.format('%I.%I', r->>'schema_name', r->>'table_name')
    when 'hold' then 'hold ' || (r->>'id')
    else coalesce(r->>'name', '?')
  end;
  -- The rule itself, minus bookkeeping columns; a hold keeps its subject and note out.
  v_detail := r - array['declared_at', 'declared_by', 'protected_at', 'protected_by', 'placed_at',
                        'placed_by', 'released_by', 'subject_id', 'note'];
  perform privacy.record(tg_table_name || '.' || pg_catalog.lower(tg_op), v_object, v_detail);
  return null;
end
$$;
comment on function privacy.audit_catalog_change() is 'Trigger: writes every catalog change to the ledger.';

do $triggers$
declare
  t text;
begin
  foreach t in array array['category', 'strategy', 'protected_table', 'column_rule', 'subject_type',
                           'subject_link', 'statutory_minimum', 'retention_policy', 'hold']
  loop
    execute pg_catalog.format(
      'create or replace trigger %I after insert or update or delete on privacy.%I
         for each row execute function privacy.audit_catalog_change()',
      t || '_audit', t);
  end loop;
end
$triggers$;
