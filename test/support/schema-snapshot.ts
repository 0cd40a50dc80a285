import { execFileSync } from 'node:child_process';
import pg from 'pg';

/**
 * A normalised description of everything the toolkit installs: every object in the privacy
 * schema (columns, constraints, indexes, functions with their bodies and settings, triggers,
 * comments, privileges) and the toolkit's roles. Two databases with equal snapshots have the
 * same toolkit schema. Read from the catalog, so it works whatever pg_dump the machine has.
 */
export async function toolkitSnapshot(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(`
      with ns as (select oid from pg_namespace where nspname = 'privacy')
      select line from (
        select 'schema ' || n.nspname || ' acl=' || coalesce(n.nspacl::text, '') as line
          from pg_namespace n where n.nspname = 'privacy'
        union all
        select format('rel %s kind=%s acl=%s comment=%s', c.relname, c.relkind, coalesce(c.relacl::text, ''),
                      coalesce(obj_description(c.oid, 'pg_class'), ''))
          from pg_class c where c.relnamespace in (select oid from ns)
        union all
        select format('col %s.%s %s notnull=%s default=%s identity=%s acl=%s', c.relname, a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, coalesce(a.attacl::text, ''))
          from pg_attribute a join pg_class c on c.oid = a.attrelid
          left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where c.relnamespace in (select oid from ns) and a.attnum > 0 and not a.attisdropped
        union all
        select format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
          from pg_constraint k join pg_class c on c.oid = k.conrelid where c.relnamespace in (select oid from ns)
        union all
        select format('index %s', pg_get_indexdef(i.indexrelid))
          from pg_index i join pg_class c on c.oid = i.indrelid where c.relnamespace in (select oid from ns)
        union all
        select format('function %s definer=%s volatility=%s config=%s acl=%s comment=%s body=%s',
                      p.oid::regprocedure, p.prosecdef, p.provolatile, coalesce(p.proconfig::text, ''),
                      coalesce(p.proacl::text, ''), coalesce(obj_description(p.oid, 'pg_proc'), ''), md5(p.prosrc))
          from pg_proc p where p.pronamespace in (select oid from ns)
        union all
        select format('trigger %s.%s %s', c.relname, t.tgname, pg_get_triggerdef(t.oid))
          from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where c.relnamespace in (select oid from ns) and not t.tgisinternal
        union all
        select format('default-acl %s %s', d.defaclobjtype, d.defaclacl::text)
          from pg_default_acl d where d.defaclnamespace in (select oid from ns)
        union all
        select format('role %s login=%s', r.rolname, r.rolcanlogin)
          from pg_roles r where r.rolname like 'privacy\\_%'
      ) lines order by line`);
    return rows.map((r) => r.line).join('\n');
  } finally {
    await client.end();
  }
}

/**
 * `pg_dump --schema-only` of the privacy schema with what differs between equal schemas
 * (comments naming the dump's own version, blank lines) removed; `undefined` when the machine's
 * pg_dump cannot dump this server (it must be at least the server's major version).
 */
export function normalisedPgDump(url: string, serverMajor: number): string | undefined {
  let version: string;
  try {
    version = execFileSync('pg_dump', ['--version'], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const major = Number(/(\d+)/.exec(version)?.[1]);
  if (!(major >= serverMajor)) return undefined;
  const dump = execFileSync('pg_dump', ['--schema-only', '--schema=privacy', '--no-owner', url], { encoding: 'utf8' });
  return dump
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}
