-- integritet: data subjects — who the personal data is about, and where it refers to them.
--
--   select privacy.declare_subject_type('customer', 'customer', 'id', 'A customer of the service');
--   select privacy.link_subject('customer', 'invoice', 'customer_id');
--
-- needs: 010-names
-- uses later: 220-verify, 400-subject-graph

-- Why definer: the catalog is writable only through validated calls by privacy_admin members.
create or replace function privacy.declare_subject_type(
  name text, table_name text, key_column text, description text default ''
)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  perform privacy.check_label('subject type', declare_subject_type.name);
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(declare_subject_type.table_name) t;
  perform privacy.column_type(v_schema, v_table, declare_subject_type.key_column);
  insert into privacy.subject_type as s (name, schema_name, table_name, key_column, description)
  values (declare_subject_type.name, v_schema, v_table, declare_subject_type.key_column,
          coalesce(declare_subject_type.description, ''))
  on conflict on constraint subject_type_pkey do update
    set schema_name = excluded.schema_name, table_name = excluded.table_name,
        key_column = excluded.key_column, description = excluded.description
    where (s.schema_name, s.table_name, s.key_column, s.description)
          is distinct from (excluded.schema_name, excluded.table_name, excluded.key_column, excluded.description);
  -- The key column refers to the subject too.
  perform privacy.link_subject(declare_subject_type.name, pg_catalog.format('%I.%I', v_schema, v_table),
                               declare_subject_type.key_column);
end
$$;
comment on function privacy.declare_subject_type(text, text, text, text) is
  'Declares a kind of data subject and the table and key column where its subjects live.';

-- Before 0014 link_subject took no unchecked flag; a second overload would make calls ambiguous.
drop function if exists privacy.link_subject(text, text, text);

-- Why definer: as declare_subject_type. A column links to a subject only where a foreign key
-- from it to the subject's key says its values are subjects' ids (a wrong column would hand one
-- subject's rows to another); without one the link must say `unchecked => true`, and
-- privacy.verify() lists it. PV409 otherwise, naming what the column does reference.
--
--   select privacy.link_subject('customer', 'payment', 'customer_id', unchecked => true);
create or replace function privacy.link_subject(subject_type text, table_name text, column_name text,
                                                unchecked boolean default false)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s        privacy.subject_type;
  v_schema name;
  v_table  name;
  v_type   regtype;
  v_backed boolean;
  v_points text;
begin
  select * into s from privacy.subject_type x where x.name = link_subject.subject_type;
  if s.name is null then
    raise exception using errcode = 'PV007',
      message = pg_catalog.format('unknown subject type %L', link_subject.subject_type),
      hint = 'Declare it first with privacy.declare_subject_type().';
  end if;
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(link_subject.table_name) t;
  v_type := privacy.column_type(v_schema, v_table, link_subject.column_name);
  if (v_schema, v_table, link_subject.column_name) = (s.schema_name, s.table_name, s.key_column) then
    v_backed := true;  -- the subject's own key
  else
    v_backed := exists (
      select from pg_catalog.pg_constraint c
      where c.contype = 'f' and c.conparentid = 0
        and c.conrelid = pg_catalog.format('%I.%I', v_schema, v_table)::regclass
        and c.confrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', s.schema_name, s.table_name))
        and exists (select from rows from (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) as m(a, b)
                    join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = m.a
                    join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = m.b
                    where ca.attname = link_subject.column_name and pa.attname = s.key_column));
  end if;
  if not v_backed and not coalesce(link_subject.unchecked, false) then
    select pg_catalog.string_agg(pg_catalog.format('%s.%I', c.confrelid::regclass, pa.attname), ', ' order by c.conname)
    into v_points
    from pg_catalog.pg_constraint c
    cross join lateral rows from (pg_catalog.unnest(c.conkey), pg_catalog.unnest(c.confkey)) as m(a, b)
    join pg_catalog.pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = m.a
    join pg_catalog.pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = m.b
    where c.contype = 'f' and c.conparentid = 0 and ca.attname = link_subject.column_name
      and c.conrelid = pg_catalog.format('%I.%I', v_schema, v_table)::regclass;
    raise exception using errcode = 'PV409', schema = v_schema, table = v_table, column = link_subject.column_name,
      message = pg_catalog.format('%I.%I.%I is not a %s id: no foreign key leads from it to %I.%I.%I%s',
                                  v_schema, v_table, link_subject.column_name, s.name, s.schema_name, s.table_name, s.key_column,
                                  case when v_points is not null then pg_catalog.format(' (it references %s)', v_points) else '' end),
      hint = case when v_points is not null
                  then 'A row the subject''s row references is linked with privacy.link_subject_through(type, table, subject_table).'
                  else 'If its values are ids of that subject all the same, say so: unchecked => true (privacy.verify() lists it).' end;
  end if;
  insert into privacy.subject_link as x (subject_type, schema_name, table_name, column_name, unchecked)
  values (link_subject.subject_type, v_schema, v_table, link_subject.column_name, coalesce(link_subject.unchecked, false))
  on conflict on constraint subject_link_pkey do update set unchecked = excluded.unchecked
    where x.unchecked is distinct from excluded.unchecked;
end
$$;
comment on function privacy.link_subject(text, text, text, boolean) is
  'Links a column to a subject type: its value identifies a subject of that type (a foreign key to the subject''s key, or unchecked).';

-- Why definer: as declare_subject_type.
create or replace function privacy.unlink_subject(subject_type text, table_name text, column_name text)
returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
begin
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(unlink_subject.table_name) t;
  delete from privacy.subject_link l
  where l.subject_type = unlink_subject.subject_type and l.schema_name = v_schema
    and l.table_name = v_table and l.column_name = unlink_subject.column_name;
  return found;
end
$$;
comment on function privacy.unlink_subject(text, text, text) is 'Removes a subject link. True if there was one.';

-- Why definer: reads the subject's home table, which privacy_admin members may not read
-- themselves; only existence is returned, never a value.
create or replace function privacy.subject_exists(subject_type text, subject_id text)
returns boolean
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  s privacy.subject_type;
  v_found boolean;
begin
  select * into s from privacy.subject_type t where t.name = subject_exists.subject_type;
  if s.name is null then
    raise exception using errcode = 'PV007',
      message = pg_catalog.format('unknown subject type %L', subject_exists.subject_type);
  end if;
  execute pg_catalog.format('select exists (select from %I.%I where %I::text = $1)',
                            s.schema_name, s.table_name, s.key_column)
    into v_found using subject_exists.subject_id;
  return v_found;
end
$$;
comment on function privacy.subject_exists(text, text) is 'Whether a subject of the given type and id exists.';

-- The declaration API, for admins.
grant execute on function
  privacy.declare_subject_type(text, text, text, text),
  privacy.link_subject(text, text, text, boolean),
  privacy.unlink_subject(text, text, text)
  to privacy_admin;
