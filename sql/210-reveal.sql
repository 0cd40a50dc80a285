-- integritet: break-glass reveal — one raw value, for trusted staff, with a reason on record.
--
--   select privacy.reveal('customer', '42', 'email', 'Customer asked for a copy of their invoice');
--
-- The ledger gets who asked, for which table, row key and column, and why — never the value.
--
-- needs: 010-names, 020-ledger, 200-masked-views

-- Why definer: returns a raw value of a protected table, which the caller may not read
-- otherwise; EXECUTE is granted to privacy_unmasked only, and every call is written to the ledger.
create or replace function privacy.reveal(table_name text, key text, column_name text, reason text)
returns text
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema name;
  v_table  name;
  v_where  text;
  v_key    jsonb;
  v_value  text;
  v_found  boolean;
  v_object text;
begin
  if reveal.reason is null or pg_catalog.length(pg_catalog.btrim(reveal.reason)) < 3 then
    raise exception using errcode = 'PV011',
      message = 'reveal needs a reason (at least 3 characters): it is written to the ledger';
  end if;
  select t.schema_name, t.relname into v_schema, v_table from privacy.resolve_table(reveal.table_name) t;
  perform privacy.column_type(v_schema, v_table, reveal.column_name);
  v_object := pg_catalog.format('%I.%I.%I', v_schema, v_table, reveal.column_name);
  if not exists (select from privacy.protected_table p where p.schema_name = v_schema and p.table_name = v_table) then
    raise exception using errcode = 'PV010', schema = v_schema, table = v_table,
      message = pg_catalog.format('%I.%I is not protected: read it directly', v_schema, v_table);
  end if;

  -- The key: the primary key value, or a JSON object {column: value} for a composite key.
  if reveal.key is null then
    raise exception using errcode = 'PV011', message = 'reveal needs the row''s primary key';
  end if;
  begin
    v_key := case when pg_catalog.left(pg_catalog.ltrim(reveal.key), 1) = '{' then reveal.key::jsonb end;
  exception when others then
    raise exception using errcode = 'PV011', message = 'a composite key is given as a JSON object {"column": value}';
  end;
  select pg_catalog.string_agg(
           pg_catalog.format('%I = %L::%s', c.column_name,
                             case when v_key is null then reveal.key else v_key ->> c.column_name end, c.type_sql),
           ' and ')
    into v_where
  from privacy.table_columns(v_schema, v_table) c where c.in_key;
  if v_where is null then
    raise exception using errcode = 'PV013', schema = v_schema, table = v_table,
      message = pg_catalog.format('%I.%I has no primary key to find the row by', v_schema, v_table);
  end if;
  if v_key is null and (select count(*) from privacy.table_columns(v_schema, v_table) c where c.in_key) > 1 then
    raise exception using errcode = 'PV011', schema = v_schema, table = v_table,
      message = pg_catalog.format('%I.%I has a composite primary key: give it as a JSON object', v_schema, v_table);
  end if;

  execute pg_catalog.format('select true, %I::text from %I.%I where %s', reveal.column_name, v_schema, v_table, v_where)
    into v_found, v_value;
  if v_found is null then
    raise exception using errcode = 'PV014', schema = v_schema, table = v_table,
      message = pg_catalog.format('no row of %I.%I has that key', v_schema, v_table);
  end if;
  perform privacy.record('reveal', v_object,
                         pg_catalog.jsonb_build_object('key', coalesce(v_key, pg_catalog.to_jsonb(reveal.key)),
                                                       'reason', reveal.reason));
  return v_value;
end
$$;
comment on function privacy.reveal(text, text, text, text) is
  'Returns one raw value of a protected table to privacy_unmasked members, with the reason in the ledger.';

grant execute on function privacy.reveal(text, text, text, text) to privacy_unmasked;
