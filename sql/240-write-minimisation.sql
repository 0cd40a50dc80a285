-- integritet: minimisation on write — data that is never needed in full is never stored in full.
--
--   select privacy.set_write_rule('admin_user', 'last_login_ip', 'truncate_ip');
--   select privacy.set_write_rule('vehicle', 'notes', 'scrub_text');
--
-- A write rule is applied by generated trigger functions, called by BEFORE triggers on INSERT
-- (privacy_minimise) and on UPDATE (privacy_minimise_update) for every role, the owner included,
-- on any table (protected or not); COPY and multi-row INSERT go through them too. The rules
-- themselves are in sql/170–172.
--
-- needs: 010-names, 015-ddl-locks, 031-strategies, 180-strategy-call

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

-- Why invoker: pure formatting. A test, true only when a write rule would store value_sql
-- exactly as it is (every byte), so that the trigger need not be called for that value; cheaper
-- than the rule where that pays (capping a float is two conversions through text), or NULL when
-- no such test is known (the trigger is then called for every row). A test may say false
-- for a value the rule leaves as it is, never true for one it would change:
--   * cap_precision, float8: a nonzero v with |v| < 10^(15-d) and v = round(v·10^d)/10^d is the
--     double nearest a decimal k/10^d of at most 15 digits; the rule writes that decimal to 15
--     digits (exactly it, as DBL_DIG promises), rounds it to d decimals (no change) and reads it
--     back to the nearest double: v again. NaN, infinities and zero (-0 would become 0) fail it.
--   * cap_precision, numeric: a value of scale d is what rounding to d decimals gives (digits and
--     scale alike; 1.5 rounded to 3 decimals is 1.500, so an equal value is not enough).
--   * truncate_ip: the rule's own result, equal as inet or cidr only when identical.
-- test/masking/write-minimisation.test.ts checks the tests against the rules, value by value.
create or replace function privacy.write_rule_unchanged_sql(rule text, params jsonb, value_sql text, value_type regtype)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_base   regtype := privacy.base_type(value_type);
  v_params jsonb := privacy.strategy_defaults(rule) || coalesce(params, '{}');
  v_digits integer;
begin
  -- Only built-in rules have tests (a registered function is no built-in rule, whatever its name).
  if exists (select from privacy.strategy s where s.name = write_rule_unchanged_sql.rule and s.function_name is not null) then
    return null;
  end if;
  if rule = 'cap_precision' then
    v_digits := (v_params->>'digits')::integer;
    if v_digits is null or v_digits not between 0 and 15 then
      return null;
    elsif v_base = 'pg_catalog.float8'::regtype then
      return pg_catalog.format(
        -- The comparison first: for a value the rule changes it alone is evaluated.
        '(%1$s = pg_catalog.round(%1$s * %3$L::pg_catalog.float8) / %3$L::pg_catalog.float8'
        ' and %1$s <> 0::pg_catalog.float8 and pg_catalog.abs(%1$s) < %2$L::pg_catalog.float8)',
        value_sql, '1e' || (15 - v_digits), '1e' || v_digits);
    elsif v_base = 'pg_catalog.numeric'::regtype then
      return pg_catalog.format('pg_catalog.scale(%s) = %s', value_sql, v_digits);
    end if;
  elsif rule = 'truncate_ip' and v_base in ('pg_catalog.inet'::regtype, 'pg_catalog.cidr'::regtype) then
    return pg_catalog.format('%s = %s', value_sql, privacy.write_rule_call(rule, params, value_sql, value_type));
  end if;
  return null;
end
$$;
comment on function privacy.write_rule_unchanged_sql(text, jsonb, text, regtype) is
  'SQL true only when a write rule would store the value unchanged (a trigger''s WHEN condition), or NULL (internal).';

-- Why definer: creating the trigger on a user table needs its owner's rights (the installer's).
-- Two triggers call generated functions: privacy_minimise before every INSERT (COPY and
-- multi-row INSERT included) calls privacy.minimise_<hash>(), privacy_minimise_update before an
-- UPDATE of a column with a rule calls privacy.minimise_<hash>_update().
-- What they cost: a call of a PL/pgSQL function is about 0.5 µs a row, and a `set search_path`
-- clause (saved and restored around each call) about 0.9 µs more, before any rule runs. So each
-- trigger has a WHEN condition, evaluated without a call, that is false only for rows every rule
-- would store as they are: on INSERT when each value passes its rule's test
-- (write_rule_unchanged_sql; with a rule that has none the trigger is called for every row), on
-- UPDATE also when no such column changed.
-- The INSERT function has no `set search_path` when every rule of the table is a built-in one:
-- the one exception, among the toolkit's PL/pgSQL functions, to a pinned search_path (checked,
-- and attacked, by test/attacks/write-rule-search-path.test.ts). It runs for every inserted row
-- a rule changes, in the writer's search_path, and that is safe because nothing in it is looked
-- up there: its body is `new.<column> := <call>;` lines and `return new`, each call written by
-- write_rule_call with the rule's function, every type and cast schema-qualified, and the
-- built-in rules are inlinable SQL functions that qualify every function and operator themselves
-- (sql/171, sql/172: they are parsed in the writer's search_path when inlined, as masks are in
-- the reader's). A registered (custom) rule is the DBA's own function, which may not qualify its
-- names, so a table with one keeps the pinned search_path. The UPDATE function keeps it too: it
-- compares old and new values (`is distinct from` finds `=` by the search_path), and updates of
-- minimised columns are rare.
-- Measured on the reference position table (bench/write-path.ts, 200 000 inserts, coordinates
-- capped to 5 decimals): coordinates already within 5 decimals 1.00-1.03x the table without
-- triggers; coordinates of 7 decimals (every row changed, backend CPU time of alternating runs)
-- 1.21-1.26x with the pinned search_path and the rule rounding through numeric, 1.07-1.10x with
-- neither (cap_precision computes in float8 where that is exact, sql/171).
create or replace function privacy.sync_write_rules(schema_name name, table_name name)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
  v_function name := privacy.minimise_function_name(schema_name, table_name);
  v_update_function name := privacy.minimise_function_name(schema_name, table_name) || '_update';
  v_insert  text;
  v_update  text;
  v_columns text;
  v_when_insert text;
  v_when_update text;
  v_builtin boolean;
  v_trigger name;
  v_old     name;
begin
  -- On UPDATE only a changed value is minimised: the stored one already was, and a rule such as
  -- pseudonymise must not be applied to its own output.
  select pg_catalog.string_agg(pg_catalog.format('  new.%I := %s;', x.column_name, x.call), E'\n' order by x.column_name),
         pg_catalog.string_agg(pg_catalog.format('  if new.%1$I is distinct from old.%1$I then new.%1$I := %2$s; end if;',
                                                 x.column_name, x.call), E'\n' order by x.column_name),
         pg_catalog.string_agg(pg_catalog.format('%I', x.column_name), ', ' order by x.column_name),
         case when pg_catalog.bool_and(x.unchanged is not null)
              then pg_catalog.string_agg(x.unchanged, ' and ' order by x.column_name) end,
         pg_catalog.string_agg(pg_catalog.format('new.%1$I is distinct from old.%1$I', x.column_name)
                               || case when x.unchanged is null then '' else pg_catalog.format(' and (%s) is not true', x.unchanged) end,
                               ' or ' order by x.column_name),
         pg_catalog.bool_and(x.builtin)
    into v_insert, v_update, v_columns, v_when_insert, v_when_update, v_builtin
  from (select r.column_name,
               privacy.write_rule_call(r.write_rule, r.write_params, pg_catalog.format('new.%I', r.column_name), t.type) as call,
               privacy.write_rule_unchanged_sql(r.write_rule, r.write_params, pg_catalog.format('new.%I', r.column_name), t.type)
                 as unchanged,
               exists (select from privacy.strategy s where s.name = r.write_rule and s.builtin and s.function_name is null)
                 as builtin
        from privacy.column_rule r,
             lateral (select privacy.column_type(r.schema_name, r.table_name, r.column_name) as type) t
        where r.schema_name = sync_write_rules.schema_name and r.table_name = sync_write_rules.table_name
          and r.write_rule is not null) x;

  if v_insert is null then
    -- Looked up rather than `drop trigger if exists`, which would print a notice every time.
    for v_trigger in
      select t.tgname from pg_catalog.pg_trigger t
      where t.tgname in ('privacy_minimise', 'privacy_minimise_update') and t.tgparentid = 0
        and t.tgrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name))
    loop
      -- Without a long wait in the lock queue (sql/015-ddl-locks.sql).
      perform privacy.lock_for_ddl(array[pg_catalog.format('%I.%I', schema_name, table_name)::regclass]);
      execute pg_catalog.format('drop trigger %I on %I.%I', v_trigger, schema_name, table_name);
    end loop;
    foreach v_old in array array[v_function, v_update_function] loop
      if pg_catalog.to_regprocedure(pg_catalog.format('privacy.%I()', v_old)) is not null then
        execute pg_catalog.format('drop function privacy.%I()', v_old);
      end if;
    end loop;
    return;
  end if;
  execute pg_catalog.format($f$create or replace function privacy.%I() returns trigger
language plpgsql
%s
as $body$
-- Generated by integritet from privacy.column_rule (write rules of %I.%I); regenerated on change.
-- Why invoker: applies the rules as the role that inserts; the trigger calls it only for rows a
-- rule may change (its WHEN condition). %s
begin
%s
  return new;
end
$body$$f$, v_function,
    case when v_builtin then '' else 'set search_path = pg_catalog, pg_temp' end,
    schema_name, table_name,
    case when v_builtin
         then 'No search_path of its own: nothing here is looked up in it (sql/240-write-minimisation.sql).'
         else 'A registered rule: the search_path is pinned.' end,
    v_insert);
  execute pg_catalog.format($f$create or replace function privacy.%I() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $body$
-- Generated by integritet from privacy.column_rule (write rules of %I.%I); regenerated on change.
-- Why invoker: applies the rules as the role that updates; the trigger calls it only for rows
-- where a value with a rule changed (its WHEN condition).
begin
%s
  return new;
end
$body$$f$, v_update_function, schema_name, table_name, v_update);
  foreach v_old in array array[v_function, v_update_function] loop
    execute pg_catalog.format('revoke all on function privacy.%I() from public', v_old);
  end loop;
  execute pg_catalog.format('comment on function privacy.%I() is %L', v_function,
                            pg_catalog.format('integritet: write rules of %I.%I on INSERT (generated)', schema_name, table_name));
  execute pg_catalog.format('comment on function privacy.%I() is %L', v_update_function,
                            pg_catalog.format('integritet: write rules of %I.%I on UPDATE (generated)', schema_name, table_name));
  perform privacy.lock_for_ddl(array[pg_catalog.format('%I.%I', schema_name, table_name)::regclass]);
  execute pg_catalog.format('create or replace trigger privacy_minimise before insert on %I.%I for each row %s'
                            'execute function privacy.%I()', schema_name, table_name,
                            case when v_when_insert is not null then pg_catalog.format('when ((%s) is not true) ', v_when_insert) end,
                            v_function);
  execute pg_catalog.format('create or replace trigger privacy_minimise_update before update of %s on %I.%I for each row '
                            'when (%s) execute function privacy.%I()', v_columns, schema_name, table_name,
                            v_when_update, v_update_function);
end
$fn$;
comment on function privacy.sync_write_rules(name, name) is
  'Regenerates the BEFORE triggers that apply a table''s write rules (or drops them when there are none).';

revoke execute on function privacy.write_rule_unchanged_sql(text, jsonb, text, regtype),
  privacy.sync_write_rules(name, name), privacy.minimise_function_name(name, name) from public;

-- Tables given write rules by an earlier version of this file get their triggers as this version
-- writes them, when the migration runs. A table whose rules no longer fit it (a column's type
-- changed) keeps the triggers it has, with a warning naming it.
do $write_rules_upgrade$
declare
  t record;
begin
  for t in
    select distinct r.schema_name, r.table_name from privacy.column_rule r
    where r.write_rule is not null
      and pg_catalog.to_regclass(pg_catalog.format('%I.%I', r.schema_name, r.table_name)) is not null
    order by 1, 2
  loop
    begin
      perform privacy.sync_write_rules(t.schema_name, t.table_name);
    exception when others then
      raise warning '%', pg_catalog.format('write rules of %I.%I not regenerated: %s', t.schema_name, t.table_name, sqlerrm);
    end;
  end loop;
end
$write_rules_upgrade$;

grant execute on function privacy.set_write_rule(text, text, text, jsonb), privacy.clear_write_rule(text, text)
  to privacy_admin;
