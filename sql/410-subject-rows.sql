-- integritet: identifying one row of a subject — its key as text (what restricted_row and
-- erased_row store), the integer a masked view matches restricted rows on, and a subject's lock.
--
-- needs: 200-masked-views

-- Why invoker: reads the system catalog only. The primary key's columns in index order, with
-- their types and whether each is an identity column or unique on its own.
create or replace function privacy.primary_key_columns(schema_name name, table_name name)
returns table (column_name name, column_type regtype, ordinal integer, alone_unique boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL rather than SQL: its plan is kept for the session, and erasures call this often.
  return query
  select a.attname, a.atttypid::pg_catalog.regtype, k.o::integer,
         a.attidentity <> ''
         or pg_catalog.cardinality(i.indkey::int2[]) = 1
         or exists (select from pg_catalog.pg_index u where u.indrelid = i.indrelid and u.indisunique and u.indpred is null
                    and u.indnkeyatts = 1 and u.indkey[0] = a.attnum)
  from pg_catalog.pg_index i
  cross join lateral pg_catalog.unnest(i.indkey::int2[]) with ordinality as k(attnum, o)
  join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
  where i.indrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', primary_key_columns.schema_name, primary_key_columns.table_name))
    and i.indisprimary
  order by k.o;
end
$$;
comment on function privacy.primary_key_columns(name, name) is
  'Primary key columns of a table, in order, with type and whether each identifies a row alone (internal).';

-- Why invoker: pure formatting from the catalog. The SQL of a row's key as text[]
-- (`array[t.id::text, t.recorded_at::text]`), or NULL without a primary key. Callers fix TimeZone
-- and DateStyle, so that a key written by one call is read back the same by another.
create or replace function privacy.subject_row_key_sql(schema_name name, table_name name, alias text default 't')
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select 'array[' || pg_catalog.string_agg(pg_catalog.format('%I.%I::text', alias, k.column_name), ', ' order by k.ordinal) || ']'
          from privacy.primary_key_columns(schema_name, table_name) k);
end
$$;
comment on function privacy.subject_row_key_sql(name, name, text) is 'SQL of a row''s primary key as text[] (internal).';

-- Why invoker: pure formatting from the catalog. What a masked view matches restricted rows on:
-- the first key column when it is an integer that identifies the row alone (the common surrogate
-- id; for position (id, recorded_at) the identity id), else a 64-bit hash of the whole key, which
-- does not depend on TimeZone or DateStyle. A hash collision can only hide a row too many, never
-- show a restricted one. NULL without a primary key.
create or replace function privacy.restricted_row_id_sql(schema_name name, table_name name, alias text default 't')
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  k record;
  v_all text;
begin
  select * into k from privacy.primary_key_columns(schema_name, table_name) x order by x.ordinal limit 1;
  if k.column_name is null then
    return null;
  end if;
  if k.alone_unique and k.column_type in ('bigint'::regtype, 'integer'::regtype, 'smallint'::regtype) then
    return case when k.column_type = 'bigint'::regtype then pg_catalog.format('%I.%I', alias, k.column_name)
                else pg_catalog.format('%I.%I::bigint', alias, k.column_name) end;
  end if;
  select pg_catalog.string_agg(pg_catalog.format('%I.%I', alias, x.column_name), ', ' order by x.ordinal) into v_all
  from privacy.primary_key_columns(schema_name, table_name) x;
  return pg_catalog.format('pg_catalog.hash_record_extended(row(%s), 0)', v_all);
end
$$;
comment on function privacy.restricted_row_id_sql(name, name, text) is
  'SQL of the bigint masked views match restricted rows on: the integer key, or a hash of the key (internal).';

-- Why invoker: called by the subject functions (definer). Serialises work on one subject: an
-- erasure and a restriction of the same subject never interleave.
create or replace function privacy.lock_subject(subject_type text, subject_id text)
returns void
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('integritet.subject'),
                                          pg_catalog.hashtext(subject_type || '/' || subject_id))
$$;
comment on function privacy.lock_subject(text, text) is 'Transaction lock on one subject (internal).';

-- Why invoker: called by the subject functions (definer), running as the owner of the masked
-- views. Restricted rows are invisible only once the table's row-level security policy reads the
-- table privacy.restricted_keys_relation() names; a policy generated before that (or by an older
-- version, which left them out in the view instead) is made anew.
create or replace function privacy.ensure_restriction_enforced(schema_name name, table_name name)
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_view name;
begin
  select e.view_name into v_view from privacy.enforcement e
  where e.schema_name = ensure_restriction_enforced.schema_name and e.table_name = ensure_restriction_enforced.table_name;
  if v_view is null or pg_catalog.to_regclass(pg_catalog.format('masked.%I', v_view)) is null then
    return;  -- not protected: no masked view to hide the rows from
  end if;
  if not exists (select from pg_catalog.pg_depend d
                 join pg_catalog.pg_policy p on p.oid = d.objid and d.classid = 'pg_catalog.pg_policy'::regclass
                 where p.polrelid = pg_catalog.format('%I.%I', schema_name, table_name)::regclass
                   and p.polname = 'privacy_rows'
                   and d.refclassid = 'pg_catalog.pg_class'::regclass
                   and d.refobjid = privacy.restricted_keys_relation()) then
    perform privacy.sync_table(schema_name, table_name);
  end if;
end
$$;
comment on function privacy.ensure_restriction_enforced(name, name) is
  'Regenerates a protected table''s enforcement when its policy does not yet leave out restricted rows (internal).';

-- Why invoker: called by the subject functions (definer), in their session. The statements an
-- erasure runs differ from subject to subject only in the subject's id (parameter $1, text), so
-- each is prepared once per session and executed with the id: erasing one subject after another
-- then plans each statement once, not every time (planning was most of a small erasure's time).
-- Returns `execute <name>(%L)`, to format the id into. A statement of that name that is not this
-- very statement (prepared by the session's user, say) is replaced, never executed; one of this
-- very text prepared under another search_path is analyzed again under this function's before it
-- runs (PostgreSQL re-analyzes a cached statement whose search_path differs). The session's user
-- may execute the statements too, but with their own rights, which do not reach the tables.
create or replace function privacy.prepared_statement(statement text)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_name text := 'integritet_' || pg_catalog.md5(statement);
  v_text text := pg_catalog.format('prepare %I(text) as %s', v_name, statement);
  v_have text;
begin
  select p.statement into v_have from pg_catalog.pg_prepared_statements p where p.name = v_name;
  if v_have is distinct from v_text then
    if v_have is not null then
      execute pg_catalog.format('deallocate %I', v_name);
    end if;
    execute v_text;
  end if;
  return pg_catalog.format('execute %I(%%L)', v_name);
end
$$;
comment on function privacy.prepared_statement(text) is
  'Prepares a statement taking the subject id once per session; returns how to execute it (internal).';

revoke execute on function privacy.primary_key_columns(name, name), privacy.subject_row_key_sql(name, name, text),
  privacy.restricted_row_id_sql(name, name, text), privacy.lock_subject(text, text),
  privacy.ensure_restriction_enforced(name, name), privacy.prepared_statement(text)
  from public;
grant select on privacy.restricted_row, privacy.erased_row to privacy_admin;
