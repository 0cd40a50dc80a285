-- integritet: self-check — what in this database would let a restricted role read data it
-- should not. `integritet verify` prints these findings and fails on any of severity high.
--
--   select * from privacy.verify() order by severity, check_name;
--
-- needs: 200-masked-views
-- uses later: 221-verify-bypass, 222-verify-anonymize, 222-verify-copies, 223-verify-catalog, 223-verify-oracles, 224-verify-unprotected, 225-verify-subject-links, 226-verify-tenants, 415-hidden-rows

-- Why invoker: called by verify() (definer), as its owner. Restricted rows that the masked views
-- would show: privacy.hidden_row (migration 0007) lists what they leave out, kept in step by
-- triggers on privacy.restricted_row (sql/415). The 0007 down migration replaces this function
-- with one that finds nothing, as there is no privacy.hidden_row below 0007.
create or replace function privacy.verify_hidden_rows()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select 'high'::text, 'restricted_row_not_hidden'::text, pg_catalog.format('%I.%I', r.schema_name, r.table_name),
         pg_catalog.format('%s restricted rows are not in privacy.hidden_row, so masked views show them: '
                           'select privacy.rebuild_hidden_rows()', pg_catalog.count(*))
  from privacy.restricted_row r
  where not exists (select from privacy.hidden_row h
                    where h.schema_name = r.schema_name and h.table_name = r.table_name and h.row_id = r.row_id)
  group by r.schema_name, r.table_name
  union all
  -- Row-level security tests a row against its table's hidden keys in a hash built once per
  -- statement (privacy.restricted_rows_filter_sql, sql/200), as long as the planner expects the
  -- keys to fit in hash_mem, 32 bytes a key; past that it reads them all again for every row.
  -- Counted against this session's work_mem, which the application's may differ from.
  select 'medium'::text, 'hidden_rows_not_hashed'::text, pg_catalog.format('%I.%I', h.schema_name, h.table_name),
         pg_catalog.format('%s hidden rows: more than work_mem (%s) times hash_mem_multiplier (%s) holds, so every masked '
                           'read tests each row against all of them one by one: raise work_mem for the application''s logins '
                           '(alter role … set work_mem = ''%s'')',
                           pg_catalog.count(*), pg_catalog.current_setting('work_mem'), pg_catalog.current_setting('hash_mem_multiplier'),
                           pg_catalog.pg_size_pretty(((pg_catalog.count(*) * 64 / pg_catalog.current_setting('hash_mem_multiplier')::float8)::bigint / 1048576 + 1) * 1048576))
  from privacy.hidden_row h
  group by h.schema_name, h.table_name
  having pg_catalog.count(*) * 32 > pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem'))
                                     * pg_catalog.current_setting('hash_mem_multiplier')::float8
  union all
  -- The hash is built by every statement that reads the table through its masked view, a key
  -- lookup of one row included: about 1,800 CPU instructions a hidden key (a lookup of the read
  -- benchmark costs 163,000 with none, 18.6 million with 10,000; README "Benchmarks").
  select 'low'::text, 'hidden_rows_per_statement'::text, pg_catalog.format('%I.%I', h.schema_name, h.table_name),
         pg_catalog.format('%s hidden rows: every read through the masked view, a key lookup included, first builds '
                           'a hash of all of them (about %s ms of CPU a statement at 2 GHz)',
                           pg_catalog.count(*), pg_catalog.round(pg_catalog.count(*) * 1800 / 2e6, 1))
  from privacy.hidden_row h
  group by h.schema_name, h.table_name
  having pg_catalog.count(*) > 1000
$$;
comment on function privacy.verify_hidden_rows() is
  'Findings: restricted rows missing from privacy.hidden_row, which masked views would therefore show, tables with more hidden rows than a hash of them in work_mem holds, and tables with so many that building the hash weighs on every read.';
revoke execute on function privacy.verify_hidden_rows() from public;

-- Why invoker: called by verify() (definer), as its owner. The login roles that really are
-- members of privacy_masked (pg_has_role is true for superusers of every role, so memberships
-- are followed through pg_auth_members), and what would let them past the protection.
create or replace function privacy.verify_masked_logins()
returns table (severity text, check_name text, object text, message text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
  with recursive member_of(roleid) as (
    select m.member from pg_catalog.pg_auth_members m
    where m.roleid = (select r.oid from pg_catalog.pg_roles r where r.rolname = 'privacy_masked')
    union
    select m.member from pg_catalog.pg_auth_members m join member_of on m.roleid = member_of.roleid
  ),
  masked_login as (
    select r.oid, r.rolname, r.rolsuper, r.rolbypassrls
    from pg_catalog.pg_roles r where r.oid in (select roleid from member_of) and r.rolcanlogin
  )
  select 'high', 'masked_login_is_superuser', l.rolname::text,
         'superusers bypass every protection: use an ordinary login role for the application'
  from masked_login l where l.rolsuper
  union all
  select 'high', 'masked_login_bypasses_rls', l.rolname::text,
         'BYPASSRLS lets this application role read every tenant: alter role ... nobypassrls'
  from masked_login l where l.rolbypassrls and not l.rolsuper
  union all
  select 'high', 'masked_login_owns_protected_table', pg_catalog.format('%I.%I', p.schema_name, p.table_name),
         pg_catalog.format('%I can act as the table''s owner, which is not subject to row-level security', l.rolname)
  from privacy.protected_table p
  join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name))
  join masked_login l on not l.rolsuper and pg_catalog.pg_has_role(l.oid, c.relowner, 'USAGE')
  union all
  select case when c.relrowsecurity then 'medium' else 'high' end, 'masked_login_reads_base_column',
         pg_catalog.format('%I.%I.%I', p.schema_name, p.table_name, tc.column_name),
         pg_catalog.format('%I holds SELECT on this personal column of the base table: revoke it and read masked.%I',
                           l.rolname, p.table_name)
  from privacy.protected_table p
  join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name))
  cross join lateral privacy.table_columns(p.schema_name, p.table_name) tc
  join masked_login l on not l.rolsuper
  where not tc.visible
    and not pg_catalog.pg_has_role(l.oid, c.relowner, 'USAGE')
    and pg_catalog.has_column_privilege(l.oid, c.oid, tc.column_name, 'SELECT')
  union all
  select 'low', 'masked_login_search_path', l.rolname::text,
         pg_catalog.format('put masked first: alter role %I set search_path = masked, public', l.rolname)
  from masked_login l
  where not l.rolsuper and not exists (
    select from pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) c
    where s.setrole = l.oid and s.setdatabase in (0, (select d.oid from pg_catalog.pg_database d
                                                       where d.datname = pg_catalog.current_database()))
      and c like 'search\_path=masked%');
end
$$;
comment on function privacy.verify_masked_logins() is
  'Findings about the application''s login roles: superuser, BYPASSRLS, owner of a table, base columns, search_path (internal).';
revoke execute on function privacy.verify_masked_logins() from public;

-- Why invoker: called by verify() (definer), as its owner. Protected tables without row-level
-- security or a current masked view, unclassified columns, definer functions without a pinned
-- search_path, and tenants set for whole sessions.
create or replace function privacy.verify_protection()
returns table (severity text, check_name text, object text, message text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
  select 'high', 'protected_table_without_rls', pg_catalog.format('%I.%I', p.schema_name, p.table_name),
         'row-level security is off on a protected table: run privacy.sync()'
  from privacy.protected_table p
  join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name))
  where not c.relrowsecurity
  union all
  select 'high', 'protected_table_missing', pg_catalog.format('%I.%I', p.schema_name, p.table_name),
         'a protected table no longer exists: unprotect it or restore it'
  from privacy.protected_table p
  where pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name)) is null
  union all
  select 'high', 'masked_view_missing', pg_catalog.format('%I.%I', p.schema_name, p.table_name),
         pg_catalog.format('masked.%I does not exist: run privacy.sync()', p.table_name)
  from privacy.protected_table p
  where pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name)) is not null
    and pg_catalog.to_regclass(pg_catalog.format('masked.%I', p.table_name)) is null
  union all
  select 'medium', 'masked_view_outdated', pg_catalog.format('%I.%I', e.schema_name, e.table_name),
         'the table or its rules changed since its masked view was generated: run privacy.sync()'
  from privacy.enforcement e
  where pg_catalog.to_regclass(pg_catalog.format('%I.%I', e.schema_name, e.table_name)) is not null
    and pg_catalog.to_regclass(pg_catalog.format('masked.%I', e.view_name)) is not null
    and e.definition_hash is distinct from pg_catalog.md5(
          privacy.masked_view_sql(e.schema_name, e.table_name)
          || privacy.write_trigger_sql(e.schema_name, e.table_name, e.view_name)
          || privacy.visible_rows_sql(e.schema_name, e.table_name))
  union all
  select 'high', 'definer_without_search_path', p.oid::pg_catalog.regprocedure::text,
         pg_catalog.format('a SECURITY DEFINER function without a pinned search_path can be hijacked: alter function %s set search_path = %s',
                           p.oid::pg_catalog.regprocedure, privacy.definer_search_path(p.oid))
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
    and not exists (select from pg_catalog.unnest(p.proconfig) s where s like 'search\_path=%')
  union all
  select 'low', 'unclassified_column', pg_catalog.format('%I.%I.%I', p.schema_name, p.table_name, tc.column_name),
         'nobody classified this column, so restricted roles read NULL: classify it'
  from privacy.protected_table p
  cross join lateral privacy.table_columns(p.schema_name, p.table_name) tc
  where pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name)) is not null
    and not exists (select from privacy.column_rule r where r.schema_name = p.schema_name
                    and r.table_name = p.table_name and r.column_name = tc.column_name)
  union all
  -- privacy.set_tenant() writes the tenant transaction-locally; a role or database default of the
  -- same setting (sql/205) would give every transaction of those sessions that sets none a tenant.
  select 'high', 'tenant_set_for_sessions', t.target,
         'a default of privacy.transaction_tenant gives sessions a tenant that no transaction set: '
           || t.statement || ' reset privacy.transaction_tenant'
  from pg_catalog.pg_db_role_setting s
  left join pg_catalog.pg_roles r on r.oid = s.setrole
  left join pg_catalog.pg_database d on d.oid = s.setdatabase
  cross join lateral (
    select case when r.rolname is null then 'all roles' else pg_catalog.format('role %I', r.rolname) end
             || case when d.datname is null then '' else pg_catalog.format(' in database %I', d.datname) end as target,
           case when r.rolname is null and d.datname is not null then pg_catalog.format('alter database %I', d.datname)
                when r.rolname is null then 'alter role all'
                else pg_catalog.format('alter role %I', r.rolname)
                     || case when d.datname is null then '' else pg_catalog.format(' in database %I', d.datname) end
           end as statement
  ) t
  where s.setdatabase in (0, (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()))
    and exists (select from pg_catalog.unnest(s.setconfig) c where pg_catalog.lower(c) like 'privacy.transaction\_tenant=%');
end
$$;
comment on function privacy.verify_protection() is
  'Findings about protected tables, their masked views and columns, definer functions and session tenants (internal).';
revoke execute on function privacy.verify_protection() from public;

-- Why definer: inspects role memberships, privileges and settings of every role, which
-- privacy_admin members cannot all see for themselves; it returns names, never data.
create or replace function privacy.verify()
returns table (severity text, check_name text, object text, message text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return query select * from privacy.verify_masked_logins();
  return query select * from privacy.verify_protection();
  return query select * from privacy.verify_owner_views();
  return query select * from privacy.verify_definer_functions();
  return query select * from privacy.verify_partition_grants();
  return query select * from privacy.verify_copy_routes();
  return query select * from privacy.verify_statement_text();
  return query select * from privacy.verify_constraint_oracles();
  return query select * from privacy.verify_unprotected_tables();
  return query select * from privacy.verify_hidden_rows();
  return query select * from privacy.verify_catalog_names();
  return query select * from privacy.verify_subject_links();
  return query select * from privacy.verify_anonymize();
  return query select * from privacy.verify_tenants();
end
$$;
comment on function privacy.verify() is
  'Findings (severity high/medium/low) about roles, privileges and objects that weaken the protection.';

grant execute on function privacy.verify() to privacy_admin;
