import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';

// sql/README.md: a function longer than 120 lines is split into its phases. Counted from
// `create or replace function` to the line that closes its body.
const MOST_LINES = 120;

interface FunctionLength { file: string; name: string; lines: number }

function functionLengths(folder: string): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()) {
    const lines = readFileSync(join(folder, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i += 1) {
      const start = /^create or replace (?:function|procedure) (privacy\.\w+)/.exec(lines[i]!);
      if (!start) continue;
      let j = i;
      while (j < lines.length && !/^\$\w*\$;/.test(lines[j]!)) j += 1;
      found.push({ file, name: start[1]!, lines: j - i + 1 });
      i = j;
    }
  }
  return found;
}

describe('functions of sql/', () => {
  it(`are at most ${MOST_LINES} lines long each`, () => {
    const all = functionLengths(join(packageRoot(), 'sql'));
    expect(all.length).toBeGreaterThan(300);
    expect(all.filter((f) => f.lines > MOST_LINES).map((f) => `${f.file}: ${f.name}, ${f.lines} lines`)).toEqual([]);
  });
});
