-- integritet: a tenant one or more foreign keys away — rental → customer.store_id,
-- film_review → rental → customer.store_id.
--
--   select privacy.protect_table('rental', tenant_column => 'store_id', tenant_via => '{customer_id}');
--   select privacy.protect_table('film_review', tenant_column => 'store_id', tenant_via => '{rental_id,customer_id}');
--   select privacy.protect_table('film', shared => true);   -- no tenant, on purpose
--
-- A path is the list of foreign-key columns followed from the table, hop by hop, to the table
-- that holds the tenant column. Each hop must be a single-column foreign key of the table it
-- leaves (declared on it, a partitioned table's own, not only some of its partitions'): the
-- tenant of a row is only as true as the key that says which parent it belongs to.
--
-- Enforcement: the row-level security policy of the table is
--   exists (select from customer privacy_tenant_1
--           where privacy_tenant_1.customer_id = rental.customer_id
--             and privacy_tenant_1.store_id = (select privacy.current_tenant()::integer))
-- with one join per further hop. Each lookup is by the parent's key (primary key or unique, which
-- a foreign key needs, so it is indexed); the child's foreign-key column needs no index for it (it
-- is read from the row being checked). In a full scan the planner may hash the parent's rows of
-- the tenant once instead (an alternative subplan). `fk in (select the tenant's parents)` scans
-- for a seventh of that, but hashes every parent of the tenant in each statement, key lookups
-- included (200× an EXISTS lookup on 10,000 parents: bench/tenant-path-instructions.ts).
--
-- The policy is evaluated as privacy_view_owner (the owner of the masked views, and of the
-- write triggers), never as the application: the application holds no privilege on either table.
-- privacy_view_owner gets SELECT on the path's key and tenant columns only (privacy.grant_tenant_path);
-- it is a NOLOGIN role that runs only the generated views and triggers, so these grants open
-- nothing to the application. A parent that is itself protected is read under its own policy
-- there: its tenant check is the same one again, and its restricted rows hide their children too.
-- A SECURITY DEFINER lookup function (privacy.tenant_of_customer(key)) was the other way: it is
-- not inlined, so it costs a function call per row, and it is a second place to keep safe.
--
-- No row is ever let through by a path that does not hold: a row whose foreign key is NULL has no
-- parent and so no tenant (no one reads it); a path whose foreign key was dropped makes the
-- policy `false` at the next sync (the event trigger's, or privacy.sync()), and privacy.verify()
-- reports it as high (sql/226-verify-tenants.sql).
--
-- needs: 205-tenant

-- Why invoker: reads pg_catalog only. The hops of a tenant path, as far as real foreign keys
-- back them: one row per hop, in order, stopping at the first column that is not a single-column
-- foreign key of its table (or is one of several to different tables).
create or replace function privacy.tenant_path_hops(schema_name name, table_name name, via name[])
returns table (hop integer, child regclass, child_column name, not_null boolean,
               parent regclass, parent_schema name, parent_table name, parent_key name)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_rel oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', tenant_path_hops.schema_name, tenant_path_hops.table_name));
  v_fk record;
  v_found integer;
begin
  if v_rel is null or via is null then
    return;
  end if;
  for i in 1 .. pg_catalog.cardinality(via) loop
    v_found := 0;
    for v_fk in
      select distinct c.confrelid, pa.attname as parent_key, ca.attnotnull, pn.nspname, pc.relname
      from pg_catalog.pg_constraint c
      join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = c.conkey[1]
      join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
      join pg_catalog.pg_class pc on pc.oid = c.confrelid
      join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
      where c.contype = 'f' and c.conrelid = v_rel and pg_catalog.cardinality(c.conkey) = 1
        and ca.attname = via[i]
    loop
      v_found := v_found + 1;
      hop := i;
      child := v_rel::pg_catalog.regclass;
      child_column := via[i];
      not_null := v_fk.attnotnull;
      parent := v_fk.confrelid::pg_catalog.regclass;
      parent_schema := v_fk.nspname;
      parent_table := v_fk.relname;
      parent_key := v_fk.parent_key;
    end loop;
    -- No foreign key, or several to different tables: the path ends here.
    exit when v_found <> 1;
    return next;
    v_rel := parent;
  end loop;
end
$$;
comment on function privacy.tenant_path_hops(name, name, name[]) is
  'The hops of a tenant path that foreign keys back, in order; fewer rows than columns when one is not backed (internal).';

-- Why invoker: reads pg_catalog only. Raises PV016 naming the hop a foreign key does not back,
-- PV002 when the tenant column is not a column of the path's last table. Returns that column's type.
create or replace function privacy.check_tenant_path(schema_name name, table_name name, via name[], tenant_column name)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_hops integer;
  v_at regclass;
  v_type text;
  v_others text;
begin
  select pg_catalog.count(*)::integer, (pg_catalog.array_agg(h.parent order by h.hop desc))[1]
    into v_hops, v_at
  from privacy.tenant_path_hops(schema_name, table_name, via) h;
  if v_hops < pg_catalog.cardinality(via) then
    v_at := coalesce(v_at, pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass);
    select pg_catalog.string_agg(pg_catalog.format('%s → %s', c.conname, c.confrelid::pg_catalog.regclass), ', ')
      into v_others
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.contype = 'f' and c.conrelid = v_at and a.attname = via[v_hops + 1];
    raise exception using errcode = 'PV016', table = v_at::text, column = via[v_hops + 1],
      message = pg_catalog.format('tenant path of %I.%I: column %I of %s is not a single-column foreign key to one table%s',
                                  schema_name, table_name, via[v_hops + 1], v_at,
                                  coalesce(' (it has ' || v_others || ')', '')),
      hint = pg_catalog.format('A hop is followed only where a foreign key backs it: alter table %s add foreign key (%I) references …',
                               v_at, via[v_hops + 1]);
  end if;
  -- A path back through the table itself would make its policy read the table under that same
  -- policy: PostgreSQL refuses that as infinite recursion at every read.
  if exists (select from privacy.tenant_path_hops(schema_name, table_name, via) h
             where h.parent = pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass) then
    raise exception using errcode = 'PV016', schema = schema_name, table = table_name,
      message = pg_catalog.format('tenant path of %I.%I leads back to the table itself: its policy would read the table under itself',
                                  schema_name, table_name);
  end if;
  select pg_catalog.format_type(a.atttypid, a.atttypmod) into v_type
  from pg_catalog.pg_attribute a
  where a.attrelid = v_at and a.attname = tenant_column and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    raise exception using errcode = 'PV002', table = v_at::text, column = tenant_column,
      message = pg_catalog.format('tenant path of %I.%I: %s has no column %I', schema_name, table_name, v_at, tenant_column);
  end if;
  return v_type;
end
$$;
comment on function privacy.check_tenant_path(name, name, name[], name) is
  'Checks a tenant path against the foreign keys (PV016) and returns the type of its tenant column.';

-- Why invoker: reads the catalog (tolerating one below migration 0015, which has no paths).
create or replace function privacy.tenant_declaration(schema_name name, table_name name)
returns table (tenant_column name, tenant_via name[], shared boolean)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select p.tenant_column,
         case when pg_catalog.jsonb_typeof(pg_catalog.to_jsonb(p)->'tenant_via') = 'array'
              then array(select pg_catalog.jsonb_array_elements_text(pg_catalog.to_jsonb(p)->'tenant_via'))::name[] end,
         coalesce((pg_catalog.to_jsonb(p)->>'shared')::boolean, false)
  from privacy.protected_table p
  where p.schema_name = tenant_declaration.schema_name and p.table_name = tenant_declaration.table_name
$$;
comment on function privacy.tenant_declaration(name, name) is
  'How a protected table declares its tenant: its own column, a path of foreign keys to one, or shared (internal).';

-- Why invoker: builds text from the catalog; executes nothing. The policy predicate of a table
-- whose tenant is reached through foreign keys; `alias` names the row's table (a partition's
-- policy names the partition). `false` when the path no longer holds: never open.
create or replace function privacy.tenant_path_sql(schema_name name, table_name name, via name[], tenant_column name,
                                                   alias name default null)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  h record;
  v_type text;
  v_from text;
  v_where text;
  v_last text;
begin
  begin
    v_type := privacy.check_tenant_path(schema_name, table_name, via, tenant_column);
  exception when sqlstate 'PV016' or sqlstate 'PV002' then
    return 'false';
  end;
  for h in select * from privacy.tenant_path_hops(schema_name, table_name, via) x order by x.hop loop
    if h.hop = 1 then
      v_from := pg_catalog.format('%I.%I privacy_tenant_1', h.parent_schema, h.parent_table);
      v_where := pg_catalog.format('privacy_tenant_1.%I = %I.%I', h.parent_key, coalesce(alias, table_name), h.child_column);
    else
      v_from := v_from || pg_catalog.format(' join %I.%I %I on %I.%I = %I.%I', h.parent_schema, h.parent_table,
                                            'privacy_tenant_' || h.hop, 'privacy_tenant_' || h.hop, h.parent_key,
                                            'privacy_tenant_' || (h.hop - 1), h.child_column);
    end if;
    v_last := 'privacy_tenant_' || h.hop;
  end loop;
  -- The tenant is read once per statement (an initplan), as for a column of the table itself.
  return pg_catalog.format('exists (select from %s where %s and %I.%I = (select privacy.current_tenant()::%s))',
                           v_from, v_where, v_last, tenant_column, v_type);
end
$$;
comment on function privacy.tenant_path_sql(name, name, name[], name, name) is
  'The row-level security predicate of a table whose tenant is reached through foreign keys, or false when the path does not hold (internal).';

-- Why invoker: called by privacy.sync_table (definer, the tables' owner). privacy_view_owner,
-- which evaluates the policy, may read the key and the next hop's column (or the tenant) of
-- each table on the path, and nothing else of them; a table protected itself it reads already.
create or replace function privacy.grant_tenant_path(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  d record;
  h record;
begin
  select * into d from privacy.tenant_declaration(schema_name, table_name);
  if d.tenant_via is null then
    return;
  end if;
  for h in select * from privacy.tenant_path_hops(schema_name, table_name, d.tenant_via) x order by x.hop loop
    execute pg_catalog.format('grant select (%I, %I) on %I.%I to privacy_view_owner', h.parent_key,
                              coalesce(d.tenant_via[h.hop + 1], d.tenant_column), h.parent_schema, h.parent_table);
  end loop;
exception when undefined_column then
  -- The tenant column is gone from the last table: the policy is `false` already (tenant_path_sql).
  null;
end
$$;
comment on function privacy.grant_tenant_path(name, name) is
  'Lets privacy_view_owner read the key and tenant columns a table''s tenant path looks up, and nothing else of them (internal).';

revoke execute on function privacy.tenant_path_hops(name, name, name[]), privacy.check_tenant_path(name, name, name[], name),
  privacy.tenant_declaration(name, name), privacy.tenant_path_sql(name, name, name[], name, name),
  privacy.grant_tenant_path(name, name) from public;

-- Why invoker: called by privacy.follow_renames (definer) only; writes the catalog its caller
-- owns. A column renamed on a protected table (`relation`) that a tenant path names, as one of its
-- hops or as the tenant column at its end, is renamed in the path too. A rename on a table that is
-- not protected is not seen: the path no longer holds, its policy lets no row through, and
-- privacy.verify() names the hop.
create or replace function privacy.follow_tenant_path_rename(relation oid, was name, now name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  p record;
  v_rel oid;
  v_via name[];
  v_column name;
  v_changed boolean;
begin
  -- Below migration 0015 there are no paths.
  if not exists (select from pg_catalog.pg_attribute a
                 where a.attrelid = 'privacy.protected_table'::pg_catalog.regclass and a.attname = 'tenant_via' and not a.attisdropped) then
    return;
  end if;
  for p in execute 'select schema_name, table_name, tenant_column, tenant_via from privacy.protected_table
                    where tenant_via is not null order by schema_name, table_name' loop
    v_rel := pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name));
    v_via := p.tenant_via;
    v_column := p.tenant_column;
    v_changed := false;
    for i in 1 .. pg_catalog.cardinality(v_via) loop
      if v_rel = relation and v_via[i] = was then
        v_via[i] := now;
        v_changed := true;
      end if;
      select c.confrelid into v_rel
      from pg_catalog.pg_constraint c
      join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.conrelid = v_rel and pg_catalog.cardinality(c.conkey) = 1 and a.attname = v_via[i]
      order by c.conname
      limit 1;
      exit when not found;
    end loop;
    if v_rel = relation and v_column = was then
      v_column := now;
      v_changed := true;
    end if;
    if v_changed then
      execute 'update privacy.protected_table set tenant_via = $1, tenant_column = $2 where schema_name = $3 and table_name = $4'
        using v_via, v_column, p.schema_name, p.table_name;
    end if;
  end loop;
end
$$;
comment on function privacy.follow_tenant_path_rename(oid, name, name) is
  'Renames a column in the tenant paths that name it, after a rename of a protected table''s column (internal).';
revoke execute on function privacy.follow_tenant_path_rename(oid, name, name) from public;
