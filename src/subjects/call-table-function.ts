import { sql } from 'kysely';
import { toPrivacyError } from '../errors/privacy-error.ts';
import type { Argument, Executor } from '../kysely/call-privacy-function.ts';

const SQL_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * `select <columns> from privacy.<fn>(name => value::type, …)`: the rows of a set-returning
 * function of the toolkit, with named arguments (`undefined` leaves one out, so its SQL default
 * applies). `columns` is this package's own SQL (e.g. `until::text as until`, so a date stays a
 * calendar day), never input. Database errors come back as the toolkit's error classes.
 */
export async function callPrivacyTableFunction<Row>(db: Executor, fn: string, args: Record<string, Argument>,
                                                    columns = '*'): Promise<Row[]> {
  const given = Object.entries(args).filter(([, [value]]) => value !== undefined);
  for (const name of [fn, ...given.map(([name]) => name)]) {
    // Names come from this package's own source, never from input; checked all the same.
    if (!SQL_NAME.test(name)) throw new Error(`not a SQL name: ${name}`);
  }
  const list = given.map(([name, [value, type]]) =>
    sql`${sql.raw(name)} => ${type === 'jsonb' ? JSON.stringify(value) : value === null ? null : String(value)}::${sql.raw(type)}`);
  try {
    const { rows } = await sql<Row>`select ${sql.raw(columns)} from privacy.${sql.raw(fn)}(${sql.join(list)})`.execute(db);
    return rows;
  } catch (error) {
    throw toPrivacyError(error);
  }
}
