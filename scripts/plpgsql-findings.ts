/**
 * What plpgsql_check says of every PL/pgSQL function of the `privacy` schema of one database.
 * Creates the plpgsql_check extension in that database, so pass only a database of its own (a
 * scratch database or a test's clone), never the user's. Used by scripts/check-plpgsql.ts and
 * test/house/plpgsql-check.test.ts.
 */
import pg from 'pg';

/** One line of plpgsql_check's report on one function. */
export interface PlpgsqlFinding {
  /** The function's signature, `privacy.name(argtypes)`. */
  readonly function: string;
  /** `error`, `warning`, `warning extra` or `performance`. */
  readonly level: string;
  readonly lineno: number | null;
  readonly message: string;
  /** What plpgsql_check adds: the detail and the kind of statement. */
  readonly detail: string | null;
  /** Errors and warnings fail the check; "extra" warnings and performance hints are notes. */
  readonly fails: boolean;
}

export interface PlpgsqlReport {
  /** How many PL/pgSQL functions the schema has, all of them checked. */
  readonly functions: number;
  readonly findings: readonly PlpgsqlFinding[];
}

/** Whether the server can create the extension (Debian: postgresql-15-plpgsql-check). */
export async function plpgsqlCheckAvailable(url: string): Promise<boolean> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query(`select from pg_available_extensions where name = 'plpgsql_check'`);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

// Trigger functions are checked against a table they are attached to; those with transition
// tables get their names (of all its triggers), which plpgsql_check cannot see otherwise.
const checkQuery = `
  select p.oid::regprocedure::text as function, r.level, r.lineno, r.message,
         nullif(concat_ws(' | ', r.detail, r.statement), '') as detail
  from pg_proc p
  join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
  cross join lateral (
    select min(t.tgrelid::int8)::oid as relid, max(t.tgnewtable) as new_table, max(t.tgoldtable) as old_table
    from pg_trigger t where t.tgfoid = p.oid having count(*) > 0
    union all
    select 0, null, null where p.prorettype <> 'trigger'::regtype
    limit 1) target
  cross join lateral plpgsql_check_function_tb(p.oid, target.relid, fatal_errors => false,
                                               newtable => target.new_table, oldtable => target.old_table) r
  where p.pronamespace = 'privacy'::regnamespace and p.prorettype <> 'event_trigger'::regtype
  order by 1, 3`;

/** Runs plpgsql_check over the `privacy` schema of the database at `url` (see the file's comment). */
export async function plpgsqlReport(url: string): Promise<PlpgsqlReport> {
  const db = new pg.Client(url);
  await db.connect();
  try {
    await db.query('create extension if not exists plpgsql_check');
    const { rows } = await db.query<Omit<PlpgsqlFinding, 'fails'>>(checkQuery);
    const functions = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_language l on l.oid = p.prolang
       where l.lanname = 'plpgsql' and p.pronamespace = 'privacy'::regnamespace`);
    return {
      functions: functions.rows[0]?.n ?? 0,
      findings: rows.map((row) => ({ ...row, fails: row.level === 'error' || row.level === 'warning' })),
    };
  } finally {
    await db.end();
  }
}

/** One finding as a line: `FAIL warning privacy.f(text):12 message | detail`. */
export function findingLine(finding: PlpgsqlFinding): string {
  const where = `${finding.function}${finding.lineno ? `:${finding.lineno}` : ''}`;
  const detail = finding.detail ? ` | ${finding.detail}` : '';
  return `${finding.fails ? 'FAIL' : 'note'} ${finding.level.padEnd(13)} ${where} ${finding.message}${detail}`;
}
