import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.ts';

/** Who runs an example: the owner (superuser), the application, trusted staff, or node. */
export type ExampleRunner = 'owner' | 'app' | 'staff' | 'typescript';

/** A fenced code block of README.md marked `<!-- example: runner -->` on the line before. */
export interface ReadmeExample {
  runner: ExampleRunner;
  line: number;
  code: string;
}

/** The marked examples of README.md, in order. */
export function readmeExamples(): ReadmeExample[] {
  const lines = readFileSync(join(packageRoot(), 'README.md'), 'utf8').split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- example: (owner|app|staff|typescript) -->$/.exec(lines[i]!.trim());
    if (!marker) continue;
    const open = i + 1;
    if (!/^```(sql|ts)$/.test(lines[open] ?? '')) throw new Error(`README.md:${i + 1}: an example marker must precede a code block`);
    const close = lines.findIndex((l, j) => j > open && l.startsWith('```'));
    examples.push({ runner: marker[1] as ExampleRunner, line: open + 1, code: lines.slice(open + 1, close).join('\n') });
    i = close;
  }
  return examples;
}
