import type pg from 'pg';

/** One object of the toolkit's repeatable definitions as installed, with a hash of its definition. */
export interface ToolkitObject {
  /** e.g. `trigger hidden_row_insert on privacy.restricted_row` */
  identity: string;
  hash: string;
}

// The objects the repeatable definitions make or change, each with what defines it: functions
// (body, options, privileges), views, triggers on the toolkit's tables and the DDL event
// trigger, and the privileges on its tables, their columns and its two schemas. Kept here, not in
// sql/, because the migrator reads it before any definition is installed.
const SNAPSHOT_SQL = `
with acl(oid, kind, txt) as (
  select c.oid, 'c', coalesce((select string_agg(a::text, ',' order by a::text) from unnest(c.relacl) a), '')
    || coalesce((select string_agg(att.attname || ':' || (select string_agg(x::text, ',' order by x::text) from unnest(att.attacl) x), ';'
                                   order by att.attnum)
                 from pg_catalog.pg_attribute att where att.attrelid = c.oid and att.attacl is not null), '')
  from pg_catalog.pg_class c where c.relnamespace = to_regnamespace('privacy')
)
select 'function ' || p.oid::regprocedure::text as identity,
       md5(pg_catalog.pg_get_functiondef(p.oid)
           || coalesce((select string_agg(a::text, ',' order by a::text) from unnest(p.proacl) a), '')) as hash
from pg_catalog.pg_proc p where p.pronamespace = to_regnamespace('privacy') and p.prokind in ('f', 'p')
union all
select case when c.relkind in ('v', 'm') then 'view ' else 'privileges on ' end || c.oid::regclass::text,
       md5(case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid) else '' end || acl.txt)
from pg_catalog.pg_class c join acl on acl.oid = c.oid
where c.relnamespace = to_regnamespace('privacy') and c.relkind in ('r', 'p', 'v', 'm')
union all
select 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass::text, md5(pg_catalog.pg_get_triggerdef(t.oid) || t.tgenabled::text)
from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
where c.relnamespace = to_regnamespace('privacy') and not t.tgisinternal
union all
select 'event trigger ' || e.evtname, md5(e.evtevent || e.evtfoid::regprocedure::text || coalesce(e.evttags::text, '') || e.evtenabled::text)
from pg_catalog.pg_event_trigger e join pg_catalog.pg_proc p on p.oid = e.evtfoid
where p.pronamespace = to_regnamespace('privacy')
union all
select 'privileges on schema ' || n.nspname, md5(coalesce((select string_agg(a::text, ',' order by a::text) from unnest(n.nspacl) a), ''))
from pg_catalog.pg_namespace n where n.nspname in ('privacy', 'masked')`;

/** What is installed now, by identity. Empty when the toolkit is not. */
export async function snapshotToolkitObjects(client: pg.ClientBase): Promise<Map<string, string>> {
  const { rows } = await client.query<ToolkitObject>(SNAPSHOT_SQL);
  return new Map(rows.map((r) => [r.identity, r.hash]));
}

// The same objects, by identity, whose catalog rows the current transaction wrote from the
// transaction id $1 on (its own, and those of its subtransactions, which come after it): what
// one definition file made or changed. Cheaper than two snapshots around each file.
const WRITTEN_SINCE_SQL = `
with since(x) as (select $1::bigint)
select 'function ' || p.oid::regprocedure::text as identity
from pg_catalog.pg_proc p, since
where p.pronamespace = to_regnamespace('privacy') and p.prokind in ('f', 'p') and p.xmin::text::bigint >= since.x
union all
select case when c.relkind in ('v', 'm') then 'view ' else 'privileges on ' end || c.oid::regclass::text
from pg_catalog.pg_class c, since
where c.relnamespace = to_regnamespace('privacy') and c.relkind in ('r', 'p', 'v', 'm')
  and (c.xmin::text::bigint >= since.x
       or exists (select from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.xmin::text::bigint >= since.x)
       or exists (select from pg_catalog.pg_rewrite w where w.ev_class = c.oid and w.xmin::text::bigint >= since.x))
union all
select 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass::text
from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid, since
where c.relnamespace = to_regnamespace('privacy') and not t.tgisinternal and t.xmin::text::bigint >= since.x
union all
select 'event trigger ' || e.evtname
from pg_catalog.pg_event_trigger e join pg_catalog.pg_proc p on p.oid = e.evtfoid, since
where p.pronamespace = to_regnamespace('privacy') and e.xmin::text::bigint >= since.x
union all
select 'privileges on schema ' || n.nspname
from pg_catalog.pg_namespace n, since
where n.nspname in ('privacy', 'masked') and n.xmin::text::bigint >= since.x`;

/** This transaction's id (32 bits, as catalog rows' xmin shows it); the first call assigns one. */
export async function transactionId(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ x: string }>(`select (pg_current_xact_id()::text::bigint % 4294967296)::text as x`);
  return rows[0]!.x;
}

/** The objects whose catalog rows were written from transaction `since` on (see `transactionId`). */
export async function objectsWrittenSince(client: pg.ClientBase, since: string): Promise<string[]> {
  const { rows } = await client.query<{ identity: string }>(WRITTEN_SINCE_SQL, [since]);
  return rows.map((r) => r.identity);
}
