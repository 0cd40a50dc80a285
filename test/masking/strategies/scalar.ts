import type pg from 'pg';

/** The single value of a one-row, one-column query (the column is named `value`). */
export async function scalar<T>(db: pg.Pool | pg.ClientBase, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query<{ value: T }>(sql, params);
  if (rows.length !== 1) throw new Error(`expected one row from: ${sql}`);
  return rows[0]!.value;
}

/** The values of a one-column query (the column is named `value`), in order. */
export async function column<T>(db: pg.Pool | pg.ClientBase, sql: string, params: unknown[] = []): Promise<T[]> {
  const { rows } = await db.query<{ value: T }>(sql, params);
  return rows.map((row) => row.value);
}
