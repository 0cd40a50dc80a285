import pg from 'pg';

// What "the same end state" means for two databases that ran the same operation, one of them
// crashed and resumed: the same rows in every table (values that name the moment or the server's
// counters left out), the same schema, and the same audit trail.

/** One short-lived superuser connection (the server may crash under pooled ones). */
export async function queryOnce<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Values that differ between twins by nature: the moment (timestamps), the server's counters
// (OIDs, transaction ids, sequence-drawn ids) and the sweep's working state (runs, batches).
const MOMENT_OR_COUNTER_TYPES = ['oid', 'regclass', 'regproc', 'regprocedure', 'regtype', 'regrole', 'regnamespace',
  'xid', 'xid8', 'pg_lsn', 'timestamptz', 'timestamp'];
// Random by design (each install draws its own pseudonym key), or compared by a rule of their
// own (the files recorded as making a toolkit object: see missingSources).
const RANDOM_COLUMNS = ['privacy.pseudonym_key.key', 'privacy.toolkit_object.sources'];
// The ledger is compared entry by entry (ledgerEntries); its chain head hashes the instants.
const WORKING_STATE = ['privacy.ledger', 'privacy.ledger_chain_head', 'privacy.sweep_run', 'privacy.sweep_batch'];

/**
 * A hash per table of schemas public and privacy (partitioned tables as one, with all their
 * partitions), of its rows ordered by their text, without the columns the twins may differ in.
 */
export async function tableHashes(url: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const table of await comparedTables(url)) {
    const [row] = await queryOnce<{ h: string }>(url,
      `select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) || ' ' || count(*) as h
       from (select ${table.columns.join(', ')} from ${table.name}) x`);
    hashes[table.name] = row!.h;
  }
  return hashes;
}

/** Up to `limit` rows of `table` (as compared) that only one of the two databases has, for a failure message. */
export async function rowDifferences(url: string, twinUrl: string, table: string, limit = 5): Promise<string> {
  const columns = (await comparedTables(url)).find((t) => t.name === table)?.columns;
  if (!columns) return `${table}: not in the crashed database`;
  const rows = async (from: string) => new Set((await queryOnce<{ x: string }>(from,
    `select x::text as x from (select ${columns.join(', ')} from ${table}) x`)).map((r) => r.x));
  const [mine, theirs] = [await rows(url), await rows(twinUrl)];
  const only = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).slice(0, limit);
  return `${table}: only after the crash ${JSON.stringify(only(mine, theirs))}; only in the twin ${JSON.stringify(only(theirs, mine))}`;
}

async function comparedTables(url: string): Promise<{ name: string; columns: string[] }[]> {
  return queryOnce<{ name: string; columns: string[] }>(url, `
    select format('%I.%I', n.nspname, c.relname) as name,
           array_agg(format('%I', a.attname) order by a.attnum) as columns
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join pg_type ty on ty.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
    where n.nspname in ('public', 'privacy') and c.relkind in ('r', 'p') and not c.relispartition
      and format('%I.%I', n.nspname, c.relname) <> all ($1::text[])
      and ty.typname::text <> all ($2::text[])
      and format('%I.%I.%I', n.nspname, c.relname, a.attname) <> all ($3::text[])
      and a.attidentity = '' and coalesce(pg_get_expr(d.adbin, d.adrelid), '') not like 'nextval(%'
    group by 1 order by 1`, [WORKING_STATE, MOMENT_OR_COUNTER_TYPES, RANDOM_COLUMNS]);
}

/** The schema the toolkit made: relations, columns, views, functions, policies, triggers and grants, without OIDs. */
export async function schemaHash(url: string): Promise<string> {
  const [row] = await queryOnce<{ h: string; n: number }>(url, `
    with ns as (select oid, nspname from pg_namespace
                where nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'boss') and nspname not like 'pg_temp%'
                  and nspname not like 'pg_toast_temp%')
    select md5(string_agg(line, E'\\n' order by line)) as h, count(*)::int as n from (
      select format('rel %s.%s %s %s', ns.nspname, c.relname, c.relkind, coalesce(c.relacl::text, '')) as line
      from pg_class c join ns on ns.oid = c.relnamespace
      union all
      select format('col %s.%s.%s %s', ns.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod))
      from pg_class c join ns on ns.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relkind in ('r', 'p', 'v', 'm')
      union all
      select format('view %s.%s %s', ns.nspname, c.relname, pg_get_viewdef(c.oid))
      from pg_class c join ns on ns.oid = c.relnamespace where c.relkind in ('v', 'm')
      union all
      select format('fn %s %s %s %s', p.oid::regprocedure, md5(p.prosrc), coalesce(p.proconfig::text, ''), coalesce(p.proacl::text, ''))
      from pg_proc p join ns on ns.oid = p.pronamespace
      union all
      select format('policy %s.%s %s %s %s %s', schemaname, tablename, policyname, cmd, coalesce(qual, ''), coalesce(with_check, ''))
      from pg_policies
      union all
      select format('trigger %s %s %s', t.tgrelid::regclass, t.tgname, t.tgenabled)
      from pg_trigger t where not t.tgisinternal
      union all
      select format('rls %s %s %s', c.oid::regclass, c.relrowsecurity, c.relforcerowsecurity)
      from pg_class c join ns on ns.oid = c.relnamespace where c.relkind in ('r', 'p')
    ) x`);
  return `${row!.h} (${row!.n} objects)`;
}

/**
 * The ledger as the twins must agree on it: its entries' actions, objects and details without
 * run ids, instants and timings, as a sorted list (a rerun must neither lose nor double an entry).
 * A sweep run that found nothing to do is left out: rerun after a table's sweep had ended, the
 * command sweeps it again and records that.
 */
export async function ledgerEntries(url: string): Promise<string[]> {
  const rows = await queryOnce<{ line: string }>(url, `
    select format('%s %s %s', action, object,
                  detail - '{run,as_of,cutoff,longest_batch_ms,batches,seconds,elapsed_ms,at}'::text[]) as line
    from privacy.ledger
    where not (action = 'sweep' and coalesce(detail->>'anonymized', detail->>'deleted') = '0' and detail->'kept' = '{}'
               and coalesce(jsonb_array_length(detail->'partitions'->'dropped'), 0) = 0
               and coalesce(jsonb_array_length(detail->'partitions'->'detached'), 0) = 0)
    order by 1`);
  return rows.map((r) => r.line).sort();
}

/** Whether `privacy.verify_ledger()` finds the chain intact. */
export async function ledgerChainProblems(url: string): Promise<unknown[]> {
  return queryOnce(url, 'select * from privacy.verify_ledger()');
}

/**
 * The toolkit objects whose recorded source files (which `migrate up` reruns to repair them)
 * lack one that the twin recorded. A run resumed after a crash applies some files again, so it
 * may record more files than the twin did, never fewer.
 */
export async function missingSources(url: string, twinUrl: string): Promise<string[]> {
  const read = async (from: string) => new Map((await queryOnce<{ identity: string; sources: string[] }>(from,
    'select identity, sources from privacy.toolkit_object')).map((r) => [r.identity, new Set(r.sources)]));
  const [mine, theirs] = [await read(url), await read(twinUrl)];
  return [...theirs].flatMap(([identity, sources]) =>
    [...sources].filter((s) => !mine.get(identity)?.has(s)).map((s) => `${identity}: ${s}`));
}
