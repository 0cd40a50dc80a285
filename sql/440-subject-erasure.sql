-- integritet: erasure (GDPR Art. 17) — every row of a subject anonymized or deleted as its table's
-- rules say, in one transaction, except what the law keeps: those rows are restricted instead
-- (Art. 17(3)(b) legal obligation, 17(3)(e) legal claims; Art. 18) and erased when that ends.
--
--   select * from privacy.erase_subject('customer', '42', 'Art. 17 request of 2026-03-02, ticket 4711');
--
-- Per table, in this order:
--   kept        rows a statutory minimum keeps (privacy.retention_plan's minimum, for every row of
--               the table, whatever the policy's filter) or a hold in force on any subject the row
--               belongs to (by a column or a path link) are restricted, with the reason that keeps
--               them longest and its last day (NULL: open-ended, or an anchor not set yet)
--   anonymize   tables whose retention policy anonymizes are anonymized in place with the
--               policy's strategies (privacy.anonymize_columns), parents before children; a table
--               that cannot be (a column without a usable strategy, or a constraint refusing the
--               value) is deleted instead
--   delete      tables without a policy, delete policies, those that could not be anonymized,
--               and every table referencing rows that are deleted, children before parents; a row
--               something else still references is anonymized when the table can be, else
--               anonymized as far as the table's constraints allow and restricted with the reason
--               `referenced:<table>` (privacy.erasure_anonymize_partly): what stays as stored is
--               the key, foreign keys, the columns linking it to its subjects, and the columns
--               whose anonymized value a constraint refuses or that have no usable strategy (a
--               checked organisation number keeps the row's number, not its e-mail address).
--               A table refusing anonymization in the parents-first pass only goes to the delete
--               path there: the rows that cannot be deleted are the ones anonymized in part here.
-- The report has one line per table, outcome and reason, and for rows anonymized the columns
-- changed and those left as they were, with why (privacy.erasure_column_report): a column a
-- constraint refused, or without a usable strategy, is named, not hidden behind `anonymized`.
-- Rows none of whose columns change (nothing personal left to anonymize) are `unchanged`.
-- A row anonymized in part is counted on
-- two lines, `anonymized` (it had columns anonymized) and `restricted` with `referenced:<table>`
-- (it is kept, what could not be anonymized included, until nothing references it); a row
-- anonymized whole is on the `anonymized` line only. Rows other subjects of the type reach too
-- (through a `referenced_by` link: an address two customers' rows reference) are left as they
-- are, for them, on a line `kept` with kept_by `shared:<subject type>`.
-- Nothing relies on ON DELETE CASCADE: a row another row references is never deleted.
-- Anonymized rows are recorded (privacy.erased_row) and restricted rows carry their reason, so
-- a second call finds nothing left to do; a row anonymized in part is marked done by its
-- `referenced:` restriction (it is anonymized in part once, not given new values each time).
-- privacy.erase_due() erases kept rows once nothing keeps them (run by `integritet sweep` and by
-- the erasure worker; see there); a row kept only as referenced goes when the rows referencing it do.
-- The erasure's own writes pass the retention guards (privacy.sweeping, as sweeps do): its kept
-- predicate covers everything the guards check, and holds through path links besides.
--
-- needs: 020-ledger, 060-subjects, 300-retention-plan, 400-subject-graph, 410-subject-rows, 420-subject-export, 435-erasure-column-report

-- Why invoker: builds SQL from the catalog for erase_subject_rows (definer). Everything erasure
-- needs to know about one table, for one subject type, as SQL over the row `t` ($1: subject id):
--   linked, key, row_id        the subject's rows, their key (text[]) and masked-view match id
--   shared                     true for rows other subjects of the type reach too (NULL: none can)
--   kept                       true for rows a minimum or hold keeps; reason, until, hold_id say
--                              which (over the lateral join hold_join, alias hh)
--   action                     the retention policy's action, else delete
--   referenced_by, parents     the foreign keys into the table, and the tables it references
--                              (privacy.erasure_foreign_keys)
-- `columns` and `set_sql`/`set_problem` are left empty: erase_subject_rows works them out for a
-- table it anonymizes (privacy.erasure_anonymize_columns, privacy.erasure_anonymize_sql).
create or replace function privacy.erasure_plan(subject_type text, schema_name name, table_name name)
returns privacy.table_erasure_plan
language plpgsql stable
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
as $$
declare
  v_object  text := pg_catalog.format('%I.%I', schema_name, table_name);
  v_rel     oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, table_name));
  v_policy  privacy.retention_policy;
  v_plan    privacy.table_retention_plan;
  v_tz      text := 'UTC';
  v_today   date;
  v_ends    text;
  v_min     text := 'false';
  v_arms    text;
  v_force   text;
  v_held    text := 'false';
  v_join    text := 'left join lateral (select null::bigint as id, null::text as reason, null::date as until) as hh on true';
  v_by_min  text;
  v_shared  text;
  plan      privacy.table_erasure_plan;
begin
  select * into v_policy from privacy.retention_policy p
  where p.schema_name = erasure_plan.schema_name and p.table_name = erasure_plan.table_name;
  -- A row reached through a `referenced_by` link (an address customer rows point at), here or on
  -- the way to the subject, can belong to other subjects of the type as well: it stays for them.
  if exists (with recursive up as (
               select p.parent_schema, p.parent_table, p.direction from privacy.subject_path p
               where p.subject_type = erasure_plan.subject_type and p.schema_name = erasure_plan.schema_name
                 and p.table_name = erasure_plan.table_name
               union
               select p.parent_schema, p.parent_table, p.direction from privacy.subject_path p
               join up on (p.schema_name, p.table_name) = (up.parent_schema, up.parent_table)
               where p.subject_type = erasure_plan.subject_type)
             select from up where up.direction = 'referenced_by') then
    v_shared := pg_catalog.format('exists (select from pg_catalog.unnest(%s) as o(id) where o.id <> $1)',
                                  privacy.subject_ids_sql(subject_type, schema_name, table_name, 't'));
  end if;
  if v_policy.minimum is not null then
    v_plan := privacy.retention_plan(schema_name, table_name);
    v_ends := (v_plan.minimum).ends_sql;
  end if;
  v_tz := coalesce(v_policy.time_zone, 'UTC');
  v_today := (pg_catalog.now() at time zone v_tz)::date;
  if v_ends is not null then
    -- Kept while the minimum has not ended, and when its anchor is not set (the end is unknown).
    v_min := pg_catalog.format('not coalesce(%s <= %L::date, false)', v_ends, v_today);
  end if;

  -- Holds in force on any subject the row belongs to; only types with a hold in force are looked up.
  v_force := pg_catalog.format('h.released_at is null and (h.until is null or h.until >= %L::date)', v_today);
  select pg_catalog.string_agg(pg_catalog.format('(h.subject_type = %L and h.subject_id = any (%s))', x.subject_type, x.ids),
                               ' or ' order by x.subject_type)
  into v_arms
  from (select y.subject_type, privacy.subject_ids_sql(y.subject_type, schema_name, table_name, 't') as ids
        from (select distinct h.subject_type from privacy.hold h
              where h.released_at is null and (h.until is null or h.until >= v_today)) y) x
  where x.ids <> '''{}''::text[]';
  if v_arms is not null then
    v_held := pg_catalog.format('exists (select from privacy.hold as h where %s and (%s))', v_force, v_arms);
    v_join := pg_catalog.format('left join lateral (select h.id, h.reason, h.until from privacy.hold as h where %s and (%s) '
                                'order by h.until desc nulls first, h.id limit 1) as hh on true', v_force, v_arms);
  end if;
  -- A row kept for both is reported under the one that keeps it longer (an open-ended hold wins).
  v_by_min := pg_catalog.format('(%s and (hh.id is null or (hh.until is not null and %s - 1 >= hh.until)))',
                                v_min, coalesce(v_ends, 'null::date'));

  plan.schema_name := erasure_plan.schema_name;
  plan.table_name := erasure_plan.table_name;
  plan.object := v_object;
  plan.relid := v_rel;
  plan.linked := privacy.subject_predicate_sql(subject_type, schema_name, table_name, 't');
  plan.shared := v_shared;
  plan.key := privacy.subject_row_key_sql(schema_name, table_name, 't');
  plan.row_id := privacy.restricted_row_id_sql(schema_name, table_name, 't');
  plan.action := coalesce(v_policy.action, 'delete');
  plan.retention := v_plan;
  plan.has_policy := v_policy.schema_name is not null;
  plan.kept := pg_catalog.format('(%s or %s)', v_min, v_held);
  plan.can_keep := v_min <> 'false' or v_held <> 'false';
  plan.hold_join := v_join;
  plan.reason := pg_catalog.format('case when %s then %L else ''hold:'' || hh.reason end', v_by_min,
                                   'minimum:' || coalesce((v_plan.minimum).name, ''));
  plan.until := pg_catalog.format('case when %s then %s - 1 else hh.until end', v_by_min, coalesce(v_ends, 'null::date'));
  plan.hold_id := pg_catalog.format('case when %s then null else hh.id end', v_by_min);
  select k.referenced_by, k.parents into plan.referenced_by, plan.parents from privacy.erasure_foreign_keys(v_rel) k;
  return plan;
end
$$;
comment on function privacy.erasure_plan(text, name, name) is
  'What erasing a subject''s rows of one table takes, as SQL fragments from the catalog (internal).';

-- Why invoker: reads the system catalog, for erasure_plan. The foreign keys of one table:
--   referenced_by  every foreign key pointing at the table, as `exists (…)` over t
--   parents        the tables it references (other than itself), as format('%I.%I') writes
--                  them: the erasure order follows them
create or replace function privacy.erasure_foreign_keys(relid oid, out referenced_by privacy.plan_reference[],
                                                        out parents text[])
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL rather than SQL: its plan is kept for the session (a SQL function's is made again on
  -- every call, and took longer to make than to run, once per table of every erasure).
  select coalesce((
           select pg_catalog.array_agg(row(
                    pg_catalog.format('%I.%I', n.nspname, c.relname),
                    pg_catalog.format('exists (select from %I.%I as r where (%s) = (%s))', n.nspname, c.relname,
                      (select pg_catalog.string_agg(pg_catalog.format('r.%I', a.attname), ', ' order by k.o)
                       from pg_catalog.unnest(f.conkey) with ordinality as k(attnum, o)
                       join pg_catalog.pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.attnum),
                      (select pg_catalog.string_agg(pg_catalog.format('t.%I', a.attname), ', ' order by k.o)
                       from pg_catalog.unnest(f.confkey) with ordinality as k(attnum, o)
                       join pg_catalog.pg_attribute a on a.attrelid = f.confrelid and a.attnum = k.attnum)))::privacy.plan_reference
                  order by n.nspname, c.relname, f.conname)
           from pg_catalog.pg_constraint f
           join pg_catalog.pg_class c on c.oid = f.conrelid
           join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where f.contype = 'f' and f.conparentid = 0 and f.confrelid = erasure_foreign_keys.relid), '{}'),
         coalesce((
           select pg_catalog.array_agg(distinct pg_catalog.format('%I.%I', n.nspname, c.relname))
           from pg_catalog.pg_constraint f
           join pg_catalog.pg_class c on c.oid = f.confrelid
           join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where f.contype = 'f' and f.conparentid = 0 and f.conrelid = erasure_foreign_keys.relid
             and f.confrelid <> erasure_foreign_keys.relid), '{}')
  into referenced_by, parents;
end
$$;
comment on function privacy.erasure_foreign_keys(oid) is
  'The foreign keys into and out of a table, as erasure needs them (internal).';

-- Why invoker: as erasure_plan. How each column of the table is anonymized, as
-- privacy.anonymize_columns says for its retention policy's plan (no policy: one keeping the key
-- only), in column order. erase_subject_rows keeps it in the table's plan (`columns`) once
-- worked out, for erasure_anonymize_sql and erasure_anonymize_partly. Generic plans, as for
-- erasure_plans: the queries of the strategy registry and the catalog are planned once a session.
create or replace function privacy.erasure_anonymize_columns(plan privacy.table_erasure_plan)
returns privacy.column_anonymization[]
language plpgsql stable
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
declare
  v_plan privacy.table_retention_plan := plan.retention;
begin
  if v_plan.relid is null and plan.has_policy then
    v_plan := privacy.retention_plan(plan.schema_name, plan.table_name);
  end if;
  if v_plan.relid is null then
    -- No policy: the columns a policy would keep are the key only.
    v_plan.schema_name := plan.schema_name;
    v_plan.table_name := plan.table_name;
    v_plan.relid := plan.relid;
    v_plan.key := array(select row(k.column_name, null::text)::privacy.plan_column
                        from privacy.primary_key_columns(plan.schema_name, plan.table_name) k order by k.ordinal);
    v_plan.filter_columns := '{}'::name[];
  end if;
  return array(select row(a.column_name, a.expression, a.problem)::privacy.column_anonymization
               from privacy.anonymize_columns(v_plan) a);
end
$$;
comment on function privacy.erasure_anonymize_columns(privacy.table_erasure_plan) is
  'How an erasure anonymizes each column of a table, or why it cannot (internal).';

-- Why invoker: as erasure_plan. The SET list that anonymizes a row of the table in place, with
-- the strategies a retention sweep would use (privacy.anonymize_columns); `problem` instead when a
-- column cannot be anonymized.
create or replace function privacy.erasure_anonymize_sql(plan privacy.table_erasure_plan, out set_sql text, out problem text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_columns privacy.column_anonymization[] := coalesce(plan.columns, privacy.erasure_anonymize_columns(plan));
  v_key     text;
begin
  select pg_catalog.format('%I: %s', c.col, c.why) into problem
  from pg_catalog.unnest(v_columns) with ordinality as c(col, expr, why, o)
  where c.why is not null order by c.o limit 1;
  if problem is not null then
    return;
  end if;
  select pg_catalog.string_agg(pg_catalog.format('%I = %s', c.col, c.expr), ', ' order by c.o)
  into set_sql from pg_catalog.unnest(v_columns) with ordinality as c(col, expr, why, o);
  if set_sql is null then
    -- Nothing personal to anonymize: the rows count as anonymized as they are.
    select pg_catalog.format('%1$I = t.%1$I', k.column_name) into v_key
    from privacy.primary_key_columns(plan.schema_name, plan.table_name) k order by k.ordinal limit 1;
    set_sql := v_key;
    if set_sql is null then
      problem := 'nothing to anonymize and no key to mark the rows done by';
    end if;
  end if;
end
$$;
comment on function privacy.erasure_anonymize_sql(privacy.table_erasure_plan) is
  'SET list anonymizing a table''s rows in place for an erasure, or why it cannot (internal).';

-- Why invoker: called by erase_subject_rows (definer). Restricts the rows of one table that
-- `predicate` selects (over t, with hold_join) as kept back by an erasure; returns how many were
-- newly restricted (or restricted for another reason or until), per reason and last day.
create or replace function privacy.erasure_restrict(plan privacy.table_erasure_plan, subject_type text, subject_id text, request_id bigint,
                                                    predicate text, reason_sql text, until_sql text, hold_id_sql text)
returns table (kept_by text, until date, row_count bigint)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Rows restricted already for the same reason and day are left out before the upsert: a second
  -- erasure reads them, and writes nothing.
  return query execute pg_catalog.format(privacy.prepared_statement(pg_catalog.format(
    'with k0 as (select %1$s as row_key, %2$s as row_id, %3$s as reason, %4$s as until, %5$s as hold_id '
    '            from %6$s as t %7$s where %8$s and %9$s), '
    'k as (select k0.* from k0 where not exists (select from privacy.restricted_row as x where x.schema_name = %10$L '
    '      and x.table_name = %11$L and x.row_key = k0.row_key and x.subject_type = %12$L and x.subject_id = $1 '
    '      and x.origin = ''erasure'' and (x.reason, x.hold_id, x.until) is not distinct from (k0.reason, k0.hold_id, k0.until))), '
    'u as (insert into privacy.restricted_row as r (schema_name, table_name, row_key, subject_type, subject_id, origin, '
    '                                               row_id, reason, hold_id, until, request_id) '
    '      select %10$L, %11$L, k.row_key, %12$L, $1, ''erasure'', k.row_id, k.reason, k.hold_id, k.until, %13$s from k '
    '      on conflict (schema_name, table_name, row_key, subject_type, subject_id, origin) do update '
    '        set reason = excluded.reason, hold_id = excluded.hold_id, until = excluded.until, row_id = excluded.row_id, '
    '            request_id = coalesce(excluded.request_id, r.request_id) '
    '      returning r.reason, r.until) '
    'select u.reason, u.until, pg_catalog.count(*) from u group by u.reason, u.until order by u.reason, u.until',
    plan.key, plan.row_id, reason_sql, until_sql, hold_id_sql, plan.object, plan.hold_join,
    plan.linked, predicate, plan.schema_name, plan.table_name, erasure_restrict.subject_type,
    coalesce(erasure_restrict.request_id::text, 'null'))), erasure_restrict.subject_id);
end
$$;
comment on function privacy.erasure_restrict(privacy.table_erasure_plan, text, text, bigint, text, text, text, text) is
  'Restricts the rows of a table an erasure keeps back (internal).';

-- Why invoker: called by erasure_anonymize and erasure_anonymize_partly. Runs a statement of an
-- erasure that yields a row count (over t, $1: the subject id; prepared once per session) in a
-- subtransaction: the count, or NULL when a constraint refused the values it writes (nothing
-- changed then).
create or replace function privacy.erasure_try(statement text, subject_id text)
returns bigint
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n bigint;
begin
  execute pg_catalog.format(privacy.prepared_statement(statement), erasure_try.subject_id) into v_n;
  return v_n;
exception when integrity_constraint_violation then
  return null;
end
$$;
comment on function privacy.erasure_try(text, text) is
  'Runs an erasure statement; its row count, or NULL when a constraint refuses (internal).';

-- Why invoker: called by erase_subject_rows (definer). Anonymizes the subject's rows of one table
-- that `predicate` selects and no earlier erasure anonymized, records them as erased and lifts
-- the erasure's restrictions of them. Returns the count, or NULL when a constraint refused the
-- anonymized values (nothing changed then) — the caller deletes instead.
-- Why `offset 0` in the NOT EXISTS on privacy.erased_row (here and in the statements below): it
-- keeps the test a probe of the row's key in erased_row's primary key, per row. As an anti-join,
-- the planner reads the statistics of the last ANALYZE, which see few rows of the table erased
-- (none of a table no one erased before): it then scanned all of them for every row of the
-- subject, so each erasure took longer than the one before (a device of 694 positions, the 40th
-- in a row: seconds instead of milliseconds, and as long with nothing left to do).
create or replace function privacy.erasure_anonymize(plan privacy.table_erasure_plan, set_sql text, subject_id text, request_id bigint,
                                                     predicate text)
returns bigint
language sql volatile
set search_path = pg_catalog, pg_temp
as $$
  select privacy.erasure_try(pg_catalog.format(
    'with a as (update %1$s as t set %2$s where %3$s and %4$s and not exists (select from privacy.erased_row as e '
    '           where e.schema_name = %5$L and e.table_name = %6$L and e.row_key = %7$s offset 0) returning %7$s as row_key), '
    'm as (insert into privacy.erased_row (schema_name, table_name, row_key, request_id) '
    '      select %5$L, %6$L, a.row_key, %8$s from a on conflict do nothing), '
    'x as (delete from privacy.restricted_row as r using a '
    '      where r.schema_name = %5$L and r.table_name = %6$L and r.row_key = a.row_key and r.origin = ''erasure'') '
    'select pg_catalog.count(*) from a',
    plan.object, set_sql, plan.linked, predicate, plan.schema_name, plan.table_name, plan.key,
    coalesce(erasure_anonymize.request_id::text, 'null')), erasure_anonymize.subject_id)
$$;
comment on function privacy.erasure_anonymize(privacy.table_erasure_plan, text, text, bigint, text) is
  'Anonymizes a subject''s rows of one table for an erasure; NULL when a constraint refuses (internal).';

-- Written before erasure_try took its place.
drop function if exists privacy.erasure_update(jsonb, text, text, text);

-- Why invoker: called by erase_subject_rows (definer). The rows of a table that other rows still
-- reference (`predicate` over t), when the table cannot be anonymized as a whole: anonymizes
-- each column whose anonymized value the table's constraints accept, and keeps the rest as it
-- is — the key, foreign keys, the columns linking the row to its subjects (so that it stays
-- found, restricted, and goes once nothing references it), columns without a usable strategy,
-- and those whose anonymized value a constraint refuses (for any of the rows). The columns no
-- constraint can refuse go in one statement; the others (in a CHECK, unique or exclusion
-- constraint, or of a domain type; all of them when that one statement is refused) one at a
-- time, each in a subtransaction. The rows are not recorded in privacy.erased_row: the caller
-- restricts them (`referenced:<table>`), and an erasure's restriction with such a reason marks
-- them done, so that a later erasure draws no new values for them. Returns how many rows had a
-- column anonymized (0: none could be), and the columns with a strategy it left as they were
-- and why ([{column, why}], for privacy.erasure_column_report).
create or replace function privacy.erasure_anonymize_partly(plan privacy.table_erasure_plan, subject_id text, predicate text,
                                                            out row_count bigint, out left_as_is jsonb)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_rel   oid := plan.relid;
  v_rows  text;
  v_update text[];
  v_plain text[];
  v_each  text[];
  v_names name[];
  v_plain_names name[];
  v_set   text;
  v_n     bigint;
  v_state text;
  v_con   text;
begin
  row_count := 0;
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('column', c.name, 'why', c.why) order by c.attnum)
                    filter (where c.why is not null), '[]'),
         pg_catalog.array_agg(pg_catalog.format('%I = %s', c.name, c.expression) order by c.attnum)
           filter (where c.why is null and not c.refusable),
         pg_catalog.array_agg(pg_catalog.format('%I = %s', c.name, c.expression) order by c.attnum)
           filter (where c.why is null and c.refusable),
         pg_catalog.array_agg(c.name order by c.attnum) filter (where c.why is null and c.refusable),
         pg_catalog.array_agg(c.name order by c.attnum) filter (where c.why is null and not c.refusable)
  into left_as_is, v_plain, v_each, v_names, v_plain_names
  from (select a.name, a.expression, att.attnum,
               case when exists (select from pg_catalog.pg_constraint f
                                 where f.conrelid = v_rel and f.contype = 'f' and att.attnum = any (f.conkey))
                      then 'a foreign key'
                    when exists (select from privacy.subject_link l
                                 where l.schema_name = plan.schema_name and l.table_name = plan.table_name
                                   and l.column_name = a.name)
                      then 'links the row to its subject' end as why,
               ty.typtype = 'd'
               or exists (select from pg_catalog.pg_constraint k
                          where k.conrelid = v_rel and k.contype in ('c', 'u', 'x') and att.attnum = any (k.conkey))
               or exists (select from pg_catalog.pg_index i
                          where i.indrelid = v_rel and (i.indisunique or i.indisexclusion)
                            and att.attnum = any (i.indkey::pg_catalog.int2[])) as refusable
        from pg_catalog.unnest(coalesce(plan.columns, privacy.erasure_anonymize_columns(plan)))
               as a(name, expression, problem)
        join pg_catalog.pg_attribute att on att.attrelid = v_rel and att.attname = a.name
        join pg_catalog.pg_type ty on ty.oid = att.atttypid
        where a.problem is null) c;
  if v_plain is null and v_each is null then
    return;
  end if;
  v_rows := pg_catalog.format(
    '%1$s and %2$s and not exists (select from privacy.erased_row as e where e.schema_name = %3$L '
    'and e.table_name = %4$L and e.row_key = %5$s offset 0) and not exists (select from privacy.restricted_row as x '
    'where x.schema_name = %3$L and x.table_name = %4$L and x.row_key = %5$s and x.origin = ''erasure'' '
    'and pg_catalog.starts_with(x.reason, ''referenced:'') offset 0)',
    plan.linked, predicate, plan.schema_name, plan.table_name, plan.key);
  -- The UPDATE around a SET list: what goes before it, and after it.
  v_update := array[pg_catalog.format('with a as (update %s as t set ', plan.object),
                    pg_catalog.format(' where %s returning 1) select pg_catalog.count(*) from a', v_rows)];
  if v_plain is not null then
    v_n := privacy.erasure_try(v_update[1] || pg_catalog.array_to_string(v_plain, ', ') || v_update[2], subject_id);
    if v_n is null then
      -- Refused after all: the same columns one at a time.
      v_each := v_plain || coalesce(v_each, '{}');
      v_names := v_plain_names || coalesce(v_names, '{}');
    elsif v_n = 0 then
      left_as_is := '[]';
      return;  -- no such row (left partly anonymized by an earlier erasure, say)
    else
      row_count := v_n;
    end if;
  end if;
  for i in 1 .. coalesce(pg_catalog.cardinality(v_each), 0) loop
    v_set := v_each[i];
    begin
      execute pg_catalog.format(privacy.prepared_statement(v_update[1] || v_set || v_update[2]), subject_id) into v_n;
      row_count := greatest(row_count, v_n);
    exception when integrity_constraint_violation then
      get stacked diagnostics v_state = returned_sqlstate, v_con = constraint_name;
      left_as_is := left_as_is || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'column', v_names[i], 'why', privacy.erasure_refusal(v_state, v_con)));
    end;
  end loop;
end
$$;
comment on function privacy.erasure_anonymize_partly(privacy.table_erasure_plan, text, text) is
  'Anonymizes what the constraints allow of rows an erasure keeps because others reference them; the count and what it left (internal).';

-- Why invoker: called by erase_subject_rows (definer). The erasure plan of every table the
-- subject has rows in, with the foreign keys between them; raises PV001 for a linked table that
-- no longer exists. Its queries (and those of the functions it calls: erasure_plan, the retention
-- plan, the subject's SQL) read the catalog and the policy by key: their generic plans are as
-- good, and made once a session, where the planner's choice, a custom plan per call, took longer
-- to make than to run (a few milliseconds per table, at every erasure). No application table is
-- read here.
create or replace function privacy.erasure_plans(subject_type text)
returns privacy.table_erasure_plan[]
language plpgsql volatile
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
declare
  x        record;
  v_object text;
  v_plans  privacy.table_erasure_plan[] := '{}'::privacy.table_erasure_plan[];
begin
  for x in select * from privacy.subject_tables(erasure_plans.subject_type) t loop
    v_object := pg_catalog.format('%I.%I', x.schema_name, x.table_name);
    if pg_catalog.to_regclass(v_object) is null then
      raise exception using errcode = 'PV001', schema = x.schema_name, table = x.table_name,
        message = pg_catalog.format('%s is linked to %s but no longer exists', v_object, erasure_plans.subject_type),
        hint = 'Remove its links with privacy.unlink_subject() or privacy.unlink_subject_through().';
    end if;
    v_plans := v_plans || privacy.erasure_plan(erasure_plans.subject_type, x.schema_name, x.table_name);
  end loop;
  return v_plans;
end
$$;
comment on function privacy.erasure_plans(text) is
  'The erasure plans of every table a subject type has rows in, with the foreign keys between them (internal).';

-- Why invoker: called by erase_subject_rows (definer). Rows other subjects reach too (an address
-- two customers share) stay as they are, for them, and the report says so ("kept" lines). The
-- subject's own rows of such a table are fixed by key before anything changes: a `referenced_by`
-- link stops finding them once the rows referencing them are gone, and the deletes go children
-- first. Returns the plans with those tables' `linked` narrowed to the subject's own rows.
create or replace function privacy.erasure_shared_rows(subject_type text, subject_id text, inout plans privacy.table_erasure_plan[],
                                                       out lines jsonb)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan     privacy.table_erasure_plan;
  v_n      bigint;
  v_own    text[];
begin
  lines := '[]'::jsonb;
  for i in 1 .. coalesce(pg_catalog.cardinality(plans), 0) loop
    plan := plans[i];
    continue when plan.shared is null;
    begin
      execute pg_catalog.format('select pg_catalog.count(*) filter (where %2$s), '
                                '       pg_catalog.array_agg((%3$s)::text) filter (where not %2$s) from %1$s as t where %4$s',
                                plan.object, plan.shared, coalesce(plan.key, 'null::text[]'), plan.linked)
        into v_n, v_own using erasure_shared_rows.subject_id;
    exception when data_exception then
      perform privacy.subject_query_failed(erasure_shared_rows.subject_type, plan.schema_name, plan.table_name, sqlstate);
    end;
    if v_n > 0 then
      lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'relation', plan.object, 'outcome', 'kept', 'row_count', v_n, 'kept_by', 'shared:' || erasure_shared_rows.subject_type));
    end if;
    plan.linked := case when plan.key is not null
                        then pg_catalog.format('(%s)::text = any (%L::text[])', plan.key, coalesce(v_own, '{}'))
                        else pg_catalog.format('(%s and not %s)', plan.linked, plan.shared) end;
    plans[i] := plan;
  end loop;
end
$$;
comment on function privacy.erasure_shared_rows(text, text, privacy.table_erasure_plan[]) is
  'Counts the rows an erasure keeps for other subjects and narrows the plans to the subject''s own rows (internal).';

-- Why invoker: pure. The plans children before parents: a table goes after every remaining table
-- that references it; in a cycle of foreign keys, any order.
create or replace function privacy.erasure_order(plans privacy.table_erasure_plan[])
returns privacy.table_erasure_plan[]
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_order privacy.table_erasure_plan[] := '{}'::privacy.table_erasure_plan[];
  v_left  text[];
  v_pick  text;
begin
  v_left := array(select p.object from pg_catalog.unnest(plans) p order by 1);
  while pg_catalog.cardinality(v_left) > 0 loop
    select u.l into v_pick from pg_catalog.unnest(v_left) with ordinality as u(l, o)
    where not exists (select from pg_catalog.unnest(plans) c
                      where c.object <> u.l and c.object = any (v_left) and u.l = any (c.parents))
    order by u.o limit 1;
    v_pick := coalesce(v_pick, v_left[1]);  -- a cycle of foreign keys: any order
    v_order := v_order || array(select p from pg_catalog.unnest(plans) p where p.object = v_pick);
    v_left := pg_catalog.array_remove(v_left, v_pick);
  end loop;
  return v_order;
end
$$;
comment on function privacy.erasure_order(privacy.table_erasure_plan[]) is
  'The plans of an erasure, children before parents (internal).';

-- Why invoker: called by erase_subject_rows (definer). Rows an earlier erasure kept back that are
-- gone since (a sweep deleted them, say): their entries go too, so that erase_due does not come
-- back for them.
create or replace function privacy.erasure_forget_gone_rows(subject_type text, subject_id text, plans privacy.table_erasure_plan[])
returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan privacy.table_erasure_plan;
begin
  for plan in
    select p.* from pg_catalog.unnest(plans) p
    where p.key is not null
      and exists (select from privacy.restricted_row r
                  where r.subject_type = erasure_forget_gone_rows.subject_type and r.subject_id = erasure_forget_gone_rows.subject_id
                    and r.origin = 'erasure' and r.schema_name = p.schema_name and r.table_name = p.table_name)
  loop
    execute pg_catalog.format(
      'delete from privacy.restricted_row as r where r.subject_type = %L and r.subject_id = $1 and r.origin = ''erasure'' '
      'and r.schema_name = %L and r.table_name = %L and not exists (select from %s as t where %s = r.row_id and %s = r.row_key)',
      erasure_forget_gone_rows.subject_type, plan.schema_name, plan.table_name, plan.object, plan.row_id, plan.key)
      using erasure_forget_gone_rows.subject_id;
  end loop;
end
$$;
comment on function privacy.erasure_forget_gone_rows(text, text, privacy.table_erasure_plan[]) is
  'Removes the restriction entries of rows an earlier erasure kept back that no longer exist (internal).';

-- Why invoker: called by erase_subject_rows (definer), with the retention guards let through.
-- The first pass, parents first (the plans are in erasure_order, children first): restricts what
-- is kept, anonymizes what may be, and decides which tables' rows go (those whose rows reference
-- rows that go, too). Returns the plans (with the columns and SET list of anonymized tables), the
-- tables to delete from and those that refused to be anonymized, the report's lines and the
-- tables where rows were restricted.
create or replace function privacy.erasure_first_pass(subject_type text, subject_id text, request_id bigint,
                                                      inout plans privacy.table_erasure_plan[], out deleting text[],
                                                      out refusing text[], out lines jsonb, out restricted text[])
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan        privacy.table_erasure_plan;
  v_action    text;
  v_set       text;
  v_problem   text;
  v_any       boolean;
  v_n         bigint;
  v_kept_by   text;
  v_until     date;
  v_count     bigint;
begin
  deleting := '{}'::text[];
  refusing := '{}'::text[];
  lines := '[]'::jsonb;
  restricted := '{}'::text[];
  begin
    for i in reverse coalesce(pg_catalog.cardinality(plans), 0) .. 1 loop
      plan := plans[i];
      if plan.can_keep then
        if plan.key is null then
          execute pg_catalog.format('select exists (select from %s as t where %s and %s)', plan.object, plan.linked, plan.kept)
            into v_any using erasure_first_pass.subject_id;
          if v_any then
            raise exception using errcode = 'PV405', schema = plan.schema_name, table = plan.table_name,
              message = pg_catalog.format('%s has rows the law keeps, but no primary key, so they cannot be restricted', plan.object),
              hint = 'Add a primary key (a surrogate id will do).';
          end if;
        else
          for v_kept_by, v_until, v_count in
            select * from privacy.erasure_restrict(plan, erasure_first_pass.subject_type, erasure_first_pass.subject_id, erasure_first_pass.request_id,
                                                   plan.kept, plan.reason, plan.until, plan.hold_id)
          loop
            lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
              'relation', plan.object, 'outcome', 'restricted', 'row_count', v_count, 'kept_by', v_kept_by, 'until', v_until));
            restricted := restricted || plan.object;
          end loop;
        end if;
      end if;
      v_action := plan.action;
      if plan.parents && deleting then
        v_action := 'delete';  -- its rows reference rows that go
      end if;
      if v_action = 'anonymize' then
        -- How each column is anonymized and the SET list, kept with the plan for the second pass.
        plan.columns := privacy.erasure_anonymize_columns(plan);
        select a.set_sql, a.problem into v_set, v_problem from privacy.erasure_anonymize_sql(plan) a;
        plan.set_sql := v_set;
        plan.set_problem := v_problem;
        plans[i] := plan;
        v_n := null;
        if plan.set_sql is not null and plan.key is not null then
          v_n := privacy.erasure_anonymize(plan, plan.set_sql, erasure_first_pass.subject_id, erasure_first_pass.request_id,
                                           pg_catalog.format('not %s', plan.kept));
        end if;
        if v_n is null then
          v_action := 'delete';
          refusing := refusing || plan.object;
        elsif v_n > 0 then
          lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
            'relation', plan.object, 'row_count', v_n) || privacy.erasure_column_report(plan));
        end if;
      end if;
      if v_action = 'delete' then
        deleting := deleting || plan.object;
      end if;
    end loop;
  exception when data_exception then
    perform privacy.subject_query_failed(erasure_first_pass.subject_type, plan.schema_name, plan.table_name, sqlstate);
  end;
end
$$;
comment on function privacy.erasure_first_pass(text, text, bigint, privacy.table_erasure_plan[]) is
  'The first pass of an erasure, parents first: restrict, anonymize, and decide what goes (internal).';

-- Why invoker: called by erase_subject_rows (definer), with the retention guards let through.
-- The second pass, children first: deletes what nothing references any more; rows still
-- referenced are anonymized where the table can be, else anonymized as far as its constraints
-- allow and restricted. Returns the report's lines and the tables where rows were restricted.
create or replace function privacy.erasure_second_pass(subject_type text, subject_id text, request_id bigint,
                                                       plans privacy.table_erasure_plan[], deleting text[], refusing text[],
                                                       out lines jsonb, out restricted text[])
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  plan      privacy.table_erasure_plan;
  v_set     text;
  v_n       bigint;
  v_left_n  bigint;
  v_refs    text;
  v_refname text;
  v_kept_by text;
  v_until   date;
  v_count   bigint;
  v_left_cols jsonb;
begin
  lines := '[]'::jsonb;
  restricted := '{}'::text[];
  begin
    for i in 1 .. coalesce(pg_catalog.cardinality(plans), 0) loop
      plan := plans[i];
      continue when not (plan.object = any (deleting));
      select coalesce('(' || pg_catalog.string_agg(r.predicate, ' or ') || ')', 'false') into v_refs
      from pg_catalog.unnest(plan.referenced_by) r;
      -- The rows left referenced are counted in the same statement: they are not the ones it deletes.
      execute pg_catalog.format(privacy.prepared_statement(pg_catalog.format(
        'with d as (delete from %1$s as t where %2$s and not %3$s and not %4$s returning %5$s as row_key), '
        'r as (delete from privacy.restricted_row as x using d where x.schema_name = %6$L and x.table_name = %7$L '
        '      and x.row_key = d.row_key), '
        'e as (delete from privacy.erased_row as x using d where x.schema_name = %6$L and x.table_name = %7$L '
        '      and x.row_key = d.row_key) '
        'select (select pg_catalog.count(*) from d), '
        '       (select pg_catalog.count(*) from %1$s as t where %2$s and not %3$s and %4$s and not exists ('
        '          select from privacy.erased_row as x where x.schema_name = %6$L and x.table_name = %7$L and x.row_key = %5$s offset 0))',
        plan.object, plan.linked, plan.kept, v_refs, coalesce(plan.key, 'null::text[]'), plan.schema_name, plan.table_name)),
        erasure_second_pass.subject_id)
        into v_n, v_left_n;
      if v_n > 0 then
        lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
          'relation', plan.object, 'outcome', 'deleted', 'row_count', v_n));
      end if;
      continue when v_left_n = 0;
      -- Rows still referenced: anonymized where the table can be, else anonymized as far as its
      -- constraints allow and restricted.
      if plan.key is not null then
        v_n := null;
        if plan.columns is null then
          plan.columns := privacy.erasure_anonymize_columns(plan);
        end if;
        if not (plan.object = any (refusing)) then
          -- The first pass worked out the SET list of a table it anonymized (set_sql or set_problem).
          if plan.set_sql is not null or plan.set_problem is not null then
            v_set := plan.set_sql;
          else
            v_set := (privacy.erasure_anonymize_sql(plan)).set_sql;
          end if;
          if v_set is not null then
            v_n := privacy.erasure_anonymize(plan, v_set, erasure_second_pass.subject_id, erasure_second_pass.request_id,
                                             pg_catalog.format('not %s and %s', plan.kept, v_refs));
          end if;
        end if;
        v_left_cols := '[]'::jsonb;
        if v_n is null then
          select p.row_count, p.left_as_is into v_n, v_left_cols
          from privacy.erasure_anonymize_partly(plan, erasure_second_pass.subject_id,
                                                pg_catalog.format('not %s and %s', plan.kept, v_refs)) p;
        elsif v_n = v_left_n then
          v_left_n := 0;
        end if;
        if v_n > 0 then
          lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
            'relation', plan.object, 'row_count', v_n) || privacy.erasure_column_report(plan, v_left_cols));
        end if;
        continue when v_left_n = 0;
      end if;
      if plan.key is null then
        raise exception using errcode = 'PV405', schema = plan.schema_name, table = plan.table_name,
          message = pg_catalog.format('%s has rows other rows reference, but no primary key, so they cannot be restricted',
                                      plan.object);
      end if;
      select 'case ' || pg_catalog.string_agg(pg_catalog.format('when %s then %L', r.predicate, 'referenced:' || r.relation), ' ')
             || ' end'
      into v_refname from pg_catalog.unnest(plan.referenced_by) r;
      for v_kept_by, v_until, v_count in
        select * from privacy.erasure_restrict(plan, erasure_second_pass.subject_type, erasure_second_pass.subject_id, erasure_second_pass.request_id,
          pg_catalog.format('not %s and %s and not exists (select from privacy.erased_row as e where e.schema_name = %L '
                            'and e.table_name = %L and e.row_key = %s offset 0)', plan.kept, v_refs, plan.schema_name,
                            plan.table_name, plan.key),
          v_refname, 'null::date', 'null::bigint')
      loop
        lines := lines || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
          'relation', plan.object, 'outcome', 'restricted', 'row_count', v_count, 'kept_by', v_kept_by, 'until', v_until));
        restricted := restricted || plan.object;
      end loop;
    end loop;
  exception when data_exception then
    perform privacy.subject_query_failed(erasure_second_pass.subject_type, plan.schema_name, plan.table_name, sqlstate);
  end;
end
$$;
comment on function privacy.erasure_second_pass(text, text, bigint, privacy.table_erasure_plan[], text[], text[]) is
  'The second pass of an erasure, children first: delete, anonymize what stays referenced, restrict the rest (internal).';

-- Why definer: the erasure itself, shared by erase_subject (privacy_admin), process_subject_request
-- (also privacy_sweeper, for the requests it is given) and erase_due. Runs as the owner of the
-- tables, without row-level security; fixed TimeZone and DateStyle keep row keys comparable.
-- Returns one line per table, outcome and reason: what this call changed, nothing else.
create or replace function privacy.erase_subject_rows(subject_type text, subject_id text, request_id bigint default null)
returns table (relation text, outcome text, row_count bigint, kept_by text, until date, changed text[], unchanged jsonb)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set row_security = off
as $$
declare
  s          privacy.subject_type;
  v_plans    privacy.table_erasure_plan[];
  v_shared   record;
  v_first    record;
  v_second   record;
  v_sweeping text := pg_catalog.current_setting('privacy.sweeping', true);
begin
  s := privacy.check_subject(erase_subject_rows.subject_type, erase_subject_rows.subject_id);
  perform privacy.lock_subject(s.name, erase_subject_rows.subject_id);

  v_plans := privacy.erasure_plans(s.name);
  select * into v_shared from privacy.erasure_shared_rows(s.name, erase_subject_rows.subject_id, v_plans);
  v_plans := privacy.erasure_order(v_shared.plans);
  perform privacy.erasure_forget_gone_rows(s.name, erase_subject_rows.subject_id, v_plans);

  -- The retention guards let the erasure's writes pass, as they do a sweep's (see the top).
  perform pg_catalog.set_config('privacy.sweeping', 'on', true);
  select * into v_first
  from privacy.erasure_first_pass(s.name, erase_subject_rows.subject_id, erase_subject_rows.request_id, v_plans);
  select * into v_second
  from privacy.erasure_second_pass(s.name, erase_subject_rows.subject_id, erase_subject_rows.request_id,
                                   v_first.plans, v_first.deleting, v_first.refusing);
  perform pg_catalog.set_config('privacy.sweeping', coalesce(v_sweeping, ''), true);

  perform privacy.ensure_restriction_enforced(p.schema_name, p.table_name)
  from pg_catalog.unnest(v_first.plans) p
  where p.object = any (v_first.restricted || v_second.restricted)
  order by p.object;

  return query
  select g.relation, g.outcome, g.row_count, g.kept_by, g.until, privacy.erasure_report_columns(g.changed), g.unchanged
  from (select l->>'relation' as relation, l->>'outcome' as outcome, pg_catalog.sum((l->>'row_count')::bigint)::bigint as row_count,
               l->>'kept_by' as kept_by, (l->>'until')::date as until, l->'changed' as changed, l->'unchanged' as unchanged
        from pg_catalog.jsonb_array_elements(v_shared.lines || v_first.lines || v_second.lines) l
        group by 1, 2, 4, 5, 6, 7) g
  order by 1, case g.outcome when 'deleted' then 1 when 'anonymized' then 2 when 'unchanged' then 3 when 'restricted' then 4
                             else 5 end, 4, 5, g.changed::text;
end
$$;
comment on function privacy.erase_subject_rows(text, text, bigint) is
  'Erases one subject''s rows, restricting what the law keeps; returns what it changed per table (internal).';

-- Why definer: privacy_admin members may not write the linked tables; erase_subject_rows does,
-- for this one subject, and the ledger gets the report (counts, reasons, dates; no values).
create or replace function privacy.erase_subject(subject_type text, subject_id text, reason text)
returns table (relation text, outcome text, row_count bigint, kept_by text, until date, changed text[], unchanged jsonb)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_report jsonb;
begin
  if erase_subject.reason is null or pg_catalog.btrim(erase_subject.reason) = '' then
    raise exception using errcode = 'PV011', message = 'an erasure needs a reason (recorded in the ledger)';
  end if;
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(e))), '[]') into v_report
  from privacy.erase_subject_rows(erase_subject.subject_type, erase_subject.subject_id) e;
  perform privacy.record('subject.erase', erase_subject.subject_type,
                         pg_catalog.jsonb_build_object('reason', erase_subject.reason, 'report', v_report));
  return query
  select r->>'relation', r->>'outcome', (r->>'row_count')::bigint, r->>'kept_by', (r->>'until')::date,
         privacy.erasure_report_columns(r->'changed'), r->'unchanged'
  from pg_catalog.jsonb_array_elements(v_report) r;
end
$$;
comment on function privacy.erase_subject(text, text, text) is
  'Erases a subject (Art. 17): anonymizes or deletes its rows, restricts what the law keeps; returns what changed per table.';

-- Why definer: run by the erasure worker (privacy_sweeper), which reads none of the tables.
-- The sweep hook of erasures: the subjects with rows an erasure kept back whose reason has ended
-- (the last day passed, or the hold was released) are erased again, which erases what nothing
-- keeps any more and re-restricts the rest with its new reason. Rows kept back because other rows
-- referenced them are looked at again with the rest of their subject. Returns what changed.
-- (Called by `integritet sweep` after its tables, unless --no-erasures, and by the erasure worker
-- every ten minutes; privacy.sweep() itself does not call it.)
create or replace function privacy.erase_due(max_subjects integer default 100)
returns table (subject_type text, request_id bigint, relation text, outcome text, row_count bigint, kept_by text, until date,
               changed text[], unchanged jsonb)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  d        record;
  v_report jsonb;
begin
  for d in
    select r.subject_type, r.subject_id, pg_catalog.max(r.request_id) as request_id
    from privacy.restricted_row r
    left join privacy.hold h on h.id = r.hold_id
    where r.origin = 'erasure'
      and (r.until < current_date
           or (r.hold_id is not null and (h.released_at is not null or (h.until is not null and h.until < current_date))))
    group by r.subject_type, r.subject_id
    order by pg_catalog.min(r.until) nulls last
    limit greatest(erase_due.max_subjects, 1)
  loop
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(e))), '[]') into v_report
    from privacy.erase_subject_rows(d.subject_type, d.subject_id, d.request_id) e;
    perform privacy.record('subject.erase', d.subject_type,
                           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('request', d.request_id, 'resumed', true,
                                                                                      'report', v_report)));
    subject_type := d.subject_type;
    request_id := d.request_id;
    for relation, outcome, row_count, kept_by, until, changed, unchanged in
      select r->>'relation', r->>'outcome', (r->>'row_count')::bigint, r->>'kept_by', (r->>'until')::date,
             privacy.erasure_report_columns(r->'changed'), r->'unchanged'
      from pg_catalog.jsonb_array_elements(v_report) r
    loop
      return next;
    end loop;
  end loop;
end
$$;
comment on function privacy.erase_due(integer) is
  'Erases rows an erasure kept back once nothing keeps them (the minimum ended, the hold ended or was released).';

revoke execute on function privacy.erasure_plans(text), privacy.erasure_shared_rows(text, text, privacy.table_erasure_plan[]),
  privacy.erasure_order(privacy.table_erasure_plan[]), privacy.erasure_forget_gone_rows(text, text, privacy.table_erasure_plan[]),
  privacy.erasure_first_pass(text, text, bigint, privacy.table_erasure_plan[]),
  privacy.erasure_second_pass(text, text, bigint, privacy.table_erasure_plan[], text[], text[]) from public;
revoke execute on function privacy.erasure_plan(text, name, name), privacy.erasure_foreign_keys(oid),
  privacy.erasure_anonymize_sql(privacy.table_erasure_plan),
  privacy.erasure_restrict(privacy.table_erasure_plan, text, text, bigint, text, text, text, text),
  privacy.erasure_anonymize(privacy.table_erasure_plan, text, text, bigint, text), privacy.erasure_anonymize_columns(privacy.table_erasure_plan),
  privacy.erasure_try(text, text), privacy.erasure_anonymize_partly(privacy.table_erasure_plan, text, text),
  privacy.erase_subject_rows(text, text, bigint),
  privacy.erase_subject(text, text, text), privacy.erase_due(integer)
  from public;
grant execute on function privacy.erase_subject(text, text, text) to privacy_admin;
grant execute on function privacy.erase_due(integer) to privacy_admin, privacy_sweeper;
