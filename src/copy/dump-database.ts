import type { Writable } from 'node:stream';
import { assertCopySupport } from './copy-support-check.ts';
import { readCopyPlan, type CopyStatement, type Subset } from './copy-plan.ts';
import { silentProgress, type CopyProgress } from './copy-progress.ts';
import { openSourceSnapshot } from './source-snapshot.ts';
import { dumpTable } from './stream-table.ts';

/** Options of {@link dumpDatabase}. */
export interface DumpOptions {
  subsets?: Record<string, Subset>;
  asOf?: Date;
  progress?: CopyProgress;
}

/**
 * Writes what `copyDatabase` would copy as one plain SQL script that psql restores into an
 * empty database (`psql -v ON_ERROR_STOP=1 -1 -f dump.sql`): the schema, the anonymized lawful
 * rows as COPY blocks, the removal of rows whose parent stayed behind, then constraints, indexes,
 * triggers and sequence values. The toolkit is not in the script: install it in the restored
 * database and apply the source's policy (`integritet pull`, then `integritet apply`).
 */
export async function dumpDatabase(sourceUrl: string, out: Writable, options: DumpOptions = {}): Promise<{ table: string; rows: number }[]> {
  const progress = options.progress ?? silentProgress;
  const snapshot = await openSourceSnapshot(sourceUrl);
  try {
    await assertCopySupport(snapshot.main);
    const plan = await readCopyPlan(snapshot.main, options.subsets ?? {}, options.asOf ?? new Date());
    out.write([
      '-- integritet dump: anonymized, lawful rows only (restricted and expired rows stay in the source).',
      '-- Restore into an empty database: psql -v ON_ERROR_STOP=1 -1 -f <this file>',
      '-- Then protect it as the source is: integritet migrate up; integritet apply --policy <pulled policy>',
      'set client_encoding = \'UTF8\';',
      'set standard_conforming_strings = on;',
      'set check_function_bodies = off;',
      'set client_min_messages = warning;',
      '',
    ].join('\n'));
    writeStatements(out, plan.pre);
    const dumped: { table: string; rows: number }[] = [];
    for (const table of plan.tables) {
      const rows = await dumpTable(snapshot.main, out, table, (n) => progress.rows(table.name, n, table.estimatedRows));
      progress.tableDone(table.name, rows);
      dumped.push({ table: table.name, rows });
    }
    if (plan.dangling.length > 0) {
      // The same removal of rows whose parent stayed behind as a copy does, before the keys.
      out.write(`do $integritet$\ndeclare\n  removed bigint;\n  total bigint;\nbegin\n  loop\n    total := 0;\n${
        plan.dangling.map((d) => `    execute ${dollarQuote(d.statement)};\n    get diagnostics removed = row_count;\n    total := total + removed;\n`).join('')
      }    exit when total = 0;\n  end loop;\nend\n$integritet$;\n\n`);
    }
    writeStatements(out, plan.post);
    for (const statement of plan.sequences) out.write(`${statement};\n`);
    return dumped;
  } finally {
    progress.end();
    await snapshot.close();
  }
}

function writeStatements(out: Writable, statements: CopyStatement[]): void {
  for (const s of statements) out.write(`-- ${s.object}\n${s.statement.trimEnd()};\n\n`);
}

function dollarQuote(text: string): string {
  let tag = 'q';
  while (text.includes(`$${tag}$`)) tag += 'q';
  return `$${tag}$${text}$${tag}$`;
}
