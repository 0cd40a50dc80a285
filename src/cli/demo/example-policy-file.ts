import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../package-root.ts';

/**
 * The reference policy the demo applies: its compiled JavaScript when the CLI runs compiled, as
 * in an installed package (Node.js does not strip the types of files under node_modules), else
 * the TypeScript source of this checkout.
 */
export function examplePolicyFile(): string {
  const compiled = fileURLToPath(new URL('../../../examples/tracking/integritet.config.js', import.meta.url));
  if (import.meta.url.endsWith('.js') && existsSync(compiled)) return compiled;
  return join(packageRoot(), 'examples', 'tracking', 'integritet.config.ts');
}
