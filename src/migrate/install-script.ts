import { recordApplied } from './migration-history.ts';
import { repeatableDefinitions, versionedMigrations } from './migration-files.ts';

/**
 * One plain SQL script that installs the toolkit as `migrate up` does, for psql, Flyway or
 * sqitch users: every versioned step and definition in order, with their history rows, in one
 * transaction. Applying it and then running `migrate up` finds nothing to do.
 */
export function installScript(): string {
  const parts = [
    '-- integritet install script: the same steps as `integritet migrate up`, in one transaction.',
    '-- Apply with: psql -v ON_ERROR_STOP=1 -f integritet.sql',
    '-- It opens and commits its own transaction, so psql needs no -1 (--single-transaction). A tool',
    '-- that wraps each migration in a transaction of its own (Flyway) takes it without its begin and commit lines.',
    'begin;',
    '-- One install at a time per database, as the migrator does.',
    'select pg_advisory_xact_lock(1886546294, 1);',
  ];
  for (const m of versionedMigrations()) {
    parts.push(`\n-- ==== ${m.name}\n`, m.up, recordApplied(m.name, 'versioned', m.checksum));
  }
  for (const d of repeatableDefinitions()) {
    parts.push(`\n-- ==== ${d.name}\n`, d.sql, recordApplied(d.name, 'repeatable', d.checksum));
  }
  parts.push('commit;', '');
  return parts.join('\n');
}
