-- integritet: minimisation on write — data that is never needed in full is never stored in full.
--
--   select privacy.set_write_rule('admin_user', 'last_login_ip', 'truncate_ip');
--   select privacy.set_write_rule('vehicle', 'notes', 'scrub_text');
--
-- A write rule is applied by a generated BEFORE INSERT OR UPDATE trigger (privacy_minimise) for
-- every role, the owner included, on any table (protected or not); COPY and multi-row INSERT go
-- through it too. The rules themselves are in sql/170–172.

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
create or replace function privacy.set_write_rule(table_name text, column_name text, rule text,
                                                  params jsonb default '{}')
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
  v_type   regtype;
  v_object text;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(set_write_rule.table_name) t;
  v_type := privacy.column_type(v_schema, v_table, set_write_rule.column_name);
  v_object := pg_catalog.format('%I.%I.%I', v_schema, v_table, set_write_rule.column_name);
  if not exists (select from privacy.column_rule r where r.schema_name = v_schema and r.table_name = v_table
                 and r.column_name = set_write_rule.column_name) then
    raise exception using errcode = 'PV013', schema = v_schema, table = v_table, column = set_write_rule.column_name,
      message = pg_catalog.format('%s: classify the column before giving it a write rule', v_object);
  end if;
  perform privacy.check_strategy(set_write_rule.rule, 'write', coalesce(set_write_rule.params, '{}'), v_object);
  -- Refuses a rule that has no function for this column's type (PV101), naming the column.
  perform privacy.write_rule_call(set_write_rule.rule, coalesce(set_write_rule.params, '{}'), 'new.x', v_type);
  update privacy.column_rule r
  set write_rule = set_write_rule.rule, write_params = coalesce(set_write_rule.params, '{}')
  where r.schema_name = v_schema and r.table_name = v_table and r.column_name = set_write_rule.column_name
    and (r.write_rule, r.write_params) is distinct from (set_write_rule.rule, coalesce(set_write_rule.params, '{}'));
end
$$;
comment on function privacy.set_write_rule(text, text, text, jsonb) is
  'Gives a classified column a write rule, applied before every INSERT and UPDATE.';

-- Why definer: as set_write_rule.
create or replace function privacy.clear_write_rule(table_name text, column_name text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(clear_write_rule.table_name) t;
  update privacy.column_rule r set write_rule = null, write_params = '{}'
  where r.schema_name = v_schema and r.table_name = v_table and r.column_name = clear_write_rule.column_name
    and r.write_rule is not null;
  return found;
end
$$;
comment on function privacy.clear_write_rule(text, text) is 'Removes a column''s write rule. True if it had one.';

-- Why invoker: a stable name for a table's generated trigger function, from its schema and name.
create or replace function privacy.minimise_function_name(schema_name name, table_name name)
returns name
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select ('minimise_' || pg_catalog.left(pg_catalog.md5(pg_catalog.format('%I.%I', schema_name, table_name)), 16))::name
$$;
comment on function privacy.minimise_function_name(name, name) is 'Name of the generated write-rule trigger function.';

-- Why definer: creating the trigger on a user table needs its owner's rights (the installer's).
create or replace function privacy.sync_write_rules(schema_name name, table_name name)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
  v_function name := privacy.minimise_function_name(schema_name, table_name);
  v_assignments text;
  v_columns text;
begin
  -- On UPDATE only a changed value is minimised: the stored one already was, and a rule such as
  -- pseudonymise must not be applied to its own output.
  select pg_catalog.string_agg(pg_catalog.format(
           '  if tg_op = ''INSERT'' or new.%1$I is distinct from old.%1$I then new.%1$I := %2$s; end if;', r.column_name,
           privacy.write_rule_call(r.write_rule, r.write_params, pg_catalog.format('new.%I', r.column_name),
                                   privacy.column_type(r.schema_name, r.table_name, r.column_name))), E'\n' order by r.column_name),
         pg_catalog.string_agg(pg_catalog.format('%I', r.column_name), ', ' order by r.column_name)
    into v_assignments, v_columns
  from privacy.column_rule r
  where r.schema_name = sync_write_rules.schema_name and r.table_name = sync_write_rules.table_name
    and r.write_rule is not null;

  if v_assignments is null then
    -- Checked first rather than `if exists`, which would print a notice on every declaration.
    if exists (select from pg_catalog.pg_trigger t where t.tgname = 'privacy_minimise'
               and t.tgrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name))) then
      execute pg_catalog.format('drop trigger privacy_minimise on %I.%I', schema_name, table_name);
    end if;
    if pg_catalog.to_regprocedure(pg_catalog.format('privacy.%I()', v_function)) is not null then
      execute pg_catalog.format('drop function privacy.%I()', v_function);
    end if;
    return;
  end if;
  execute pg_catalog.format($f$create or replace function privacy.%I() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $body$
-- Generated by integritet from privacy.column_rule (write rules of %I.%I); regenerated on change.
begin
%s
  return new;
end
$body$$f$, v_function, schema_name, table_name, v_assignments);
  execute pg_catalog.format('revoke all on function privacy.%I() from public', v_function);
  execute pg_catalog.format('comment on function privacy.%I() is %L', v_function,
                            pg_catalog.format('integritet: write rules of %I.%I (generated)', schema_name, table_name));
  execute pg_catalog.format('create or replace trigger privacy_minimise before insert or update of %s on %I.%I
                             for each row execute function privacy.%I()', v_columns, schema_name, table_name, v_function);
end
$fn$;
comment on function privacy.sync_write_rules(name, name) is
  'Regenerates the BEFORE trigger that applies a table''s write rules (or drops it when there are none).';

grant execute on function privacy.set_write_rule(text, text, text, jsonb), privacy.clear_write_rule(text, text)
  to privacy_admin;
