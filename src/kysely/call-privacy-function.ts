import { sql, type Kysely } from 'kysely';
import { toPrivacyError } from '../errors/privacy-error.ts';

/** Anything queries run on: a `Kysely` instance or a `Transaction` (which is one). */
export type Executor = Kysely<any>;

/** SQL types the declaration API takes; each argument is cast to its type, so overloads never matter. */
export type ArgumentType = 'text' | 'jsonb' | 'date' | 'bigint' | 'boolean';

/** One named argument; `undefined` leaves it out, so the SQL default applies. */
export type Argument = readonly [value: unknown, type: ArgumentType];

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

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
  const given = Object.entries(args).filter(([, [value]]) => value !== undefined);
  for (const name of [fn, ...given.map(([name]) => name)]) {
    // Names come from this package's own source, never from input; checked all the same.
    if (!SQL_NAME.test(name)) throw new Error(`not a SQL name: ${name}`);
  }
  const cast = resultType === undefined ? sql`` : sql`::${sql.raw(resultType)}`;
  const list = given.map(([name, [value, type]]) =>
    sql`${sql.raw(name)} => ${type === 'jsonb' ? JSON.stringify(value) : value === null ? null : String(value)}::${sql.raw(type)}`);
  try {
    const { rows } = await sql<{ result: Result }>`select privacy.${sql.raw(fn)}(${sql.join(list)})${cast} as result`.execute(db);
    return rows[0]!.result;
  } catch (error) {
    throw toPrivacyError(error);
  }
}
