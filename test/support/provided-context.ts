import type { DatabaseKind } from '../../src/database/provisioned-database.ts';

/** The template databases that global setup prepares for test files to clone. */
export type TemplateName = 'empty' | 'base' | 'tracking' | 'rental';

/** A template that was built (its database name), or why it could not be. */
export type TemplateOutcome = { database: string } | { error: string };

/** The server the whole run uses, as global setup hands it to the test files. */
export interface ProvidedServer {
  /** Superuser URL on the maintenance database. */
  url: string;
  kind: DatabaseKind;
  serverVersion: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    integritetServer: ProvidedServer;
    integritetTemplates: Record<TemplateName, TemplateOutcome>;
  }
}
