import { sql, type Kysely, type RawBuilder } from 'kysely';
import { toPrivacyError } from '../errors/privacy-error.ts';

// The one way TypeScript calls the privacy.* SQL API: a function's value, or a set-returning
// function's rows, with named arguments. Every layer above (subjects, the Kysely API, policy,
// status, the CLI) calls through here.

/** Anything queries run on: a `Kysely` instance or a `Transaction` (which is one). */
export type Executor = Kysely<any>;

/** SQL types the declaration API takes; each argument is cast to its type, so overloads never matter. */
export type ArgumentType = 'text' | 'text[]' | 'jsonb' | 'date' | 'bigint' | 'boolean';

/** One named argument; `undefined` leaves it out, so the SQL default applies. */
export type Argument = readonly [value: unknown, type: ArgumentType];

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

/** `name => value::type, …` for the given arguments; `fn` and each name checked to be a plain SQL name. */
function namedArguments(fn: string, args: Record<string, Argument>): RawBuilder<unknown> {
  const given = Object.entries(args).filter(([, [value]]) => value !== undefined);
  for (const name of [fn, ...given.map(([name]) => name)]) {
    // Names come from this package's own source, never from input; checked all the same.
    if (!SQL_NAME.test(name)) throw new Error(`not a SQL name: ${name}`);
  }
  const list = given.map(([name, [value, type]]) =>
    sql`${sql.raw(name)} => ${type === 'jsonb' ? JSON.stringify(value) : value === null ? null
      : type === 'text[]' ? (value as unknown[]).map(String) : String(value)}::${sql.raw(type)}`);
  return sql.join(list);
}

/**
 * Calls `privacy.<fn>(name => value::type, …)` with named arguments (so an argument added to a
 * SQL function later, with a default, does not break callers) and returns its result. Database
 * errors come back as the toolkit's error classes (`toPrivacyError`).
 */
export async function callPrivacyFunction<Result = unknown>(
  db: Executor,
  fn: string,
  args: Record<string, Argument>,
  /** Cast the result, e.g. `text` for a date that should stay a calendar day. */
  resultType?: 'text',
): Promise<Result> {
  const list = namedArguments(fn, args);
  const cast = resultType === undefined ? sql`` : sql`::${sql.raw(resultType)}`;
  try {
    const { rows } = await sql<{ result: Result }>`select privacy.${sql.raw(fn)}(${list})${cast} as result`.execute(db);
    return rows[0]!.result;
  } catch (error) {
    throw toPrivacyError(error);
  }
}

/**
 * `select <columns> from privacy.<fn>(name => value::type, …)`: the rows of a set-returning
 * function of the toolkit, with named arguments (`undefined` leaves one out, so its SQL default
 * applies). `columns` is this package's own SQL (e.g. `until::text as until`, so a date stays a
 * calendar day), never input. Database errors come back as the toolkit's error classes.
 */
export async function callPrivacyTableFunction<Row>(db: Executor, fn: string, args: Record<string, Argument>,
                                                    columns = '*'): Promise<Row[]> {
  const list = namedArguments(fn, args);
  try {
    const { rows } = await sql<Row>`select ${sql.raw(columns)} from privacy.${sql.raw(fn)}(${list})`.execute(db);
    return rows;
  } catch (error) {
    throw toPrivacyError(error);
  }
}
