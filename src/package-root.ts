import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the integritet package (holding migrations/ and sql/), found from this module's
 * location so it is the same whether the sources or the compiled files run.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'integritet') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('integritet: cannot find the package folder (no package.json named integritet)');
    dir = parent;
  }
}
