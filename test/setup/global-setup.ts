// Runs once per test run, in the main process: one server for every worker, and template
// databases that each test file clones (test/support/test-database.ts).
import type { TestProject } from 'vitest/node';
import { provisionDatabase } from '../../src/database/provision.ts';
import { buildTemplates, dropTemplates } from './build-templates.ts';
import '../support/provided-context.ts';

/** Provisions the server, builds the templates and provides both to the test files. */
export default async function globalSetup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const server = await provisionDatabase({
    log: process.env.INTEGRITET_VERBOSE === '1' ? (line) => console.log(`  ${line}`) : undefined,
  });
  const source = server.kind === 'env' ? 'DATABASE_URL' : server.kind;
  console.log(`integritet tests on ${server.serverVersion} (${source}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    const building = Date.now();
    const templates = await buildTemplates(server.url);
    const built = Object.entries(templates).filter(([, outcome]) => 'database' in outcome).map(([name]) => name);
    console.log(`  templates ${built.join(', ') || '(none)'} built in ${((Date.now() - building) / 1000).toFixed(1)} s`);
    for (const [name, outcome] of Object.entries(templates)) {
      if ('error' in outcome) console.log(`  template ${name} unavailable (its test files will fail): ${outcome.error}`);
    }
    project.provide('integritetServer', { url: server.url, kind: server.kind, serverVersion: server.serverVersion });
    project.provide('integritetTemplates', templates);
    return async () => {
      try {
        await dropTemplates(server.url, templates);
      } finally {
        await server.stop();
      }
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
