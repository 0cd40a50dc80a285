-- integritet: resolving the names given to the declaration API.
--
-- Every name a caller gives is parsed as SQL would parse it and looked up in the system
-- catalog before it is stored; dynamic SQL elsewhere only ever sees names that exist, quoted
-- with format('%I'). Unqualified table names mean schema `public`: the lookup never depends on
-- the caller's search_path.
--
-- The toolkit's SQLSTATEs (class PV), raised with the offending schema/table/column set in the
-- error's fields:
--   PV001 unknown table            PV006 unknown category          PV011 invalid argument
--   PV002 unknown column           PV007 unknown subject            PV012 unknown hold
--   PV003 unknown strategy         PV008 invalid identifier         PV013 not allowed on object
--   PV004 invalid parameters       PV009 ledger is append-only      PV014 unknown row
--   PV005 invalid retention        PV010 table not protected        PV015 object in use (DDL lock)
--   PV1xx the strategy library (sql/180, sql/185), PV3xx retention (sql/3xx); the full list with
--   the error class each maps to is src/errors/sqlstates.ts.
--
-- needs: none

-- Why invoker: reads only the system catalog, which every role may read.
create or replace function privacy.resolve_table(table_name text)
returns table (schema_name name, relname name)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  parts text[];
  v_schema name;
  v_table  name;
begin
  if resolve_table.table_name is null or pg_catalog.btrim(resolve_table.table_name) = '' then
    raise exception using errcode = 'PV008', message = 'table name is empty';
  end if;
  begin
    parts := pg_catalog.parse_ident(resolve_table.table_name);
  exception when others then
    raise exception using errcode = 'PV008',
      message = pg_catalog.format('invalid table name %L', resolve_table.table_name),
      hint = 'Give table or schema.table, with double quotes around names as in SQL.';
  end;
  case pg_catalog.array_length(parts, 1)
    when 1 then v_schema := 'public'; v_table := parts[1];
    when 2 then v_schema := parts[1]; v_table := parts[2];
    else
      raise exception using errcode = 'PV008',
        message = pg_catalog.format('invalid table name %L: expected table or schema.table', resolve_table.table_name);
  end case;
  if v_schema in ('privacy', 'masked', 'pg_catalog', 'information_schema', 'pg_toast') then
    raise exception using errcode = 'PV013', schema = v_schema, table = v_table,
      message = pg_catalog.format('table %I.%I is in a system or toolkit schema and cannot be declared', v_schema, v_table);
  end if;
  if not exists (
    select from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = v_schema and c.relname = v_table and c.relkind in ('r', 'p')
  ) then
    raise exception using errcode = 'PV001', schema = v_schema, table = v_table,
      message = pg_catalog.format('unknown table %I.%I', v_schema, v_table),
      hint = 'Only ordinary and partitioned tables can be declared.';
  end if;
  return query select v_schema, v_table;
end
$$;
comment on function privacy.resolve_table(text) is
  'Parses and looks up a table name (unqualified means public); raises PV008/PV001/PV013.';

-- Why invoker: reads only the system catalog.
create or replace function privacy.column_type(schema_name name, table_name name, column_name text)
returns regtype
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_type regtype;
begin
  select a.atttypid::regtype into v_type
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = column_type.schema_name and c.relname = column_type.table_name
    and a.attname = column_type.column_name and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    raise exception using errcode = 'PV002',
      schema = column_type.schema_name, table = column_type.table_name,
      column = coalesce(column_type.column_name, ''),
      message = pg_catalog.format('unknown column %L in %I.%I', column_type.column_name,
                                  column_type.schema_name, column_type.table_name);
  end if;
  return v_type;
end
$$;
comment on function privacy.column_type(name, name, text) is
  'Type of an existing column; raises PV002 naming the column when there is none.';

-- Why invoker: pure validation of a text value.
create or replace function privacy.check_label(kind text, value text)
returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  if value is null or value !~ '^[a-z][a-z0-9_]{0,62}$' then
    raise exception using errcode = 'PV008',
      message = pg_catalog.format('invalid %s name %L: use lower-case letters, digits and _', kind, value);
  end if;
  return value;
end
$$;
comment on function privacy.check_label(text, text) is
  'Validates a label (category, strategy, subject type): lower-case letters, digits and underscores.';
