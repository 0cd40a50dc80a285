import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { CopyTable } from './copy-plan.ts';

/** Counts the rows of COPY text output as they pass (one line a row), for progress. */
function rowCounter(onRows: (rows: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let rows = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1;
      if (rows > 0) onRows(rows);
      done(null, chunk);
    },
  });
}

/** The anonymized, lawful rows of a table as COPY text, streamed from the source. */
function readRows(source: pg.ClientBase, table: CopyTable): NodeJS.ReadableStream {
  return source.query(copyTo(`copy (${table.select}) to stdout`));
}

/**
 * Streams one table from the source (inside the copy's snapshot) into the same table of the
 * target, with COPY in both directions: no row is held in memory. Returns the rows written.
 */
export async function streamTable(source: pg.ClientBase, target: pg.ClientBase, table: CopyTable,
                                  onRows: (rows: number) => void): Promise<number> {
  const into = target.query(copyFrom(`copy ${table.name} (${table.columns}) from stdin`));
  await pipeline(readRows(source, table), rowCounter(onRows), into);
  return Number(into.rowCount ?? 0);
}

/** Writes one table as a COPY block of a plain SQL script (`copy … from stdin;`, rows, `\.`). */
export async function dumpTable(source: pg.ClientBase, out: Writable, table: CopyTable,
                                onRows: (rows: number) => void): Promise<number> {
  let rows = 0;
  out.write(`copy ${table.name} (${table.columns}) from stdin;\n`);
  // Written chunk by chunk with the stream's backpressure: the script stays open for the next table.
  const counted = readRows(source, table).pipe(rowCounter((n) => {
    rows += n;
    onRows(n);
  }));
  for await (const chunk of counted) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.write('\\.\n\n');
  return rows;
}
