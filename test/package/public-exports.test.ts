// What an application can import from 'integritet'. What must not go wrong: documentation that
// names a function the package does not export (runSweep, startSweepWorker and
// registerSweepHandlers were named, and only reachable through the CLI).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as integritet from '../../src/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts')).map((file) => join('src', file));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Every function, class and constant a module exports, by name, with its file. */
function exportedValues(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources) {
    for (const match of read(file).matchAll(/^export (?:async )?(?:function|class|const) (\w+)/gm)) found.set(match[1]!, file);
  }
  return found;
}

describe('the public exports', () => {
  it('include the sweep and the worker, for applications that run them without the CLI', () => {
    for (const name of ['runSweep', 'startSweepWorker', 'registerSweepHandlers', 'sendSweepJob', 'registerErasureHandlers', 'sendErasureJob']) {
      expect(typeof (integritet as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(integritet.SWEEP_QUEUE).toBe('integritet.sweep');
  });

  it("include every name the README imports from 'integritet'", () => {
    const imported = [...read('README.md').matchAll(/import \{([^}]+)\} from 'integritet'/g)]
      .flatMap((m) => m[1]!.split(',').map((name) => name.trim()).filter(Boolean));
    expect(imported.length).toBeGreaterThan(3);
    for (const name of imported) expect(integritet, name).toHaveProperty(name);
  });

  it('include every function that the documentation of the sweep, the worker, migrations, policies and subjects links to', () => {
    // {@link name} in a doc comment names something a reader is meant to call. The Kysely API
    // functions are linked from their input types and reached as methods of createIntegritet().
    const internal = /^src\/(kysely\/api|database|cli)\//;
    const exported = exportedValues();
    const linked = new Set(sources.flatMap((file) => [...read(file).matchAll(/\{@link (\w+)\}/g)].map((m) => m[1]!)));
    const missing = [...linked].filter((name) => exported.has(name) && !internal.test(exported.get(name)!) && !(name in integritet));
    expect(missing).toEqual([]);
  });

  it('include every method of the Kysely client, write rules included', () => {
    const client = integritet.createIntegritet({} as never);
    for (const name of Object.keys(integritet.API_METHODS)) expect(typeof (client as Record<string, unknown>)[name], name).toBe('function');
    expect(Object.keys(integritet.API_METHODS)).toEqual(expect.arrayContaining(['setWriteRule', 'clearWriteRule']));
  });
});
