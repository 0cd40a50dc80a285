-- integritet: the subject graph — which rows of which tables belong to a data subject.
--
--   select privacy.declare_subject_type('vehicle', 'vehicle', 'id');
--   select privacy.link_subject('vehicle', 'device', 'vehicle_id');          -- a column (060-subjects.sql)
--   select privacy.link_subject_through('vehicle', 'position', 'device');   -- through a foreign key
--   select * from privacy.subject_graph('vehicle');
--
-- A row belongs to a subject when a linked column holds the subject's id, when it references
-- (by a real foreign key, named in privacy.subject_path) a row that belongs to the subject, or
-- when a row that belongs to the subject references it (direction `referenced_by`: the address
-- a customer row points at; one address can so belong to several customers). Join tables are a
-- link each way (customer ← customer_mailing_list → mailing_list); longer paths chain links. The
-- functions below turn that into SQL over a row `alias` with the subject's id as parameter $1:
-- only names that exist reach it, quoted with %I; the id is a parameter, cast to each column's type.
--
-- SQLSTATEs of the subject functions (sql/4xx), with the error class each maps to in
-- src/errors/sqlstates.ts:
--   PV401 no such foreign key               PV405 a subject's rows cannot be restricted (no key)
--   PV402 several foreign keys, none named  PV406 unknown or closed subject request
--   PV403 the parent is not linked (cycle)  PV407 a request this role may not process
--   PV404 the id does not fit a link column PV408 invalid request (kind, dates)
--   PV409 a column link no foreign key to the subject's key backs, not declared unchecked
--
-- needs: 010-names, 020-ledger, 060-subjects

-- Replaced in 0014: subject_path_key takes the link's direction; subject_ids_sql (one text[]
-- expression) replaced subject_id_sqls, whose scalar subquery per path could not follow a link
-- to a row that several subjects' rows reference. A second overload would make calls ambiguous.
drop function if exists privacy.subject_path_key(text, name, name, name, name, name);
drop function if exists privacy.subject_id_sqls(text, name, name, text, integer);

-- Why invoker: reads the system catalog only. The columns of a foreign key of a table, in key
-- order, and what they reference; no row when the constraint is not there (any more).
create or replace function privacy.foreign_key_columns(schema_name name, table_name name, constraint_name name)
returns table (columns name[], parent_schema name, parent_table name, parent_columns name[])
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL rather than SQL: its plan is kept for the session.
  return query
  select array(select a.attname from pg_catalog.unnest(c.conkey) with ordinality as k(attnum, o)
               join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.o),
         pn.nspname, pc.relname,
         array(select a.attname from pg_catalog.unnest(c.confkey) with ordinality as k(attnum, o)
               join pg_catalog.pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.o)
  from pg_catalog.pg_constraint c
  join pg_catalog.pg_class t on t.oid = c.conrelid
  join pg_catalog.pg_namespace n on n.oid = t.relnamespace
  join pg_catalog.pg_class pc on pc.oid = c.confrelid
  join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
  where c.contype = 'f' and c.conparentid = 0
    and n.nspname = foreign_key_columns.schema_name and t.relname = foreign_key_columns.table_name
    and c.conname = foreign_key_columns.constraint_name;
end
$$;
comment on function privacy.foreign_key_columns(name, name, name) is
  'Columns of a named foreign key and the table and columns it references (internal).';

-- Why invoker: reads the catalog; called by the toolkit's definer functions. The foreign key a
-- path link follows, raising PV401 when it is gone or no longer points at the declared parent.
-- (Takes the link's fields, not its row type, so that no function depends on the table.)
-- `columns` are always the table's own, `parent_columns` the parent's: for `referenced_by` the
-- foreign key is the parent's, and its referenced columns are the table's.
create or replace function privacy.subject_path_key(subject_type text, schema_name name, table_name name,
                                                    constraint_name name, parent_schema name, parent_table name,
                                                    direction text)
returns table (columns name[], parent_columns name[])
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  k record;
begin
  if subject_path_key.direction = 'referenced_by' then
    select f.parent_columns as columns, f.columns as parent_columns,
           f.columns is not null and (f.parent_schema, f.parent_table) = (subject_path_key.schema_name, subject_path_key.table_name) as ok
    into k
    from privacy.foreign_key_columns(subject_path_key.parent_schema, subject_path_key.parent_table,
                                     subject_path_key.constraint_name) f;
  else
    select f.columns, f.parent_columns,
           f.columns is not null and (f.parent_schema, f.parent_table) = (subject_path_key.parent_schema, subject_path_key.parent_table) as ok
    into k
    from privacy.foreign_key_columns(subject_path_key.schema_name, subject_path_key.table_name,
                                     subject_path_key.constraint_name) f;
  end if;
  if not coalesce(k.ok, false) then
    raise exception using errcode = 'PV401', schema = subject_path_key.schema_name, table = subject_path_key.table_name,
      constraint = subject_path_key.constraint_name,
      message = pg_catalog.format('%I.%I belongs to %s through foreign key %I to %I.%I, which no longer exists',
                                  subject_path_key.schema_name, subject_path_key.table_name, subject_path_key.subject_type,
                                  subject_path_key.constraint_name, subject_path_key.parent_schema, subject_path_key.parent_table),
      hint = 'Declare the link again with privacy.link_subject_through(), or remove it with privacy.unlink_subject_through().';
  end if;
  return query select k.columns, k.parent_columns;
end
$$;
comment on function privacy.subject_path_key(text, name, name, name, name, name, text) is
  'The table''s and the parent''s columns of the foreign key a path link follows; PV401 when it is gone (internal).';

-- Why invoker: reads the catalog; called by the toolkit's definer functions. The predicate that
-- selects the rows of a table belonging to subject $1 of the given type, over the row `alias`:
-- `(alias.customer_id = $1::bigint or (alias.customer_id, alias.device_id) in (select p1.customer_id,
-- p1.id from public.device as p1 where …))`. `false` when nothing links the table to the type.
create or replace function privacy.subject_predicate_sql(subject_type text, schema_name name, table_name name,
                                                         alias text default 't', depth integer default 0)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  l record;
  p privacy.subject_path;
  k record;
  v_parts text[] := '{}'::text[];
  v_inner text := 'p' || (depth + 1);
begin
  if depth > 16 then
    raise exception using errcode = 'PV403', schema = schema_name, table = table_name,
      message = pg_catalog.format('the links of %I.%I to %s go round in a circle', schema_name, table_name, subject_type);
  end if;
  for l in
    select s.column_name from privacy.subject_link s
    where s.subject_type = subject_predicate_sql.subject_type and s.schema_name = subject_predicate_sql.schema_name
      and s.table_name = subject_predicate_sql.table_name
    order by s.column_name
  loop
    v_parts := v_parts || pg_catalog.format('%I.%I = $1::%s', alias, l.column_name,
                                            privacy.column_type(schema_name, table_name, l.column_name));
  end loop;
  for p in
    select * from privacy.subject_path s
    where s.subject_type = subject_predicate_sql.subject_type and s.schema_name = subject_predicate_sql.schema_name
      and s.table_name = subject_predicate_sql.table_name
    order by s.constraint_name
  loop
    select * into k from privacy.subject_path_key(p.subject_type, p.schema_name, p.table_name, p.constraint_name,
                                                    p.parent_schema, p.parent_table,
                                                    coalesce(pg_catalog.to_jsonb(p)->>'direction', 'references'));
    v_parts := v_parts || pg_catalog.format('(%s) in (select %s from %I.%I as %I where %s)',
      (select pg_catalog.string_agg(pg_catalog.format('%I.%I', alias, c), ', ' order by o)
       from pg_catalog.unnest(k.columns) with ordinality as x(c, o)),
      (select pg_catalog.string_agg(pg_catalog.format('%I.%I', v_inner, c), ', ' order by o)
       from pg_catalog.unnest(k.parent_columns) with ordinality as x(c, o)),
      p.parent_schema, p.parent_table, v_inner,
      privacy.subject_predicate_sql(subject_type, p.parent_schema, p.parent_table, v_inner, depth + 1));
  end loop;
  if pg_catalog.cardinality(v_parts) = 0 then
    return 'false';
  end if;
  return '(' || pg_catalog.array_to_string(v_parts, ' or ') || ')';
end
$$;
comment on function privacy.subject_predicate_sql(text, name, name, text, integer) is
  'SQL predicate selecting the rows of a table that belong to subject $1 of a type (internal).';

-- Why invoker: as subject_predicate_sql. One SQL expression of type text[] giving, for a row
-- `alias`, the ids of every subject of a type it belongs to: its linked columns, and through each
-- path link the ids of the rows on the other side of the foreign key (for `referenced_by`, all
-- of them: every customer whose row references an address). Holds are looked up by it
-- (`h.subject_id = any (…)`), and erasure tells rows shared with other subjects by it.
create or replace function privacy.subject_ids_sql(subject_type text, schema_name name, table_name name,
                                                   alias text default 't', depth integer default 0)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  p privacy.subject_path;
  k record;
  v_inner text := 'p' || (depth + 1);
  v_parts text[] := '{}'::text[];
  v_cols  text;
begin
  if depth > 16 then
    raise exception using errcode = 'PV403', schema = schema_name, table = table_name,
      message = pg_catalog.format('the links of %I.%I to %s go round in a circle', schema_name, table_name, subject_type);
  end if;
  select pg_catalog.string_agg(pg_catalog.format('%I.%I::text', alias, s.column_name), ', ' order by s.column_name)
  into v_cols
  from privacy.subject_link s
  where s.subject_type = subject_ids_sql.subject_type and s.schema_name = subject_ids_sql.schema_name
    and s.table_name = subject_ids_sql.table_name;
  if v_cols is not null then
    v_parts := v_parts || ('array[' || v_cols || ']');
  end if;
  for p in
    select * from privacy.subject_path s
    where s.subject_type = subject_ids_sql.subject_type and s.schema_name = subject_ids_sql.schema_name
      and s.table_name = subject_ids_sql.table_name
    order by s.constraint_name
  loop
    select * into k from privacy.subject_path_key(p.subject_type, p.schema_name, p.table_name, p.constraint_name,
                                                    p.parent_schema, p.parent_table,
                                                    coalesce(pg_catalog.to_jsonb(p)->>'direction', 'references'));
    v_parts := v_parts || pg_catalog.format(
      'array(select %I.id from %I.%I as %I cross join lateral pg_catalog.unnest(%s) as %I(id) where (%s) = (%s))',
      v_inner || 'x', p.parent_schema, p.parent_table, v_inner,
      privacy.subject_ids_sql(subject_type, p.parent_schema, p.parent_table, v_inner, depth + 1), v_inner || 'x',
      (select pg_catalog.string_agg(pg_catalog.format('%I.%I', v_inner, c), ', ' order by o)
       from pg_catalog.unnest(k.parent_columns) with ordinality as x(c, o)),
      (select pg_catalog.string_agg(pg_catalog.format('%I.%I', alias, c), ', ' order by o)
       from pg_catalog.unnest(k.columns) with ordinality as x(c, o)));
  end loop;
  if pg_catalog.cardinality(v_parts) = 0 then
    return '''{}''::text[]';
  end if;
  return '(' || pg_catalog.array_to_string(v_parts, ' || ') || ')';
end
$$;
comment on function privacy.subject_ids_sql(text, name, name, text, integer) is
  'SQL (text[]) of the ids of every subject of a type a row belongs to, through all its links (internal).';

-- Why invoker: reads the catalog. The tables rows of a subject type can be in: every table with
-- a column link or a path link to the type.
create or replace function privacy.subject_tables(subject_type text)
returns table (schema_name name, table_name name)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL rather than SQL: its plan is kept for the session.
  return query
  select l.schema_name, l.table_name from privacy.subject_link l where l.subject_type = subject_tables.subject_type
  union
  select p.schema_name, p.table_name from privacy.subject_path p where p.subject_type = subject_tables.subject_type
  order by 1, 2;
end
$$;
comment on function privacy.subject_tables(text) is 'Tables linked to a subject type, by a column or a foreign key (internal).';

-- Why invoker: reads the catalog. Raises PV007 for a subject type nobody declared.
create or replace function privacy.check_subject_type(subject_type text)
returns privacy.subject_type
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  s privacy.subject_type;
begin
  select * into s from privacy.subject_type t where t.name = check_subject_type.subject_type;
  if s.name is null then
    raise exception using errcode = 'PV007',
      message = pg_catalog.format('unknown subject type %L', check_subject_type.subject_type),
      hint = coalesce((select 'Known: ' || pg_catalog.string_agg(t.name, ', ' order by t.name) from privacy.subject_type t),
                      'Declare one with privacy.declare_subject_type().');
  end if;
  return s;
end
$$;
comment on function privacy.check_subject_type(text) is 'The subject type of that name, or PV007 (internal).';

-- Why invoker: as check_subject_type. The subject type of one subject an export, erasure or
-- restriction is for: PV007 for an unknown type, PV011 when the id is missing.
create or replace function privacy.check_subject(subject_type text, subject_id text)
returns privacy.subject_type
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  s privacy.subject_type := privacy.check_subject_type(check_subject.subject_type);
begin
  if check_subject.subject_id is null then
    raise exception using errcode = 'PV011', message = 'the subject id is missing';
  end if;
  return s;
end
$$;
comment on function privacy.check_subject(text, text) is 'The subject type of a subject, or PV007/PV011 (internal).';

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
-- The foreign key may go either way: from the table to the parent (a rental references its
-- customer), or from the parent to the table (a customer references its address: the address
-- belongs to the customers whose rows reference it). A join table is linked to the subject, and
-- the table on its other side through it.
--
--   select privacy.link_subject_through('vehicle', 'position', 'device');
--   select privacy.link_subject_through('customer', 'address', 'customer');            -- customer.address_id → address
--   select privacy.link_subject_through('customer', 'mailing_list', 'customer_mailing_list');
--   select privacy.link_subject_through('customer', 'payment', 'invoice', foreign_key => 'payment_customer_id_invoice_id_fkey');
create or replace function privacy.link_subject_through(subject_type text, table_name text, parent_table text,
                                                        foreign_key text default null)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema  name;
  v_table   name;
  v_pschema name;
  v_ptable  name;
  v_keys    name[];
  v_dirs    text[];
  v_object  text;
begin
  perform privacy.check_subject_type(link_subject_through.subject_type);
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(link_subject_through.table_name) t;
  select t.schema_name, t.relname into v_pschema, v_ptable from privacy.resolve_table(link_subject_through.parent_table) t;
  v_object := pg_catalog.format('%I.%I', v_schema, v_table);
  if (v_schema, v_table) = (v_pschema, v_ptable) then
    raise exception using errcode = 'PV403', schema = v_schema, table = v_table,
      message = pg_catalog.format('linking %s to %s through itself would go round in a circle', v_object,
                                  link_subject_through.subject_type);
  end if;
  -- Foreign keys of the table to the parent, and of the parent to the table.
  select pg_catalog.array_agg(x.conname order by x.direction, x.conname), pg_catalog.array_agg(x.direction order by x.direction, x.conname)
  into v_keys, v_dirs
  from (select c.conname,
               case when c.conrelid = pg_catalog.format('%I.%I', v_schema, v_table)::regclass
                    then 'references' else 'referenced_by' end as direction
        from pg_catalog.pg_constraint c
        where c.contype = 'f' and c.conparentid = 0
          and ((c.conrelid = pg_catalog.format('%I.%I', v_schema, v_table)::regclass
                and c.confrelid = pg_catalog.format('%I.%I', v_pschema, v_ptable)::regclass)
               or (c.conrelid = pg_catalog.format('%I.%I', v_pschema, v_ptable)::regclass
                   and c.confrelid = pg_catalog.format('%I.%I', v_schema, v_table)::regclass))
          and (link_subject_through.foreign_key is null or c.conname = link_subject_through.foreign_key)) x;
  if v_keys is null then
    raise exception using errcode = 'PV401', schema = v_schema, table = v_table,
      message = pg_catalog.format('no foreign key %sleads from %s to %I.%I or back', 
                                  case when link_subject_through.foreign_key is null then ''
                                       else pg_catalog.format('%I ', link_subject_through.foreign_key) end,
                                  v_object, v_pschema, v_ptable),
      hint = 'A row belongs to a subject through a real foreign key to or from a table linked to that subject.';
  end if;
  if pg_catalog.cardinality(v_keys) > 1 then
    raise exception using errcode = 'PV402', schema = v_schema, table = v_table,
      message = pg_catalog.format('%s foreign keys lead between %s and %I.%I: name one with foreign_key => (%s)',
                                  pg_catalog.cardinality(v_keys), v_object, v_pschema, v_ptable,
                                  pg_catalog.array_to_string(v_keys, ', '));
  end if;
  if not exists (select from privacy.subject_tables(link_subject_through.subject_type) x
                 where x.schema_name = v_pschema and x.table_name = v_ptable) then
    raise exception using errcode = 'PV403', schema = v_pschema, table = v_ptable,
      message = pg_catalog.format('%I.%I is not linked to %s, so rows referencing it cannot belong to one through it',
                                  v_pschema, v_ptable, link_subject_through.subject_type),
      hint = 'Link it first: privacy.link_subject() for a column, privacy.link_subject_through() for a foreign key.';
  end if;
  -- The parent's own rows must not belong to the subject through this table.
  if exists (
    with recursive up as (
      select p.parent_schema, p.parent_table from privacy.subject_path p
      where p.subject_type = link_subject_through.subject_type and p.schema_name = v_pschema and p.table_name = v_ptable
      union
      select p.parent_schema, p.parent_table from privacy.subject_path p
      join up on p.schema_name = up.parent_schema and p.table_name = up.parent_table
      where p.subject_type = link_subject_through.subject_type)
    select from up where (up.parent_schema, up.parent_table) = (v_schema, v_table)) then
    raise exception using errcode = 'PV403', schema = v_schema, table = v_table,
      message = pg_catalog.format('linking %s to %s through %I.%I would go round in a circle', v_object,
                                  link_subject_through.subject_type, v_pschema, v_ptable);
  end if;
  insert into privacy.subject_path (subject_type, schema_name, table_name, constraint_name, parent_schema, parent_table, direction)
  values (link_subject_through.subject_type, v_schema, v_table, v_keys[1], v_pschema, v_ptable, v_dirs[1])
  on conflict do nothing;
end
$$;
comment on function privacy.link_subject_through(text, text, text, text) is
  'Rows of a table belong to a subject when the row they reference by a real foreign key does, or a row of it referencing them.';

-- Why definer: as link_subject_through.
create or replace function privacy.unlink_subject_through(subject_type text, table_name text, parent_table text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema  name;
  v_table   name;
  v_pschema name;
  v_ptable  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(unlink_subject_through.table_name) t;
  select t.schema_name, t.relname into v_pschema, v_ptable from privacy.resolve_table(unlink_subject_through.parent_table) t;
  delete from privacy.subject_path p
  where p.subject_type = unlink_subject_through.subject_type and p.schema_name = v_schema and p.table_name = v_table
    and p.parent_schema = v_pschema and p.parent_table = v_ptable;
  return found;
end
$$;
comment on function privacy.unlink_subject_through(text, text, text) is 'Removes a path link. True if there was one.';

-- Why invoker: fired by changes to subject_path, which only its owner (directly or through the
-- definer declaration API) can make.
create or replace function privacy.audit_subject_path()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  r privacy.subject_path := coalesce(new, old);
begin
  perform privacy.record('subject_path.' || pg_catalog.lower(tg_op), pg_catalog.format('%I.%I', r.schema_name, r.table_name),
    pg_catalog.jsonb_build_object('subject_type', r.subject_type, 'foreign_key', r.constraint_name,
                                  'parent', pg_catalog.format('%I.%I', r.parent_schema, r.parent_table),
                                  'direction', coalesce(pg_catalog.to_jsonb(r)->>'direction', 'references')));
  return null;
end
$$;
comment on function privacy.audit_subject_path() is 'Trigger: writes every change of a path link to the ledger.';

create or replace trigger subject_path_audit after insert or update or delete on privacy.subject_path
  for each row execute function privacy.audit_subject_path();

-- Why definer: privacy_admin members read the graph without reading the system catalog's
-- constraint details themselves; it returns names of tables, columns and constraints only.
-- One line per link, checked against the real foreign keys, plus one per table that references
-- a linked table without being linked itself (a likely gap):
--   link         the column (`customer_id`) or the foreign key's columns and parent (`device_id → public.device`)
--   foreign_key  the constraint that backs it (NULL: a column link no foreign key backs)
--   finding      NULL when all is well, else what is wrong or missing
create or replace function privacy.subject_graph(type_name text default null)
returns table (subject_type text, relation text, link text, foreign_key text, depth integer, finding text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s  privacy.subject_type;
  l  record;
  p  privacy.subject_path;
  k  record;
  v_depth jsonb;
begin
  if subject_graph.type_name is not null then
    perform privacy.check_subject_type(subject_graph.type_name);
  end if;
  for s in select * from privacy.subject_type t
           where subject_graph.type_name is null or t.name = subject_graph.type_name order by t.name loop
    -- Depth: 0 for the subject's own table, 1 for a column link elsewhere, parent + 1 through a key.
    with recursive d as (
      select x.schema_name, x.table_name,
             case when (x.schema_name, x.table_name) = (s.schema_name, s.table_name) then 0 else 1 end as depth
      from privacy.subject_link x where x.subject_type = s.name
      union all
      select p2.schema_name, p2.table_name, d.depth + 1
      from privacy.subject_path p2 join d on (p2.parent_schema, p2.parent_table) = (d.schema_name, d.table_name)
      where p2.subject_type = s.name and d.depth < 16)
    select pg_catalog.jsonb_object_agg(pg_catalog.format('%I.%I', x.schema_name, x.table_name), x.depth)
    into v_depth
    from (select d.schema_name, d.table_name, pg_catalog.min(d.depth) as depth from d group by 1, 2) x;

    for l in
      select x.schema_name, x.table_name, x.column_name, x.unchecked from privacy.subject_link x
      where x.subject_type = s.name order by x.schema_name, x.table_name, x.column_name
    loop
      subject_type := s.name;
      relation := pg_catalog.format('%I.%I', l.schema_name, l.table_name);
      link := pg_catalog.quote_ident(l.column_name);
      depth := (v_depth->>relation)::integer;
      foreign_key := null;
      finding := null;
      if pg_catalog.to_regclass(relation) is null then
        finding := 'the table no longer exists';
      elsif not exists (select from pg_catalog.pg_attribute a where a.attrelid = relation::regclass
                        and a.attname = l.column_name and a.attnum > 0 and not a.attisdropped) then
        finding := 'the column no longer exists';
      elsif (l.schema_name, l.table_name, l.column_name) = (s.schema_name, s.table_name, s.key_column) then
        foreign_key := null;  -- the subject's own key
      else
        -- A foreign key to the subject's table whose column for the subject's key is this one.
        select c.conname into foreign_key
        from pg_catalog.pg_constraint c
        where c.contype = 'f' and c.conparentid = 0 and c.conrelid = relation::regclass
          and c.confrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', s.schema_name, s.table_name))
          and exists (select from rows from (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) as m(a, b)
                      join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = m.a
                      join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = m.b
                      where ca.attname = l.column_name and pa.attname = s.key_column)
        order by c.conname limit 1;
        if foreign_key is null then
          finding := pg_catalog.format('%sno foreign key backs it (to %I.%I.%I): its values are taken on trust',
                                       case when l.unchecked then 'unchecked: ' else '' end,
                                       s.schema_name, s.table_name, s.key_column);
        end if;
      end if;
      return next;
    end loop;

    for p in select * from privacy.subject_path x where x.subject_type = s.name
             order by x.schema_name, x.table_name, x.constraint_name loop
      subject_type := s.name;
      relation := pg_catalog.format('%I.%I', p.schema_name, p.table_name);
      foreign_key := p.constraint_name;
      depth := (v_depth->>relation)::integer;
      finding := null;
      begin
        select * into k from privacy.subject_path_key(p.subject_type, p.schema_name, p.table_name, p.constraint_name,
                                                    p.parent_schema, p.parent_table,
                                                    coalesce(pg_catalog.to_jsonb(p)->>'direction', 'references'));
        link := pg_catalog.format(case pg_catalog.to_jsonb(p)->>'direction' when 'referenced_by' then '%s ← %I.%I' else '%s → %I.%I' end,
                  (select pg_catalog.string_agg(pg_catalog.quote_ident(c), ', ') from pg_catalog.unnest(k.columns) c),
                  p.parent_schema, p.parent_table);
      exception when sqlstate 'PV401' then
        link := pg_catalog.format('→ %I.%I', p.parent_schema, p.parent_table);
        finding := 'its foreign key no longer exists';
      end;
      return next;
    end loop;

    -- Tables that reference a linked table but belong to the subject by nothing: a likely gap.
    for l in
      select distinct n.nspname as schema_name, t.relname as table_name, c.conname, pn.nspname as parent_schema,
             pt.relname as parent_table,
             (select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by k2.o)
              from pg_catalog.unnest(c.conkey) with ordinality as k2(attnum, o)
              join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k2.attnum) as columns
      from privacy.subject_tables(s.name) x
      join pg_catalog.pg_class pt on pt.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', x.schema_name, x.table_name))
      join pg_catalog.pg_namespace pn on pn.oid = pt.relnamespace
      join pg_catalog.pg_constraint c on c.confrelid = pt.oid and c.contype = 'f' and c.conparentid = 0
      join pg_catalog.pg_class t on t.oid = c.conrelid
      join pg_catalog.pg_namespace n on n.oid = t.relnamespace
      where not exists (select from privacy.subject_tables(s.name) y where (y.schema_name, y.table_name) = (n.nspname, t.relname))
        and n.nspname not in ('privacy', 'masked')
      order by 1, 2, 3
    loop
      subject_type := s.name;
      relation := pg_catalog.format('%I.%I', l.schema_name, l.table_name);
      link := null;
      foreign_key := l.conname;
      depth := null;
      finding := pg_catalog.format('not linked, yet %s references %I.%I, which is: link it with privacy.link_subject_through(%L, %L, %L)',
                                   l.columns, l.parent_schema, l.parent_table, s.name, relation,
                                   pg_catalog.format('%I.%I', l.parent_schema, l.parent_table));
      return next;
    end loop;
  end loop;
end
$$;
comment on function privacy.subject_graph(text) is
  'Every link of every subject type (or one), checked against the real foreign keys, with what is wrong or missing.';

revoke execute on function privacy.foreign_key_columns(name, name, name), privacy.subject_path_key(text, name, name, name, name, name, text),
  privacy.subject_predicate_sql(text, name, name, text, integer), privacy.subject_ids_sql(text, name, name, text, integer),
  privacy.subject_tables(text), privacy.check_subject_type(text), privacy.check_subject(text, text),
  privacy.audit_subject_path(),
  privacy.link_subject_through(text, text, text, text), privacy.unlink_subject_through(text, text, text),
  privacy.subject_graph(text)
  from public;
grant execute on function privacy.link_subject_through(text, text, text, text), privacy.unlink_subject_through(text, text, text),
  privacy.subject_graph(text)
  to privacy_admin;
grant select on privacy.subject_path to privacy_admin;
