import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';

/** A numbered, frozen step of the toolkit's schema, with the SQL that reverts it. */
export interface VersionedMigration {
  /** e.g. `0001-privacy-catalog` */
  name: string;
  up: string;
  down: string;
  checksum: string;
}

/** An idempotent definition file (functions, triggers, grants, reference data) from `sql/`. */
export interface RepeatableDefinition {
  /** e.g. `sql/040-classification.sql` */
  name: string;
  sql: string;
  checksum: string;
}

const VERSIONED = /^(\d{4}-[a-z0-9-]+)\.up\.sql$/;

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** The versioned migrations in `migrations/`, in order; each must have its `.down.sql`. */
export function versionedMigrations(root = packageRoot()): VersionedMigration[] {
  const folder = join(root, 'migrations');
  return readdirSync(folder)
    .flatMap((file) => {
      const match = VERSIONED.exec(file);
      return match?.[1] ? [match[1]] : [];
    })
    .sort()
    .map((name) => {
      const up = readFileSync(join(folder, `${name}.up.sql`), 'utf8');
      const down = readFileSync(join(folder, `${name}.down.sql`), 'utf8');
      return { name, up, down, checksum: checksum(up) };
    });
}

/** The repeatable definitions in `sql/`, in the order of their file names. */
export function repeatableDefinitions(root = packageRoot()): RepeatableDefinition[] {
  const folder = join(root, 'sql');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(folder, file), 'utf8');
      return { name: `sql/${file}`, sql, checksum: checksum(sql) };
    });
}
