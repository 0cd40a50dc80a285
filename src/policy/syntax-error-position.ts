import { spawnSync } from 'node:child_process';

/** Where in a file a syntax error is: line and column, counted from 1. */
export interface SourcePosition {
  line: number;
  column: number;
}

// Node.js reports where a syntax error is only in the text it prints: the file and line, the
// source line, and a caret under the column (`file.ts:3\n  c: [1;\n       ^`).
function positionInReport(report: string | undefined): SourcePosition | undefined {
  const lines = report?.split('\n') ?? [];
  const line = Number(/:(\d+)$/.exec(lines[0] ?? '')?.[1]);
  const caret = lines.findIndex((l, i) => i > 1 && /^\s*\^+\s*$/.test(l));
  if (!Number.isInteger(line) || line < 1 || caret < 0) return undefined;
  return { line, column: lines[caret]!.indexOf('^') + 1 };
}

const STRIP = `try {
  require('node:module').stripTypeScriptTypes(require('node:fs').readFileSync(process.argv[1], 'utf8'));
} catch (error) {
  process.stdout.write(String(error.stack));
}`;

/**
 * The line and column of the syntax error that stopped `file` from loading: from the error
 * Node.js threw when it could not strip the types of a `.ts` file, or else from a syntax check
 * of the file in a child process (an ES module's SyntaxError carries no position, and a loader
 * such as a test runner's reports it its own way). Undefined when the file has no syntax error.
 */
export function syntaxErrorPosition(file: string, error: unknown): SourcePosition | undefined {
  const fromError = positionInReport(error instanceof Error ? error.stack : undefined);
  if (fromError) return fromError;
  // Node's own TypeScript parser (a superset of JavaScript's syntax), in a child process: its
  // API is experimental and warns, and `node --check` passes some ES modules it cannot load.
  const check = spawnSync(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', STRIP, file],
    { encoding: 'utf8', timeout: 10_000 });
  return positionInReport(check.stdout?.trimStart());
}
