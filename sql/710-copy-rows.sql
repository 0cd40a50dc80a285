-- integritet: safe copies — what `integritet copy` and `integritet dump` read from the source.
--
--   select * from privacy.copy_tables();                         -- what is copied, and how
--   select privacy.copy_select_sql('public', 'customer', null);  -- the anonymized, lawful rows
--
-- A copy is for development and test environments, so it obeys the legal state of the source:
--   * personal columns go through their anonymize strategy; a personal column without one, and an
--     unclassified column of a protected table (privacy by default), becomes NULL (or a fixed
--     value of its type where it is NOT NULL); keys and foreign keys nobody classified stay, so
--     the copy joins as the source does;
--   * rows restricted by an erasure or a restriction never leave the source, nor do rows whose
--     retention period is over (whatever still keeps them: a statutory minimum, a hold, or only a
--     sweep that has not run yet);
--   * rows that reference a row left out are left out too, through every foreign key, so the
--     copy satisfies its foreign keys; a subset (`customer: id in (1, 2)`, `customer: 5%`) is
--     one more filter that travels the same way: a subset of customers copies their invoices,
--     vehicles and positions, and every row they need.
-- The schema itself comes from sql/700-copy-schema.sql.
--
-- needs: 010-names, 020-ledger, 180-strategy-call, 300-retention-plan, 410-subject-rows, 700-copy-schema

-- Why invoker: reads the catalog and the system catalogs. The tables a copy moves: ordinary and
-- partitioned tables of the user's schemas (partitions travel with their parent), with whether
-- the toolkit protects them and the planner's row estimate (for progress).
create or replace function privacy.copy_tables()
returns table (schema_name name, table_name name, relid oid, partitioned boolean, protected boolean,
               estimated_rows bigint)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select n.nspname, c.relname, c.oid, c.relkind = 'p',
         exists (select from privacy.protected_table p where p.schema_name = n.nspname and p.table_name = c.relname),
         case when c.relkind = 'p'
              then coalesce((select pg_catalog.sum(greatest(pc.reltuples, 0))::bigint
                             from pg_catalog.pg_partition_tree(c.oid) t
                             join pg_catalog.pg_class pc on pc.oid = t.relid where t.isleaf), 0)
              else greatest(c.reltuples, 0)::bigint end
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and not c.relispartition
    and n.nspname not in ('pg_catalog', 'information_schema', 'privacy', 'masked', 'integritet_boss', 'integritet_copy')
    and n.nspname !~ '^pg_(toast|temp)'
    and not exists (select from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid and d.deptype = 'e')
  order by n.nspname, c.relname
$$;
comment on function privacy.copy_tables() is
  'The tables integritet copy moves (partitioned tables with their partitions), whether protected, and their estimated rows.';

-- Why invoker: reads the catalog. The expression a copy writes for one column of a row `t`:
--   * classified not personal, or unclassified in a table nobody protected: the value;
--   * unclassified but part of the primary key or a foreign key: the value (a surrogate key says
--     nothing about a person; a natural key that does is classified, and then anonymized);
--   * what retention reads (the anchor, the minimum's anchor, the policy's filter columns): the
--     value, as sweeps keep it, so the copy's own retention runs on the same dates;
--   * personal with an anonymize strategy: that strategy (deterministic strategies such as
--     `pseudonym` turn equal values into equal fakes, so a value used as a key and as a foreign
--     key still joins);
--   * anything else: NULL, or a fixed value of the type where the column is NOT NULL.
create or replace function privacy.copy_column_sql(schema_name name, table_name name, column_name name,
                                                   protected boolean)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.column_rule;
  a record;
  v_personal boolean;
  v_value text := pg_catalog.format('t.%I', column_name);
begin
  select * into r from privacy.column_rule c
  where c.schema_name = copy_column_sql.schema_name and c.table_name = copy_column_sql.table_name
    and c.column_name = copy_column_sql.column_name;
  select k.personal into v_personal from privacy.category k where k.name = r.category;
  select at.atttypid::pg_catalog.regtype as type, at.attnotnull as not_null, ty.typcategory as category,
         exists (select from pg_catalog.pg_constraint k
                 where k.conrelid = at.attrelid and k.contype in ('p', 'f') and at.attnum = any (k.conkey)) as in_key
  into a
  from pg_catalog.pg_attribute at
  join pg_catalog.pg_type ty on ty.oid = at.atttypid
  where at.attrelid = pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass
    and at.attname = column_name;
  if (r.category is not null and not v_personal)
     or (r.category is null and (not protected or a.in_key))
     or exists (select from privacy.retention_policy p
                where p.schema_name = copy_column_sql.schema_name and p.table_name = copy_column_sql.table_name
                  and (column_name in (p.anchor_column, p.minimum_anchor_column) or p.filter ? column_name)) then
    return v_value;
  end if;
  if r.anonymize_strategy is not null and r.anonymize_strategy <> 'null' then
    return privacy.strategy_call(r.anonymize_strategy, r.anonymize_params, v_value, a.type, 'anonymize');
  end if;
  if not a.not_null then
    return pg_catalog.format('null::%s', a.type);
  end if;
  return pg_catalog.format('%s::%s', case a.category
    when 'S' then '''''' when 'N' then '0' when 'B' then 'false' when 'A' then '''{}'''
    when 'D' then '''1970-01-01''' when 'T' then '''0''' when 'I' then '''0.0.0.0'''
    when 'U' then case when a.type = 'uuid'::pg_catalog.regtype then '''00000000-0000-0000-0000-000000000000''' else '''{}''' end
    else 'null' end, a.type);
end
$$;
comment on function privacy.copy_column_sql(name, name, name, boolean) is
  'SQL expression a copy writes for one column of row t: the value, its anonymization, or NULL (internal).';

-- Why invoker: reads the catalog. The rows of a table that may leave the source, as a predicate
-- over `t`, or NULL when every row may: not restricted, and (under a retention policy) not past
-- its retention period as of `as_of`.
create or replace function privacy.copy_lawful_sql(schema_name name, table_name name, as_of timestamptz)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  p privacy.retention_policy;
  v_parts text[] := '{}'::text[];
  v_row_id text;
  v_anchor_type regtype;
begin
  if exists (select from privacy.restricted_row r
             where r.schema_name = copy_lawful_sql.schema_name and r.table_name = copy_lawful_sql.table_name) then
    v_row_id := privacy.restricted_row_id_sql(schema_name, table_name, 't');
    v_parts := v_parts || pg_catalog.format(
      'not exists (select from privacy.restricted_row as r where r.schema_name = %L and r.table_name = %L and r.row_id = %s)',
      schema_name, table_name, v_row_id);
  end if;
  select * into p from privacy.retention_policy r
  where r.schema_name = copy_lawful_sql.schema_name and r.table_name = copy_lawful_sql.table_name;
  if p.schema_name is not null then
    v_anchor_type := privacy.column_type(schema_name, table_name, p.anchor_column);
    -- A row without an anchor (a contract not ended) has no period that could be over.
    v_parts := v_parts || pg_catalog.format('not coalesce((%s) and t.%I < %s, false)',
      (privacy.retention_plan(schema_name, table_name)).filter_sql, p.anchor_column,
      privacy.anchor_literal(as_of - p.keep, v_anchor_type, p.time_zone));
  end if;
  return case when pg_catalog.cardinality(v_parts) = 0 then null
              else pg_catalog.array_to_string(v_parts, ' and ') end;
end
$$;
comment on function privacy.copy_lawful_sql(name, name, timestamptz) is
  'Predicate over row t: it is neither restricted nor past its retention period, so a copy may take it; NULL when all may (internal).';

-- Why invoker: reads the system catalogs. The foreign keys from a table (or, for a partitioned
-- table, from any of its partitions) to tables of the copy, one row per constraint: the parent
-- (the root of a partitioned parent), the child's columns as `(t.a, t.b)`, the parent's as
-- `t.x, t.y`, and `t.a is null or …` (a row whose key is partly NULL references nothing).
create or replace function privacy.copy_parent_keys(relid oid)
returns table (parent oid, child_sql text, parent_sql text, nullable_sql text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select distinct coalesce(pg_catalog.pg_partition_root(k.confrelid), k.confrelid),
         '(' || pg_catalog.string_agg(pg_catalog.format('t.%I', ca.attname), ', ' order by u.ord) || ')',
         pg_catalog.string_agg(pg_catalog.format('t.%I', pa.attname), ', ' order by u.ord),
         pg_catalog.string_agg(pg_catalog.format('t.%I is null', ca.attname), ' or ' order by u.ord)
  from pg_catalog.pg_constraint k
  cross join lateral rows from (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey)) with ordinality as u(child_col, parent_col, ord)
  join pg_catalog.pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = u.child_col
  join pg_catalog.pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = u.parent_col
  where k.contype = 'f' and k.conparentid = 0
    and (k.conrelid = copy_parent_keys.relid
         or k.conrelid in (select t.relid from pg_catalog.pg_partition_tree(copy_parent_keys.relid) t))
  group by k.oid, k.confrelid
$$;
comment on function privacy.copy_parent_keys(oid) is
  'Foreign keys from a table or its partitions to their parents, as column lists over alias t (internal).';

-- Why invoker: reads the system catalogs. A subset of a table as a predicate over `t`:
-- `{"where": "…"}` as given, or `{"percent": 5}`: 5% of its rows (rounded up), those whose key
-- hashes lowest — the same rows on every run and whichever query asks, so parents and children
-- agree; the share is exact even for small tables.
create or replace function privacy.copy_subset_sql(relid oid, subset jsonb)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table name;
  v_kind "char";
  v_key text;
  v_cols text;
  v_from text;
  v_percent numeric;
begin
  if subset ? 'where' then
    return '(' || (subset->>'where') || ')';
  end if;
  v_percent := (subset->>'percent')::numeric;
  if v_percent is null or v_percent < 0 or v_percent > 100 then
    raise exception using errcode = 'PV011',
      message = pg_catalog.format('%s: a subset is {"where": "..."} or {"percent": 0 to 100}, not %s', relid::regclass, subset);
  end if;
  select n.nspname, c.relname, c.relkind into v_schema, v_table, v_kind
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = relid;
  select pg_catalog.string_agg(pg_catalog.format('t.%I', k.column_name), ', ' order by k.ordinal) into v_cols
  from privacy.primary_key_columns(v_schema, v_table) k;
  v_from := case when v_kind = 'p' then '' else 'only ' end || relid::regclass::text;
  if v_cols is null then
    v_cols := 't.ctid';
    v_key := 't::text';
  else
    v_key := 'pg_catalog.array_to_string(' || privacy.subject_row_key_sql(v_schema, v_table, 't') || ', '','')';
  end if;
  return pg_catalog.format(
    '((%1$s) in (select %1$s from %2$s as t order by pg_catalog.hashtextextended(%3$s, 0), %3$s '
    'limit (select pg_catalog.ceil(pg_catalog.count(*) * %4$s / 100.0)::bigint from %2$s)))',
    v_cols, v_from, v_key, v_percent);
end
$$;
comment on function privacy.copy_subset_sql(oid, jsonb) is
  'A subset of a table (a WHERE clause, or a stable percentage of its rows) as a predicate over row t (internal).';

-- Why invoker: reads the catalog. Which rows of a table a copy takes, as a predicate over `t`, or
-- NULL for all of them: lawful (privacy.copy_lawful_sql), in the subset if the table has one,
-- and, for every foreign key to a table some of whose rows are left out, referencing a row that
-- is taken. `visited` stops a cycle of foreign keys, and the parents' filters are followed three
-- levels up at most (a schema with many paths to one table would otherwise grow the query with
-- every path): the copy removes what either leaves dangling once the rows are in the target.
create or replace function privacy.copy_row_filter_sql(relid oid, subsets jsonb, as_of timestamptz,
                                                       visited oid[] default '{}')
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table name;
  v_parts text[] := '{}'::text[];
  v_part text;
  k record;
begin
  select n.nspname, c.relname into v_schema, v_table
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = relid;
  v_part := privacy.copy_lawful_sql(v_schema, v_table, as_of);
  if v_part is not null then
    v_parts := v_parts || v_part;
  end if;
  if subsets ? pg_catalog.format('%I.%I', v_schema, v_table) then
    v_parts := v_parts || privacy.copy_subset_sql(relid, subsets->pg_catalog.format('%I.%I', v_schema, v_table));
  end if;
  for k in select * from privacy.copy_parent_keys(relid)
           where parent <> all (visited || relid) and pg_catalog.cardinality(visited) < 3 loop
    v_part := privacy.copy_row_filter_sql(k.parent, subsets, as_of, visited || relid);
    if v_part is not null then
      v_parts := v_parts || pg_catalog.format('(%s or %s in (select %s from %s%s as t where %s))',
                                              k.nullable_sql, k.child_sql, k.parent_sql,
                                              case when (select c.relkind from pg_catalog.pg_class c where c.oid = k.parent) = 'p'
                                                   then '' else 'only ' end,
                                              k.parent::regclass, v_part);
    end if;
  end loop;
  return case when pg_catalog.cardinality(v_parts) = 0 then null
              else pg_catalog.array_to_string(v_parts, ' and ') end;
end
$$;
comment on function privacy.copy_row_filter_sql(oid, jsonb, timestamptz, oid[]) is
  'Predicate over row t: a copy takes it (lawful, in the subset, and every parent it references taken); NULL for all rows (internal).';

-- Why invoker: reads the catalog. The query whose rows a copy writes into a table: every column
-- but generated ones, through privacy.copy_column_sql, of the rows privacy.copy_row_filter_sql
-- takes; a partitioned table is read through its root.
create or replace function privacy.copy_select_sql(schema_name name, table_name name, subsets jsonb default '{}',
                                                   as_of timestamptz default pg_catalog.now())
returns table (columns text, select_sql text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_rel oid := pg_catalog.format('%I.%I', schema_name, table_name)::pg_catalog.regclass;
  v_protected boolean := exists (select from privacy.protected_table p
                                 where p.schema_name = copy_select_sql.schema_name and p.table_name = copy_select_sql.table_name);
  v_exprs text;
  v_filter text;
begin
  select pg_catalog.string_agg(pg_catalog.format('%I', a.attname), ', ' order by a.attnum),
         pg_catalog.string_agg(privacy.copy_column_sql(schema_name, table_name, a.attname, v_protected), ', ' order by a.attnum)
  into columns, v_exprs
  from pg_catalog.pg_attribute a
  where a.attrelid = v_rel and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
  v_filter := privacy.copy_row_filter_sql(v_rel, coalesce(subsets, '{}'), as_of);
  select_sql := pg_catalog.format('select %s from %s %I.%I as t%s', v_exprs,
                                  case when pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name)) in
                                         (select c.oid from pg_catalog.pg_class c where c.relkind = 'p') then '' else 'only' end,
                                  schema_name, table_name,
                                  case when v_filter is null then '' else ' where ' || v_filter end);
  return next;
end
$$;
comment on function privacy.copy_select_sql(name, name, jsonb, timestamptz) is
  'The column list and the SELECT of the anonymized, lawful rows integritet copy writes into a table.';

-- Why definer: writes the ledger, which nobody but the toolkit writes. Records that a copy was
-- made: where to (the URL without password), how many rows of which table; never a value.
create or replace function privacy.record_copy(target text, rows_copied jsonb)
returns void
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
  select privacy.record('copy.done', target, pg_catalog.jsonb_build_object('rows', rows_copied))
$$;
comment on function privacy.record_copy(text, jsonb) is
  'Writes a copy to the ledger: its target and the rows per table (never values).';
revoke execute on function privacy.record_copy(text, jsonb) from public;
grant execute on function privacy.record_copy(text, jsonb) to privacy_admin;

-- Why invoker: reads the system catalogs. One DELETE per foreign key of the user's schemas that
-- removes, from a copy that has no constraints yet, the rows whose parent the copy left out
-- (a cycle of foreign keys, a parent left out by a filter that could not travel, a dangling
-- row of a NOT VALID key). The copy runs them until none deletes a row, then adds the keys.
create or replace function privacy.copy_dangling_deletes()
returns table (constraint_name text, statement text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.format('%I on %s', k.conname, k.conrelid::regclass),
         pg_catalog.format('delete from %s as c where not (%s) and not exists (select from %s as p where %s)',
           k.conrelid::regclass,
           pg_catalog.string_agg(pg_catalog.format('c.%I is null', ca.attname), ' or ' order by u.ord),
           k.confrelid::regclass,
           pg_catalog.string_agg(pg_catalog.format('p.%I = c.%I', pa.attname, ca.attname), ' and ' order by u.ord))
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_class c on c.oid = k.conrelid
  cross join lateral rows from (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey)) with ordinality as u(child_col, parent_col, ord)
  join pg_catalog.pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = u.child_col
  join pg_catalog.pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = u.parent_col
  where k.contype = 'f' and k.conparentid = 0 and c.relnamespace in (select s.oid from privacy.copy_schemas() s)
  group by k.oid, k.conname, k.conrelid, k.confrelid
  order by 1
$$;
comment on function privacy.copy_dangling_deletes() is
  'DELETE statements that remove rows whose foreign-key parent a copy left out, one per foreign key (internal).';
