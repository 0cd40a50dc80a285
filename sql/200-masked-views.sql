-- integritet: generating what enforces a protected table — the masked view, its write trigger,
-- the grants and the row-level security policies — from the catalog.
--
-- For each protected table `s.t`:
--   * masked.t: one column per column of s.t, in order. Columns classified not_personal show as
--     stored; classified columns with a mask show the mask; every other column (personal without
--     a mask, or unclassified) shows NULL. Owned by privacy_view_owner; privacy_masked may read
--     and write it, and holds no privilege on s.t itself.
--   * row-level security on s.t: privacy_view_owner sees the rows of the tenant set with
--     privacy.set_tenant() in the current transaction, by a column of the table or one foreign keys
--     lead to (sql/206-tenant-paths.sql); all rows when the table has no tenant, none when no
--     tenant is set that no restriction hides, privacy_unmasked sees all rows raw, any
--     other role but the owner none. Every row filter is in the policy, none in the view: PostgreSQL
--     evaluates policy quals before any non-leakproof qual of the application's own, so a casting
--     or leaky WHERE never sees a row the policy leaves out (the view is no security barrier).
--   * an INSTEAD OF trigger on masked.t that writes through to s.t, keeping a masked column's
--     stored value unless the statement gives it a new one.
-- Everything here runs as the installing role, which must own the protected tables.
--
-- needs: 015-ddl-locks, 180-strategy-call
-- uses later: 201-partitions, 205-tenant, 206-tenant-paths, 235-follow-renames, 240-write-minimisation, 320-retention-guards, 410-subject-rows

drop function if exists privacy.view_column_sql(name, name, name, regtype, text);

-- Why invoker: reads the catalog only. draw_sql: the row's strong draw for a geo_noise read
-- mask (masked_view_sql), or NULL.
create or replace function privacy.view_column_sql(schema_name name, table_name name, column_name name,
                                                   column_type regtype, value_sql text, draw_sql text default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.column_rule;
  v_personal boolean;
begin
  select * into r from privacy.column_rule c
  where c.schema_name = view_column_sql.schema_name and c.table_name = view_column_sql.table_name
    and c.column_name = view_column_sql.column_name;
  select k.personal into v_personal from privacy.category k where k.name = r.category;
  if r.category is not null and not v_personal then
    return value_sql;
  end if;
  if r.mask_strategy is null or r.mask_strategy = 'null' then
    return pg_catalog.format('NULL::%s', column_type);
  end if;
  return privacy.strategy_expression(r.mask_strategy, r.mask_params, value_sql, column_type, 'mask', value_sql, draw_sql);
end
$$;
comment on function privacy.view_column_sql(name, name, name, regtype, text, text) is
  'SQL expression a masked view shows for one column: the value, its mask, or NULL (privacy by default).';

-- Why invoker: reads the catalog only.
create or replace function privacy.table_columns(schema_name name, table_name name)
returns table (column_name name, column_type regtype, type_sql text, default_sql text, is_identity boolean,
               always_identity boolean, is_generated boolean, visible boolean, in_key boolean)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select a.attname, a.atttypid::pg_catalog.regtype, pg_catalog.format_type(a.atttypid, a.atttypmod),
         case when a.attidentity <> '' then
                pg_catalog.format('pg_catalog.nextval(%L::pg_catalog.regclass)',
                                  pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', n.nspname, c.relname), a.attname))
              when a.attgenerated = '' then pg_catalog.pg_get_expr(d.adbin, d.adrelid) end,
         a.attidentity <> '', a.attidentity = 'a', a.attgenerated <> '',
         coalesce((select not k.personal from privacy.column_rule r join privacy.category k on k.name = r.category
                   where r.schema_name = n.nspname and r.table_name = c.relname and r.column_name = a.attname), false),
         exists (select from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary and a.attnum = any (i.indkey))
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  where n.nspname = table_columns.schema_name and c.relname = table_columns.table_name
    and a.attnum > 0 and not a.attisdropped
  order by a.attnum
$$;
comment on function privacy.table_columns(name, name) is
  'Columns of a table with what the generator needs: type, default, identity, visibility, key membership.';

-- Why invoker: names a table. The table the row-level security policies read to leave restricted
-- rows out: privacy.hidden_row (migration 0007). The 0007 and 0005 down migrations replace this
-- function with their version's (privacy.restricted_row; none) before they make the policies anew.
create or replace function privacy.restricted_keys_relation()
returns regclass
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select 'privacy.hidden_row'::pg_catalog.regclass
$$;
comment on function privacy.restricted_keys_relation() is
  'The table row-level security reads restricted-row keys from, or NULL below migration 0005 (internal).';

-- Why invoker: builds text from the catalog; executes nothing. Restricted rows (GDPR Art. 18,
-- sql/430-subject-restriction.sql) are left out by the table's row-level security policy, as a
-- NOT IN on the table's keys in privacy.hidden_row (migration 0007): the row's integer key, or a
-- hash of its key, never NULL (primary-key columns are NOT NULL, and so is row_id). The subquery
-- names no column of the scanned row, so the planner reads the table's hidden keys once per
-- statement into a hash table and tests each row against it, and costs it so. A correlated NOT
-- EXISTS ran the same hashed subplan, but a policy qual is not pulled up into an anti-join, so the
-- planner kept it as a choice between a probe per row and the hash and costed the statement
-- with the probe per row: at 100k rows a masked full scan was priced at twenty times its real
-- cost, which crossed jit_inline_above_cost, and compiling the statement with LLVM cost more than
-- running it (2.88x the same masks by hand in instructions; bench/masked-reads-instructions.ts).
-- The limit of this form: PostgreSQL hashes the subquery only while the planner expects the
-- table's hidden keys to fit in hash_mem (about 250k keys of one table at work_mem 4MB); past
-- that it reads them again for every row. Columns are qualified with `alias`, by default the
-- table's name, as a policy's expression names its table. NULL for a table without a primary key
-- (its rows cannot be restricted one by one), and where no table lists restricted rows.
create or replace function privacy.restricted_rows_filter_sql(schema_name name, table_name name, alias name default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_keys text := privacy.restricted_keys_relation()::text;
  v_row_id text;
  v_table name := coalesce(alias, table_name);
  -- The subquery's alias must not hide the table's own.
  v_alias text := case when v_table = 'privacy_hidden' then 'privacy_hidden_' else 'privacy_hidden' end;
begin
  if v_keys is null then
    return null;
  end if;
  v_row_id := privacy.restricted_row_id_sql(schema_name, table_name, v_table);
  if v_row_id is null then
    return null;
  end if;
  return pg_catalog.format('%s not in (select %I.row_id from %s %I where %I.schema_name = %L and %I.table_name = %L)',
                           v_row_id, v_alias, v_keys, v_alias, v_alias, schema_name, v_alias, table_name);
end
$$;
comment on function privacy.restricted_rows_filter_sql(name, name, name) is
  'The row-level security predicate that leaves a table''s restricted rows out, or NULL (internal).';

-- Why invoker: builds text from the catalog; executes nothing.
--
-- A geo_noise read mask needs a draw of the strong random source for each axis, and a draw costs
-- about 1 µs, most of a noisy point's time. So the view draws once for each point of the row, in
-- a subquery under its columns, and the point's latitude and longitude each take their noise from
-- their own bits of that draw (sql/510): half the draws, the same noise. A point is a latitude
-- column and the longitude that names it as pair_column; a second column of one axis on the same
-- point draws on its own, as every geo_noise column outside a view does (the write trigger's
-- RETURNING, previews). The draw is volatile, so PostgreSQL neither flattens that subquery nor
-- pushes a WHERE on a noisy column into it: the WHERE sees the value the column shows.
create or replace function privacy.masked_view_sql(schema_name name, table_name name)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  c record;
  v_columns text[] := '{}'::text[];
  v_points  text[] := '{}'::text[];   -- the points given a draw, the i-th read from draw column i
  v_taken   text[] := '{}'::text[];   -- point and axis pairs that read a draw
  v_point   text;
  v_axis    text;
  v_draw    text;
  v_prefix  text := 'privacy_draw';
  v_from    text;
begin
  -- Draw columns are named v_prefix_1, v_prefix_2 …, apart from every column of the table.
  while exists (select from privacy.table_columns(schema_name, table_name) t
                where pg_catalog.left(t.column_name, pg_catalog.length(v_prefix)) = v_prefix) loop
    v_prefix := v_prefix || '_';
  end loop;

  for c in select * from privacy.table_columns(schema_name, table_name) loop
    v_draw := null;
    select r.mask_params ->> 'axis',
           case when r.mask_params ->> 'axis' = 'lon' then r.mask_params ->> 'pair_column' else r.column_name::text end
      into v_axis, v_point
    from privacy.column_rule r join privacy.category k on k.name = r.category
    where r.schema_name = masked_view_sql.schema_name and r.table_name = masked_view_sql.table_name
      and r.column_name = c.column_name and r.mask_strategy = 'geo_noise' and k.personal;
    if found and v_point is not null and not (v_axis || ' ' || v_point) = any (v_taken) then
      v_taken := v_taken || (v_axis || ' ' || v_point);
      if not v_point = any (v_points) then
        v_points := v_points || v_point;
      end if;
      v_draw := pg_catalog.format('t.%I', v_prefix || '_' || pg_catalog.array_position(v_points, v_point));
    end if;
    v_columns := v_columns || pg_catalog.format('%s as %I',
      privacy.view_column_sql(schema_name, table_name, c.column_name, c.column_type, pg_catalog.format('t.%I', c.column_name), v_draw),
      c.column_name);
  end loop;

  if pg_catalog.cardinality(v_points) = 0 then
    v_from := pg_catalog.format('%I.%I t', schema_name, table_name);
  else
    v_from := pg_catalog.format('(select t.*, %s from %I.%I t) t',
      (select pg_catalog.string_agg(pg_catalog.format('pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as %I', v_prefix || '_' || i), ', ' order by i)
       from pg_catalog.generate_subscripts(v_points, 1) i),
      schema_name, table_name);
  end if;
  -- No row filter here: the table's row-level security policy filters (sync_table).
  -- Callers append a WHERE.
  return pg_catalog.format(E'select %s\nfrom %s', pg_catalog.array_to_string(v_columns, E',\n       '), v_from);
end
$$;
comment on function privacy.masked_view_sql(name, name) is 'The SELECT of a protected table''s masked view.';

-- Why invoker: builds text from the catalog; executes nothing.
create or replace function privacy.write_trigger_sql(schema_name name, table_name name, view_name name)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $fn$
declare
  c record;
  v_insert_cols text[] := '{}'::text[];
  v_insert_vals text[] := '{}'::text[];
  v_set text[] := '{}'::text[];
  v_key text[] := '{}'::text[];
  v_returning text[] := '{}'::text[];
  v_refuse text := '';
  v_key_visible boolean := true;
  v_keys int := 0;
  v_update_delete text;
begin
  for c in select * from privacy.table_columns(schema_name, table_name) loop
    v_returning := v_returning || privacy.view_column_sql(schema_name, table_name, c.column_name, c.column_type,
                                                          pg_catalog.format('t.%I', c.column_name));
    continue when c.is_generated;
    -- A GENERATED ALWAYS identity is the table's to choose, as on the table itself: an id the
    -- application gives is refused (not written OVERRIDING SYSTEM VALUE, which would let it take
    -- the sequence's next values and make other tenants' inserts fail).
    if c.always_identity then
      v_refuse := v_refuse || pg_catalog.format($f$
    if new.%1$I is not null then
      raise exception using errcode = 'generated_always', schema = %2$L, table = %3$L, column = %1$L,
        message = pg_catalog.format('cannot insert a non-DEFAULT value into column %%I', %1$L),
        detail = pg_catalog.format('Column %%I is an identity column defined as GENERATED ALWAYS.', %1$L);
    end if;$f$, c.column_name, schema_name, table_name);
    else
      v_insert_cols := v_insert_cols || pg_catalog.format('%I', c.column_name);
      -- A column the statement leaves out arrives as NULL: it gets the table's default, computed
      -- here with the view owner's rights (sequences need not be granted to applications).
      v_insert_vals := v_insert_vals || case when c.default_sql is null then pg_catalog.format('new.%I', c.column_name)
                                             else pg_catalog.format('coalesce(new.%I, %s)', c.column_name, c.default_sql) end;
    end if;
    -- What the application read of a masked column is the mask: writing it back unchanged keeps
    -- the stored value; any other value is a new value.
    -- GENERATED ALWAYS identity columns cannot be set; they keep their value.
    v_set := v_set || case when c.always_identity then null
                           when c.visible then pg_catalog.format('%I = new.%I', c.column_name, c.column_name)
                           else pg_catalog.format('%1$I = case when new.%1$I is not distinct from old.%1$I then t.%1$I else new.%1$I end',
                                                  c.column_name) end;
    if c.in_key then
      v_keys := v_keys + 1;
      v_key := v_key || pg_catalog.format('t.%1$I = old.%1$I', c.column_name);
      v_key_visible := v_key_visible and c.visible;
    end if;
  end loop;

  if v_keys > 0 and v_key_visible then
    v_update_delete := pg_catalog.format($f$
  elsif tg_op = 'UPDATE' then
    update %1$I.%2$I as t set %3$s
    where %4$s
    returning %5$s into new;
    if not found then return null; end if;
    return new;
  else
    delete from %1$I.%2$I as t where %4$s;
    if not found then return null; end if;
    return old;$f$, schema_name, table_name, pg_catalog.array_to_string(pg_catalog.array_remove(v_set, null), ', '),
      pg_catalog.array_to_string(v_key, ' and '), pg_catalog.array_to_string(v_returning, ', '));
  else
    -- Without a primary key of visible columns, a row read through the view cannot be found again.
    v_update_delete := pg_catalog.format($f$
  else
    raise exception using errcode = 'PV013', schema = %1$L, table = %2$L,
      message = pg_catalog.format('%%s of %%I.%%I through its masked view needs a primary key of not_personal columns', tg_op, %1$L, %2$L);$f$,
      schema_name, table_name);
  end if;

  return pg_catalog.format($f$create or replace function masked.%1$I() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $body$
-- Generated by integritet from the catalog; regenerated by privacy.sync(). Runs as
-- privacy_view_owner, which may write %2$I.%3$I under its row-level security policy.
begin
  if tg_op = 'INSERT' then%5$s
    insert into %2$I.%3$I as t (%4$s)
    values (%6$s)
    returning %7$s into new;
    return new;%8$s
  end if;
end
$body$$f$,
    view_name || '_write', schema_name, table_name, pg_catalog.array_to_string(v_insert_cols, ', '), v_refuse,
    pg_catalog.array_to_string(v_insert_vals, ', '), pg_catalog.array_to_string(v_returning, ', '), v_update_delete);
end
$fn$;
comment on function privacy.write_trigger_sql(name, name, name) is
  'The INSTEAD OF trigger function that writes through a masked view to its table.';

-- Before 0015 the tenant predicate took no alias; a second overload would make calls ambiguous.
drop function if exists privacy.tenant_predicate_sql(name, name);

-- Why invoker: builds text from the catalog; executes nothing. The tenant's rows: those whose
-- tenant column holds it, or whose parent on a tenant path does (sql/206-tenant-paths.sql,
-- where `alias` names the row's table: a partition's policy names the partition); `true` for a
-- table without a tenant, declared shared or not (privacy.verify() reports the latter).
create or replace function privacy.tenant_predicate_sql(schema_name name, table_name name, alias name default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  d record;
  v_type text;
begin
  select * into d from privacy.tenant_declaration(schema_name, table_name);
  if d.tenant_column is null then
    return 'true';
  end if;
  if d.tenant_via is not null then
    return privacy.tenant_path_sql(schema_name, table_name, d.tenant_via, d.tenant_column, alias);
  end if;
  select c.type_sql into v_type from privacy.table_columns(schema_name, table_name) c where c.column_name = d.tenant_column;
  -- A scalar subquery is evaluated once per statement, not per row; no tenant (NULL) matches no row.
  return pg_catalog.format($f$%I = (select privacy.current_tenant()::%s)$f$, d.tenant_column, v_type);
end
$$;
comment on function privacy.tenant_predicate_sql(name, name, name) is
  'The row-level security predicate that limits a table to the tenant of the current transaction.';

-- Why invoker: builds text from the catalog; executes nothing. The rows restricted roles may
-- read: the tenant's, less the restricted ones. Writes are checked for the tenant only (a new row
-- is restricted by no one yet).
create or replace function privacy.visible_rows_sql(schema_name name, table_name name)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select privacy.tenant_predicate_sql(schema_name, table_name)
         || coalesce(' and ' || privacy.restricted_rows_filter_sql(schema_name, table_name), '')
$$;
comment on function privacy.visible_rows_sql(name, name) is
  'The row-level security predicate of the rows restricted roles read: their tenant''s, none restricted.';

-- Why definer: regenerating views, policies and grants on the protected tables needs the rights
-- of the installing role (their owner); callers get no other use of those rights.
create or replace function privacy.sync_table(schema_name name, table_name name)
returns text
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_view_sql text;
  v_trigger_sql text;
  v_policy text;
  v_visible text;
  v_hash text;
  v_rls boolean;
  v_previous privacy.enforcement;
  s record;
  v_view name := sync_table.table_name;
  -- What privacy.syncing was when called: put back on every way out, so a call that changes
  -- nothing does not leave the DDL event trigger switched off for the rest of the transaction,
  -- and a caller that switched it off itself (a down migration) keeps it off.
  v_syncing text := coalesce(pg_catalog.current_setting('privacy.syncing', true), '');
begin
  if not exists (select from privacy.protected_table p
                 where p.schema_name = sync_table.schema_name and p.table_name = sync_table.table_name) then
    perform privacy.remove_enforcement(schema_name, table_name);
    return 'removed';
  end if;
  if exists (select from privacy.protected_table p
             where p.table_name = sync_table.table_name and p.schema_name <> sync_table.schema_name) then
    raise exception using errcode = 'PV013', schema = schema_name, table = table_name,
      message = pg_catalog.format('another protected table is named %I: masked views are named after their table', table_name);
  end if;
  perform pg_catalog.set_config('privacy.syncing', 'on', true);

  v_view_sql := privacy.masked_view_sql(schema_name, table_name);
  v_trigger_sql := privacy.write_trigger_sql(schema_name, table_name, v_view);
  v_policy := privacy.tenant_predicate_sql(schema_name, table_name);
  v_visible := privacy.visible_rows_sql(schema_name, table_name);
  v_hash := pg_catalog.md5(v_view_sql || v_trigger_sql || v_visible);
  select * into v_previous from privacy.enforcement e
  where e.schema_name = sync_table.schema_name and e.table_name = sync_table.table_name;
  if v_previous.definition_hash = v_hash
     and pg_catalog.to_regclass(pg_catalog.format('masked.%I', v_view)) is not null then
    perform privacy.enforce_descendants(schema_name, table_name, false);
    perform privacy.remember_table_identity(schema_name, table_name);
    perform pg_catalog.set_config('privacy.syncing', v_syncing, true);
    return 'unchanged';
  end if;
  -- In the order an application's read takes them (the view, then its table), without a long
  -- wait in the lock queue (sql/015-ddl-locks.sql).
  perform privacy.lock_for_ddl(array[pg_catalog.to_regclass(pg_catalog.format('masked.%I', v_view)),
                                     pg_catalog.format('%I.%I', schema_name, table_name)::regclass]);

  -- The view: replaced in place when its columns still line up (dependent objects survive),
  -- rebuilt when the table's columns changed.
  begin
    execute pg_catalog.format('create or replace view masked.%I as %s', v_view, v_view_sql);
  exception when invalid_table_definition or feature_not_supported or duplicate_column or datatype_mismatch then
    execute pg_catalog.format('drop view masked.%I', v_view);
    execute pg_catalog.format('create view masked.%I as %s', v_view, v_view_sql);
  end;
  execute pg_catalog.format('alter view masked.%I owner to privacy_view_owner', v_view);
  execute pg_catalog.format('comment on view masked.%I is %L', v_view,
    pg_catalog.format('integritet: %I.%I as privacy_masked roles read it (generated; see privacy.column_rule)', schema_name, table_name));
  execute pg_catalog.format('revoke all on masked.%I from public', v_view);
  execute pg_catalog.format('grant select, insert, update, delete on masked.%I to privacy_masked', v_view);

  execute v_trigger_sql;
  execute pg_catalog.format('alter function masked.%I() owner to privacy_view_owner', v_view || '_write');
  execute pg_catalog.format('revoke all on function masked.%I() from public', v_view || '_write');
  execute pg_catalog.format('create or replace trigger privacy_write instead of insert or update or delete on masked.%I
                             for each row execute function masked.%I()', v_view, v_view || '_write');

  -- The base table: only the view owner (under RLS) and unmasked staff may touch it.
  execute pg_catalog.format('revoke all on %I.%I from privacy_masked', schema_name, table_name);
  execute pg_catalog.format('grant select, insert, update, delete on %I.%I to privacy_view_owner', schema_name, table_name);
  execute pg_catalog.format('grant select on %I.%I to privacy_unmasked', schema_name, table_name);
  -- The write trigger computes the table's defaults as the view owner: every sequence a default
  -- reads, owned by its column or not (older dumps make them apart, with no OWNED BY).
  for s in
    select pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', schema_name, table_name), c.column_name) as seq
    from privacy.table_columns(schema_name, table_name) c
    union
    select d.refobjid::pg_catalog.regclass::text
    from pg_catalog.pg_attrdef a
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass and d.objid = a.oid
                               and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    join pg_catalog.pg_class q on q.oid = d.refobjid and q.relkind = 'S'
    where a.adrelid = pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass
  loop
    if s.seq is not null then
      execute pg_catalog.format('grant usage on sequence %s to privacy_view_owner', s.seq);
    end if;
  end loop;

  select c.relrowsecurity into v_rls from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = schema_name and c.relname = table_name;
  -- Policies have no CREATE OR REPLACE: ours are dropped and created anew.
  for s in select p.policyname from pg_catalog.pg_policies p
           where p.schemaname = schema_name and p.tablename = table_name
             and p.policyname in ('privacy_rows', 'privacy_unmasked')
  loop
    execute pg_catalog.format('drop policy %I on %I.%I', s.policyname, schema_name, table_name);
  end loop;
  execute pg_catalog.format('create policy privacy_rows on %I.%I for all to privacy_view_owner using (%s) with check (%s)',
                            schema_name, table_name, v_visible, v_policy);
  execute pg_catalog.format('create policy privacy_unmasked on %I.%I for select to privacy_unmasked using (true)',
                            schema_name, table_name);
  execute pg_catalog.format('alter table %I.%I enable row level security', schema_name, table_name);

  insert into privacy.enforcement (schema_name, table_name, rls_was_enabled, view_name, definition_hash)
  values (schema_name, table_name, v_rls, v_view, v_hash)
  on conflict on constraint enforcement_pkey do update
    set synced_at = pg_catalog.now(), definition_hash = excluded.definition_hash, view_name = excluded.view_name;
  perform privacy.grant_tenant_path(schema_name, table_name);
  perform privacy.enforce_descendants(schema_name, table_name, true);
  perform privacy.remember_table_identity(schema_name, table_name);
  perform pg_catalog.set_config('privacy.syncing', v_syncing, true);
  return case when v_previous.table_name is null then 'created' else 'updated' end;
end
$$;
comment on function privacy.sync_table(name, name) is
  'Regenerates the masked view, write trigger, grants and RLS policies of one protected table.';

-- Why definer: as sync_table.
create or replace function privacy.remove_enforcement(schema_name name, table_name name)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  e privacy.enforcement;
begin
  select * into e from privacy.enforcement x
  where x.schema_name = remove_enforcement.schema_name and x.table_name = remove_enforcement.table_name;
  if e.table_name is null then
    return;
  end if;
  perform privacy.lock_for_ddl(array[pg_catalog.to_regclass(pg_catalog.format('masked.%I', e.view_name)),
                                     pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name))]);
  execute pg_catalog.format('drop view if exists masked.%I', e.view_name);
  execute pg_catalog.format('drop function if exists masked.%I()', e.view_name || '_write');
  if pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name)) is not null then
    perform privacy.remove_descendant_enforcement(schema_name, table_name);
    execute pg_catalog.format('drop policy if exists privacy_rows on %I.%I', schema_name, table_name);
    execute pg_catalog.format('drop policy if exists privacy_unmasked on %I.%I', schema_name, table_name);
    if not e.rls_was_enabled then
      execute pg_catalog.format('alter table %I.%I disable row level security', schema_name, table_name);
    end if;
    execute pg_catalog.format('revoke all on %I.%I from privacy_view_owner, privacy_unmasked', schema_name, table_name);
  end if;
  delete from privacy.enforcement x
  where x.schema_name = remove_enforcement.schema_name and x.table_name = remove_enforcement.table_name;
end
$$;
comment on function privacy.remove_enforcement(name, name) is
  'Drops what sync_table generated for a table and restores its row-level security setting.';

-- Why invoker: reads the catalog, which privacy_admin members read. The tables `integritet
-- sync` brings in line, in the fixed order every run takes their locks in.
create or replace function privacy.sync_tables()
returns table (schema_name name, table_name name)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select p.schema_name, p.table_name from privacy.protected_table p
  union
  select e.schema_name, e.table_name from privacy.enforcement e
  union
  select r.schema_name, r.table_name from privacy.retention_policy r
  order by 1, 2
$$;
comment on function privacy.sync_tables() is
  'The tables privacy.sync() regenerates, in the order it locks them.';

-- Why definer: as sync_table. One table of privacy.sync(): its masked view, policies and grants
-- (or their removal), and any retention guard it lacks; NULL when there was nothing to report.
-- The CLI calls it once per table, each in a transaction of its own, so that no lock on one
-- table is held while waiting for another.
create or replace function privacy.sync_one(schema_name name, table_name name)
returns text
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_outcome text;
begin
  if pg_catalog.to_regclass(pg_catalog.format('%I.%I', sync_one.schema_name, sync_one.table_name)) is null then
    if exists (select from privacy.enforcement e
               where e.schema_name = sync_one.schema_name and e.table_name = sync_one.table_name)
       or exists (select from privacy.protected_table p
                  where p.schema_name = sync_one.schema_name and p.table_name = sync_one.table_name) then
      perform privacy.remove_enforcement(sync_one.schema_name, sync_one.table_name);
      return 'table is gone';
    end if;
    return null;
  end if;
  if exists (select from privacy.protected_table p
             where p.schema_name = sync_one.schema_name and p.table_name = sync_one.table_name)
     or exists (select from privacy.enforcement e
                where e.schema_name = sync_one.schema_name and e.table_name = sync_one.table_name) then
    v_outcome := privacy.sync_table(sync_one.schema_name, sync_one.table_name);
  end if;
  -- Retention guards a table or a new partition lacks (sql/320-retention-guards.sql).
  if privacy.ensure_retention_guards(sync_one.schema_name, sync_one.table_name) > 0 then
    v_outcome := coalesce(v_outcome || ', ', '') || 'retention guards made';
  end if;
  return v_outcome;
end
$$;
comment on function privacy.sync_one(name, name) is
  'Brings one table''s masked view, policies, grants and retention guards in line; NULL when it has none of them.';

-- Why definer: as sync_table; privacy_admin members call it after schema changes when no
-- event trigger does it for them. All tables in one transaction: `integritet sync` instead
-- takes them one transaction each (privacy.sync_one), which holds fewer locks at a time.
create or replace function privacy.sync()
returns table (schema_name name, table_name name, outcome text)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  t record;
begin
  -- Tables renamed since they were last synced keep their rules (sql/235-follow-renames.sql).
  perform privacy.follow_renames();
  for t in select x.schema_name, x.table_name from privacy.sync_tables() x loop
    schema_name := t.schema_name;
    table_name := t.table_name;
    outcome := privacy.sync_one(t.schema_name, t.table_name);
    if outcome is not null then
      return next;
    end if;
  end loop;
end
$$;
comment on function privacy.sync() is
  'Brings every protected table''s masked view, policies and grants in line with the catalog and the table.';

-- Why invoker: fired by catalog changes, which only the catalog owner makes.
create or replace function privacy.sync_after_catalog_change()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  r jsonb := pg_catalog.to_jsonb(coalesce(new, old));
begin
  if pg_catalog.to_regclass(pg_catalog.format('%I.%I', r->>'schema_name', r->>'table_name')) is not null then
    perform privacy.sync_table((r->>'schema_name')::name, (r->>'table_name')::name);
    if tg_table_name = 'column_rule' then
      perform privacy.sync_write_rules((r->>'schema_name')::name, (r->>'table_name')::name);
    end if;
  end if;
  return null;
end
$$;
comment on function privacy.sync_after_catalog_change() is
  'Trigger: regenerates a protected table''s enforcement when its protection or a column rule changes.';

create or replace trigger protected_table_sync after insert or update or delete on privacy.protected_table
  for each row execute function privacy.sync_after_catalog_change();
create or replace trigger column_rule_sync after insert or update or delete on privacy.column_rule
  for each row execute function privacy.sync_after_catalog_change();

grant execute on function privacy.sync(), privacy.sync_tables(), privacy.sync_one(name, name) to privacy_admin;
