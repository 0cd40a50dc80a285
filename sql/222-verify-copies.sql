-- integritet: self-check of what copies personal values out of reach of the masks — rules on
-- protected tables, foreign servers that loop back into this database, publications, statement
-- text in pg_stat_statements, pg_stat_activity and the server log. privacy.verify() (sql/220)
-- unions each function in.
--
--   select * from privacy.verify_copy_routes();
--   select * from privacy.verify_statement_text();
--
-- Why invoker, for every function here: privacy.verify() calls them with its definer rights;
-- EXECUTE is revoked from PUBLIC.
--
-- needs: 221-verify-bypass

-- Rules run with the table owner's rights on every row an application writes or reads; foreign
-- tables of a server pointing back at this database read it as the mapped user; a publication
-- ships whole rows to another database where none of this applies.
create or replace function privacy.verify_copy_routes()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select 'high'::text, 'rule_on_protected_table'::text,
         pg_catalog.format('%I on %s', r.rulename, r.ev_class::pg_catalog.regclass),
         pg_catalog.format('a rule runs with the owner''s rights on the rows written to or read from protected table %s '
                           'and can copy them where the masks do not reach: drop rule %I on %s',
                           p.protected_table::pg_catalog.regclass, r.rulename, r.ev_class::pg_catalog.regclass)
  from pg_catalog.pg_rewrite r
  join privacy.protected_relation() p on p.relid = r.ev_class
  where r.rulename <> '_RETURN'
  union all
  select 'high'::text, 'foreign_server_loops_back'::text, pg_catalog.quote_ident(s.srvname),
         pg_catalog.format('a %s server pointing back at this database, with a user mapping for %s: its foreign tables '
                           'read protected tables as the mapped user: drop user mapping for %s server %I',
                           w.fdwname, u.who, u.who, s.srvname)
  from pg_catalog.pg_foreign_server s
  join pg_catalog.pg_foreign_data_wrapper w on w.oid = s.srvfdw
  cross join lateral (
    select pg_catalog.max(case when o like 'host=%' then pg_catalog.substr(o, 6) end) as host,
           pg_catalog.max(case when o like 'dbname=%' then pg_catalog.substr(o, 8) end) as dbname
    from pg_catalog.unnest(s.srvoptions) o
  ) opt
  join lateral (
    select case when m.umuser = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.umuser)) end as who
    from pg_catalog.pg_user_mapping m
    where m.umserver = s.oid
      and (m.umuser = 0 or exists (select from privacy.masked_reader() x where pg_catalog.pg_has_role(x.roleid, m.umuser, 'USAGE')))
  ) u on true
  where w.fdwname in ('postgres_fdw', 'dblink_fdw')
    and (opt.host is null or opt.host in ('', 'localhost', '127.0.0.1', '::1') or opt.host like '/%')
    and (opt.dbname is null or opt.dbname = pg_catalog.current_database())
    and exists (select from privacy.protected_table)
  union all
  select 'high'::text, 'publication_ships_protected_table'::text,
         pg_catalog.format('%I: %I.%I', t.pubname, t.schemaname, t.tablename),
         pg_catalog.format('logical replication ships raw rows of this protected table to every subscriber, where neither '
                           'its masks nor its row-level security apply: alter publication %I drop table %I.%I',
                           t.pubname, t.schemaname, t.tablename)
  from pg_catalog.pg_publication_tables t
  join privacy.protected_table p on p.schema_name = t.schemaname and p.table_name = t.tablename
$$;
comment on function privacy.verify_copy_routes() is
  'Findings: rules on protected tables, foreign servers looping back into this database, publications of protected tables.';

-- Statement text carries the literal values an application writes (insert … values ('…')) and
-- looks up; who reads it reads them. Bind parameters keep values out of the text ($1).
create or replace function privacy.verify_statement_text()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select 'high'::text, 'masked_login_reads_all_statements'::text, m.rolname::text,
         pg_catalog.format('a member of pg_read_all_stats reads the statement text of every session, staff and '
                           'other tenants included: revoke pg_read_all_stats from %I (or pg_monitor, which includes it)', m.rolname)
  from privacy.masked_reader() m
  where m.rolname <> 'privacy_masked'
    and pg_catalog.pg_has_role(m.roleid, 'pg_read_all_stats', 'USAGE')
  union all
  select 'medium'::text, 'statement_statistics_readable'::text, v.oid::pg_catalog.regclass::text,
         pg_catalog.format('%s reads the text of the statements run by the same login in every session, with the '
                           'literal values of other tenants; send values as bind parameters, and close it: revoke select on %s from %s',
                           coalesce(privacy.grantees_reaching_masked(coalesce(v.relacl, pg_catalog.acldefault('r', v.relowner)), 'SELECT'), 'a masked login'),
                           v.oid::pg_catalog.regclass,
                           coalesce(privacy.grantees_reaching_masked(coalesce(v.relacl, pg_catalog.acldefault('r', v.relowner)), 'SELECT'), 'the login'))
  from pg_catalog.pg_class v
  join pg_catalog.pg_depend e on e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and e.objid = v.oid and e.deptype = 'e'
  join pg_catalog.pg_extension x on x.oid = e.refobjid and x.extname = 'pg_stat_statements'
  where v.relname = 'pg_stat_statements'
    and exists (select from privacy.masked_reader() m where pg_catalog.has_table_privilege(m.roleid, v.oid, 'SELECT'))
  union all
  select 'medium'::text, 'statements_logged'::text, s.name::text,
         pg_catalog.format('%s = %s writes statement text, with the values in it, into the server log, out of reach of '
                           'the masks: %s', s.name, s.setting, s.fix)
  from (
    select 'log_statement' as name, pg_catalog.current_setting('log_statement') as setting,
           'alter system set log_statement = ''ddl''' as fix
    where pg_catalog.current_setting('log_statement') in ('mod', 'all')
    union all
    select 'log_min_duration_statement', pg_catalog.current_setting('log_min_duration_statement'),
           'alter system set log_min_duration_statement = -1 (or log only durations: log_duration = on)'
    where pg_catalog.current_setting('log_min_duration_statement') not in ('-1')
    union all
    select l.name, pg_catalog.current_setting(l.name),
           pg_catalog.format('remove auto_explain from %s, or alter system set auto_explain.log_min_duration = -1', l.name)
    from (values ('shared_preload_libraries'), ('session_preload_libraries'), ('local_preload_libraries')) l(name)
    where pg_catalog.current_setting(l.name) ~ '(^|[ ,/$])auto_explain([ ,.]|$)'
      and coalesce(pg_catalog.current_setting('auto_explain.log_min_duration', true), '0') <> '-1'
  ) s
  union all
  -- Sessions of one role see each other's statement text in pg_stat_activity: an application
  -- pool that serves every tenant with one login shows each tenant the others' statements.
  select 'low'::text, 'masked_login_sees_own_sessions'::text, m.rolname::text,
         'every session of this login sees the statement text of its other sessions in pg_stat_activity, '
         'literal values included: send values as bind parameters (the text then shows $1), or alter system set track_activities = off'
  from privacy.masked_reader() m
  where m.rolname <> 'privacy_masked'
    and pg_catalog.current_setting('track_activities') = 'on'
    and not pg_catalog.pg_has_role(m.roleid, 'pg_read_all_stats', 'USAGE')
$$;
comment on function privacy.verify_statement_text() is
  'Findings: masked logins that read other sessions'' statements, pg_stat_statements readable by them, values written to the log.';

revoke execute on function privacy.verify_copy_routes(), privacy.verify_statement_text() from public;
