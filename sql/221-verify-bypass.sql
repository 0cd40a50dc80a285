-- integritet: self-check of the routes around the masks that a schema brings with it — objects
-- that read a protected table with someone else's rights (owner-privileged views, materialized
-- views, SECURITY DEFINER functions), grants on partitions and inheritance children, and the
-- objects that copy values elsewhere (rules, loopback foreign servers, publications, statement
-- text in statistics and logs). privacy.verify() (sql/220) unions each function in.
--
--   select * from privacy.verify_owner_views();
--
-- Why invoker, for every function here: privacy.verify() calls them with its definer rights;
-- EXECUTE is revoked from PUBLIC, so nobody else learns from them what they could not see.
--
-- needs: none

-- The roles an application reads as: privacy_masked itself (so a grant to PUBLIC counts before
-- any login exists) and every login that really is a member of it (followed through
-- pg_auth_members, since pg_has_role is true for superusers of every role).
create or replace function privacy.masked_reader()
returns table (roleid oid, rolname name)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with recursive member_of(roleid) as (
    select r.oid from pg_catalog.pg_roles r where r.rolname = 'privacy_masked'
    union
    select m.member from pg_catalog.pg_auth_members m join member_of on m.roleid = member_of.roleid
  )
  select r.oid, r.rolname
  from pg_catalog.pg_roles r
  where r.oid in (select roleid from member_of)
    and not r.rolsuper
    and (r.rolcanlogin or r.rolname = 'privacy_masked')
$$;
comment on function privacy.masked_reader() is
  'privacy_masked and the login roles that are members of it (superusers left out: verify() reports them apart).';

-- Partitions and inheritance children of protected tables read past the parent's row-level
-- security and masks, so every check treats them as protected too.
create or replace function privacy.protected_relation()
returns table (relid oid, protected_table oid, is_descendant boolean)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with recursive rel(relid, protected_table, is_descendant) as (
    select c.oid, c.oid, false
    from privacy.protected_table p
    join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.schema_name, p.table_name))
    union
    select i.inhrelid, rel.protected_table, true
    from rel join pg_catalog.pg_inherits i on i.inhparent = rel.relid
  )
  select rel.relid, rel.protected_table, rel.is_descendant from rel
$$;
comment on function privacy.protected_relation() is
  'Protected tables and, recursively, their partitions and inheritance children.';

-- Who of `grantees` (an aclitem[]) lets a masked reader in: PUBLIC or a role a reader is part of.
create or replace function privacy.grantees_reaching_masked(acl pg_catalog.aclitem[], privilege text)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.string_agg(distinct case when a.grantee = 0 then 'public'
                                             else pg_catalog.quote_ident(g.rolname) end, ', ')
  from pg_catalog.aclexplode(acl) a
  left join pg_catalog.pg_roles g on g.oid = a.grantee
  where a.privilege_type = privilege
    and (a.grantee = 0 or exists (select from privacy.masked_reader() m
                                  where pg_catalog.pg_has_role(m.roleid, a.grantee, 'USAGE')))
$$;
comment on function privacy.grantees_reaching_masked(pg_catalog.aclitem[], text) is
  'The grantees (public, role names) of an ACL through which a masked reader holds the privilege.';

-- Finding 1: a view reads its tables with its owner's rights (unless security_invoker), a
-- materialized view holds a copy; both skip the masks and the tenant's row-level security.
-- View dependencies are walked through pg_rewrite/pg_depend, so a view over a view counts.
create or replace function privacy.verify_owner_views()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with recursive reaches(view_oid, table_oid) as (
    select r.ev_class, p.protected_table
    from pg_catalog.pg_rewrite r
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid = r.oid
                               and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    join privacy.protected_relation() p on p.relid = d.refobjid
    where r.ev_class <> d.refobjid
    union
    select r.ev_class, reaches.table_oid
    from reaches
    join pg_catalog.pg_depend d on d.refobjid = reaches.view_oid
                               and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                               and d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
    join pg_catalog.pg_rewrite r on r.oid = d.objid
    where r.ev_class <> reaches.view_oid
  ),
  leaking as (
    select v.oid, v.relkind, v.relacl, pg_catalog.pg_get_userbyid(v.relowner) as owner,
           (select pg_catalog.string_agg(t.oid::pg_catalog.regclass::text, ', ' order by t.oid::pg_catalog.regclass::text)
            from pg_catalog.pg_class t where t.oid in (select x.table_oid from reaches x where x.view_oid = v.oid)) as tables
    from pg_catalog.pg_class v
    join pg_catalog.pg_namespace n on n.oid = v.relnamespace
    where v.oid in (select x.view_oid from reaches x)
      and n.nspname not in ('masked', 'privacy', 'pg_catalog', 'information_schema')
      and (v.relkind = 'm'
           or (v.relkind = 'v' and not exists (
                 select from pg_catalog.unnest(v.reloptions) o
                 where pg_catalog.lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))))
      and exists (select from privacy.masked_reader() m
                  where pg_catalog.has_any_column_privilege(m.roleid, v.oid, 'SELECT'))
  )
  select 'high'::text,
         case when l.relkind = 'm' then 'materialized_view_copies_protected_table' else 'view_reads_as_owner' end,
         l.oid::pg_catalog.regclass::text,
         case when l.relkind = 'm' then
           pg_catalog.format('holds a copy of %s, unmasked and of every tenant, and a masked login reads it: '
                             'revoke select on %s from %s (or drop it and rebuild it over masked.*)',
                             l.tables, l.oid::pg_catalog.regclass, coalesce(privacy.grantees_reaching_masked(l.relacl, 'SELECT'), 'the login'))
         else
           pg_catalog.format('reads %s with the rights of its owner %I, past the masks and row-level security, and a masked login reads it: %s'
                             'revoke select on %s from %s (or rebuild it over masked.*)',
                             l.tables, l.owner,
                             case when pg_catalog.current_setting('server_version_num')::integer >= 150000
                                  then pg_catalog.format('alter view %s set (security_invoker = true), or ', l.oid::pg_catalog.regclass) else '' end,
                             l.oid::pg_catalog.regclass, coalesce(privacy.grantees_reaching_masked(l.relacl, 'SELECT'), 'the login'))
         end
  from leaking l
$$;
comment on function privacy.verify_owner_views() is
  'Findings: owner-privileged views and materialized views over protected tables that a masked login can read.';

-- The schemas a function's body names objects of (its own schema first), for a search_path pin
-- that keeps it working: the toolkit's own and the system schemas are never needed there.
create or replace function privacy.definer_search_path(function_oid oid)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with word as (
    select distinct w from pg_catalog.pg_proc p,
      pg_catalog.regexp_split_to_table(pg_catalog.lower(p.prosrc), '[^a-z0-9_$]+') w
    where p.oid = function_oid
  ),
  used as (
    select n.nspname, case when n.oid = p.pronamespace then 0 else 1 end as ord
    from pg_catalog.pg_proc p, pg_catalog.pg_namespace n
    where p.oid = function_oid
      and n.nspname not in ('pg_catalog', 'information_schema', 'privacy', 'masked')
      and n.nspname not like 'pg\_%'
      and (n.oid = p.pronamespace
           or exists (select from pg_catalog.pg_class c join word on word.w = c.relname::text where c.relnamespace = n.oid)
           or exists (select from pg_catalog.pg_proc f join word on word.w = f.proname::text where f.pronamespace = n.oid)
           or exists (select from pg_catalog.pg_type t join word on word.w = t.typname::text where t.typnamespace = n.oid))
  )
  select pg_catalog.string_agg(pg_catalog.quote_ident(u.nspname), ', ' order by u.ord, u.nspname) || ', pg_temp'
  from used u
$$;
comment on function privacy.definer_search_path(oid) is
  'A search_path for a SECURITY DEFINER function that still finds what its body names: its schemas, then pg_temp.';

-- Finding 2: a SECURITY DEFINER function runs with its owner's rights; when that owner can read a
-- protected table and a masked login may execute the function, it returns raw rows of every
-- tenant. Independent of its search_path: pinning one does not close this.
create or replace function privacy.verify_definer_functions()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select 'high'::text, 'definer_reads_protected_table'::text, p.oid::pg_catalog.regprocedure::text,
         pg_catalog.format('runs with the rights of %I, who can read %s past the masks and row-level security, '
                           'and a masked login may execute it; as security invoker it reads as its caller, through the masks: '
                           'alter function %s security invoker, or revoke execute on function %s from %s',
                           pg_catalog.pg_get_userbyid(p.proowner), t.tables, p.oid::pg_catalog.regprocedure,
                           p.oid::pg_catalog.regprocedure,
                           coalesce(privacy.grantees_reaching_masked(
                                      coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)), 'EXECUTE'), 'the login'))
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_roles o on o.oid = p.proowner
  cross join lateral (
    select pg_catalog.string_agg(c.oid::pg_catalog.regclass::text, ', ' order by c.oid::pg_catalog.regclass::text) as tables
    from pg_catalog.pg_class c
    where c.oid in (select r.protected_table from privacy.protected_relation() r)
      and (o.rolsuper or pg_catalog.has_any_column_privilege(p.proowner, c.oid, 'SELECT'))
  ) t
  where p.prosecdef
    and n.nspname not in ('pg_catalog', 'information_schema', 'privacy', 'masked')
    and not exists (select from pg_catalog.pg_depend e
                    where e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and e.objid = p.oid and e.deptype = 'e')
    and t.tables is not null
    and exists (select from privacy.masked_reader() m where pg_catalog.has_function_privilege(m.roleid, p.oid, 'EXECUTE'))
$$;
comment on function privacy.verify_definer_functions() is
  'Findings: SECURITY DEFINER functions whose owner can read protected tables and that a masked login may execute.';

-- Finding 3: row-level security and the masks live on the protected parent; a privilege on a
-- partition or inheritance child reads it directly, and default privileges will grant the
-- partitions made later.
create or replace function privacy.verify_partition_grants()
returns table (severity text, check_name text, object text, message text)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with child_grant as (
    select r.relid, r.protected_table, a.grantee, a.privilege_type
    from privacy.protected_relation() r
    join pg_catalog.pg_class c on c.oid = r.relid
    cross join lateral pg_catalog.aclexplode(c.relacl) a
    where r.is_descendant and a.grantee <> c.relowner
    union
    select r.relid, r.protected_table, a.grantee, a.privilege_type
    from privacy.protected_relation() r
    join pg_catalog.pg_attribute t on t.attrelid = r.relid and t.attnum > 0 and not t.attisdropped and t.attacl is not null
    cross join lateral pg_catalog.aclexplode(t.attacl) a
    where r.is_descendant
  ),
  outsider as (
    select g.* from child_grant g left join pg_catalog.pg_roles o on o.oid = g.grantee
    where g.grantee = 0
       or (not o.rolsuper and o.rolname not like 'privacy\_%'
           and not pg_catalog.pg_has_role(o.oid, 'privacy_admin', 'MEMBER'))
  ),
  future as (
    select d.defaclrole, d.defaclnamespace, a.grantee, a.privilege_type
    from pg_catalog.pg_default_acl d
    cross join lateral pg_catalog.aclexplode(d.defaclacl) a
    left join pg_catalog.pg_roles o on o.oid = a.grantee
    where d.defaclobjtype = 'r' and a.grantee <> d.defaclrole
      and (a.grantee = 0 or (not o.rolsuper and o.rolname not like 'privacy\_%'
                             and not pg_catalog.pg_has_role(o.oid, 'privacy_admin', 'MEMBER')))
      and exists (select from privacy.protected_relation() r
                  join pg_catalog.pg_class c on c.oid = r.protected_table
                  where (c.relkind = 'p' or exists (select from pg_catalog.pg_inherits i where i.inhparent = c.oid))
                    and (d.defaclnamespace = 0 or d.defaclnamespace = c.relnamespace))
  )
  select 'high'::text, 'partition_privilege'::text, o.relid::pg_catalog.regclass::text,
         pg_catalog.format('%s holds %s on this %s of protected table %s, which neither its row-level security nor its masks '
                           'cover: revoke all on %s from %s',
                           case when o.grantee = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.grantee)) end,
                           pg_catalog.string_agg(distinct pg_catalog.lower(o.privilege_type), ', '),
                           case when c.relispartition then 'partition' else 'inheritance child' end,
                           o.protected_table::pg_catalog.regclass, o.relid::pg_catalog.regclass,
                           case when o.grantee = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.grantee)) end)
  from outsider o join pg_catalog.pg_class c on c.oid = o.relid
  group by o.relid, o.protected_table, o.grantee, c.relispartition
  union all
  select 'high'::text, 'default_privilege_on_future_partitions'::text,
         pg_catalog.format('default privileges of %I%s', pg_catalog.pg_get_userbyid(f.defaclrole),
                           case when f.defaclnamespace = 0 then '' else pg_catalog.format(' in schema %I', s.nspname) end),
         pg_catalog.format('grant %s on tables made later to %s, so a new partition of a protected table is readable directly: '
                           'alter default privileges for role %I%s revoke %s on tables from %s',
                           pg_catalog.string_agg(distinct pg_catalog.lower(f.privilege_type), ', '),
                           case when f.grantee = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(f.grantee)) end,
                           pg_catalog.pg_get_userbyid(f.defaclrole),
                           case when f.defaclnamespace = 0 then '' else pg_catalog.format(' in schema %I', s.nspname) end,
                           pg_catalog.string_agg(distinct pg_catalog.lower(f.privilege_type), ', '),
                           case when f.grantee = 0 then 'public' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(f.grantee)) end)
  from future f left join pg_catalog.pg_namespace s on s.oid = f.defaclnamespace
  group by f.defaclrole, f.defaclnamespace, s.nspname, f.grantee
$$;
comment on function privacy.verify_partition_grants() is
  'Findings: privileges of non-admin roles on partitions and inheritance children of protected tables, present and future.';

revoke execute on function privacy.masked_reader(), privacy.protected_relation(),
  privacy.grantees_reaching_masked(pg_catalog.aclitem[], text), privacy.verify_owner_views(),
  privacy.definer_search_path(oid), privacy.verify_definer_functions(), privacy.verify_partition_grants()
  from public;
