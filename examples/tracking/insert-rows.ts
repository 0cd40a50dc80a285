/**
 * Multi-row parameterised INSERTs for the tracking seed's small tables.
 */
import pg from 'pg';

/** PostgreSQL accepts at most 65535 bind parameters per statement. */
const maxParameters = 65_535;
/** Rows per statement; beyond this, longer statements stop paying off. */
const maxRowsPerStatement = 1_000;

/**
 * Inserts `rows` into `table` in batches, with the ids the rows carry. The ids are given explicitly
 * (OVERRIDING SYSTEM VALUE) because identity values depend on what the sequence handed out before,
 * rolled-back attempts included, and the seed must give the same ids every time.
 * Returns the number of rows inserted.
 */
export async function insertRows<Row extends object>(
  db: pg.ClientBase,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
): Promise<number> {
  const perStatement = Math.min(maxRowsPerStatement, Math.floor(maxParameters / columns.length));
  const columnList = columns.map((column) => pg.escapeIdentifier(column)).join(', ');
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = columns.map((column) => {
        values.push(row[column]);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const result = await db.query(
      `insert into ${pg.escapeIdentifier(table)} (${columnList}) overriding system value values ${tuples.join(', ')}`,
      values,
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}
