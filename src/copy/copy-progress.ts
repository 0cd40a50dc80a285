/** What a copy or dump tells about its progress. */
export interface CopyProgress {
  /** A step began (`schema`, `rows`, `constraints` …). */
  step(line: string): void;
  /** Rows of `table` passed; `estimated` is the planner's guess of its total. */
  rows(table: string, rows: number, estimated: number): void;
  /** `table` is done with `rows` rows. */
  tableDone(table: string, rows: number): void;
  /** Nothing more will be shown. */
  end(): void;
}

/** Progress that says nothing (for callers that only want the result). */
export const silentProgress: CopyProgress = { step() {}, rows() {}, tableDone() {}, end() {} };

/**
 * Progress on a stream (standard error): on a terminal, one line redrawn in place with every table
 * being copied and its share done, as a bar; elsewhere (a CI log, a file), one line per step and
 * per finished table.
 */
export function streamProgress(stream: NodeJS.WriteStream): CopyProgress {
  const live = new Map<string, { rows: number; estimated: number }>();
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  const clear = (): void => {
    if (tty) stream.write('\r\x1b[2K');
  };
  const bar = (share: number): string => {
    const width = 12;
    const filled = Math.round(Math.min(1, share) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  };
  const draw = (): void => {
    if (!tty) return;
    const now = Date.now();
    if (now - lastDraw < 100) return;
    lastDraw = now;
    const parts = [...live].map(([table, p]) =>
      p.estimated > 0 ? `${table} ${bar(p.rows / p.estimated)} ${p.rows.toLocaleString('en')}` : `${table} ${p.rows.toLocaleString('en')}`);
    clear();
    stream.write(parts.join('  ').slice(0, (stream.columns ?? 120) - 1));
  };
  return {
    step(line) {
      clear();
      stream.write(`${line}\n`);
    },
    rows(table, rows, estimated) {
      const p = live.get(table) ?? { rows: 0, estimated };
      p.rows += rows;
      live.set(table, p);
      draw();
    },
    tableDone(table, rows) {
      live.delete(table);
      clear();
      stream.write(`  ${table}: ${rows.toLocaleString('en')} rows\n`);
      lastDraw = 0;
      draw();
    },
    end() {
      clear();
    },
  };
}
