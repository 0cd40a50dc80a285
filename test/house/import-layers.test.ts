import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The modules under src/, bottom to top. A file may import its own module and any module of a
// lower layer; modules that share a layer are independent of each other. An import that runs up
// (or sideways) makes two modules one module in two folders, which a reader cannot see.
const LAYERS: readonly (readonly string[])[] = [
  ['package-root.ts'],
  ['errors', 'package-version.ts', 'terminal'], // terminal: plain text tables and colours
  ['database'], // reaching a server: URLs, provisioning, one client or pool
  ['client'], // the one call of the privacy.* SQL API
  ['migrate'],
  ['subjects', 'retention', 'ledger'],
  ['kysely'],
  ['policy', 'status'],
  ['copy'],
  ['worker'],
  ['cli', 'index.ts'], // the two front ends: the command line and the package entry
];

const SRC = resolve(import.meta.dirname, '../../src');

/** The top-level module (folder, or file directly in src/) a path inside src/ belongs to. */
function moduleOf(path: string): string {
  return relative(SRC, path).split(/[\\/]/)[0]!;
}

function layerOf(module: string): number {
  return LAYERS.findIndex((layer) => layer.includes(module));
}

/** Every module specifier a file imports, re-exports or loads with `import()`. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

interface Violation { file: string; imports: string; why: string }

/** The imports among `files` (path → source) that do not run down the layers. */
function layerViolations(files: ReadonlyMap<string, string>): Violation[] {
  const found: Violation[] = [];
  for (const [file, source] of files) {
    const from = moduleOf(file);
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith('.')) continue; // a package, not ours
      const target = resolve(dirname(file), specifier);
      const to = moduleOf(target);
      if (to === from) continue;
      const [fromLayer, toLayer] = [layerOf(from), layerOf(to)];
      const name = relative(SRC, file);
      if (to.startsWith('..')) {
        // Only a front end may load a file from outside src/ (the demo seeds its example's data).
        if (fromLayer !== LAYERS.length - 1) found.push({ file: name, imports: specifier, why: 'only a front end reaches outside src/' });
      } else if (toLayer < 0) {
        found.push({ file: name, imports: specifier, why: `${to} is no module of src/ in LAYERS` });
      } else if (toLayer === fromLayer) {
        found.push({ file: name, imports: specifier, why: `${from} and ${to} share a layer and must not import each other` });
      } else if (toLayer > fromLayer) {
        found.push({ file: name, imports: specifier, why: `${from} sits below ${to}` });
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, readFileSync(path, 'utf8'));
  }
  return files;
}

describe('imports run down the layers of src/', () => {
  it('places every module of src/ in a layer', () => {
    const unplaced = readdirSync(SRC).filter((entry) => layerOf(entry) < 0);
    expect(unplaced, 'add each new folder of src/ to LAYERS in this test, where it belongs').toEqual([]);
  });

  it('finds no import that runs up or sideways', () => {
    const violations = layerViolations(sourceFiles(SRC)).map(({ file, imports, why }) => `${file} imports ${imports}: ${why}`);
    expect(violations, 'move the shared code down to the lower module, or the importer up').toEqual([]);
  });

  it('catches an upward import, a sideways one, a dynamic one and one out of src/', () => {
    const files = new Map([
      [join(SRC, 'database/open-client.ts'), `import { x } from '../errors/privacy-error.ts';\nimport { y } from '../cli/main.ts';`],
      [join(SRC, 'policy/load-policy.ts'), `export { z } from '../status/database-status.ts';`],
      [join(SRC, 'migrate/migrator.ts'), `const m = await import('../kysely/open-kysely.ts');\nimport '../../examples/x.ts';`],
      [join(SRC, 'cli/main.ts'), `import 'commander';\nimport { a } from './text-table.ts';\nimport { b } from '../worker/sweep-worker.ts';`],
    ]);
    expect(layerViolations(files).map((v) => `${v.file} → ${v.imports}`)).toEqual([
      'database/open-client.ts → ../cli/main.ts',
      'policy/load-policy.ts → ../status/database-status.ts',
      'migrate/migrator.ts → ../kysely/open-kysely.ts',
      'migrate/migrator.ts → ../../examples/x.ts',
    ]);
  });
});
