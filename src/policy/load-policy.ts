import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolicyError } from './policy-error.ts';
import { validatePolicy } from './policy-schema.ts';
import { syntaxErrorPosition } from './syntax-error-position.ts';
import type { Policy } from './policy-types.ts';

/** File names looked for, in this order, when no policy file is named. */
export const DEFAULT_POLICY_FILES = ['integritet.config.ts', 'integritet.config.mts', 'integritet.config.js', 'integritet.config.mjs', 'integritet.config.json'];

/** The first of {@link DEFAULT_POLICY_FILES} that exists in `directory`, if any. */
export async function findPolicyFile(directory = process.cwd()): Promise<string | undefined> {
  for (const name of DEFAULT_POLICY_FILES) {
    const file = resolve(directory, name);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  }
  return undefined;
}

function failure(file: string, message: string, cause?: unknown): PolicyError {
  return new PolicyError([{ path: '(file)', message }], { source: file, cause });
}

async function readModule(file: string): Promise<unknown> {
  // The modification time in the URL makes a changed file load anew in a long-lived process.
  const { mtimeMs } = await stat(file);
  const url = `${pathToFileURL(file).href}?mtime=${Math.floor(mtimeMs)}`;
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    // definePolicy() in the file already found problems: keep its paths.
    if (error instanceof PolicyError) throw new PolicyError([...error.issues], { source: file, cause: error });
    const at = syntaxErrorPosition(file, error);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    throw failure(file, `cannot load${where}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (module.default === undefined) throw failure(file, 'has no default export (export default definePolicy({ … }))');
  return module.default;
}

/**
 * Loads and validates a policy file: `.ts` (Node.js strips the types), `.js`/`.mjs` (default
 * export) or `.json`. Throws a {@link PolicyError} naming the file and each offending path.
 */
export async function loadPolicy(file: string): Promise<Policy> {
  const path = resolve(file);
  let input: unknown;
  if (extname(path) === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw failure(path, `cannot read: ${(error as Error).message}`, error);
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw failure(path, `is not valid JSON: ${(error as Error).message}`, error);
    }
  } else {
    if (!(await stat(path).then((s) => s.isFile(), () => false))) throw failure(path, 'no such file');
    input = await readModule(path);
  }
  const result = validatePolicy(input);
  if (!result.ok) throw new PolicyError(result.issues, { source: path });
  return result.policy;
}
