import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { isInUse, retryWhileInUse } from '../database/retry-while-in-use.ts';
import { MigrationError, ObjectInUseError, PrivacyError } from '../errors/privacy-error.ts';
import { readHistory, recordApplied, type AppliedMigration } from './migration-history.ts';
import { repeatableDefinitions, versionedMigrations, type VersionedMigration } from './migration-files.ts';
import { takeMigrationLock, withMigrationConnection } from './migration-lock.ts';

/** Where to connect: a connection string or a `pg` client configuration. */
export type Connection = string | pg.ClientConfig;

/** Options of {@link migrateUp}. */
export interface MigrateOptions {
  /** Stop after the versioned migration with this name. */
  to?: string;
  /** Receives one human-readable line per step. */
  log?: (line: string) => void;
}

/** Options of {@link migrateDown}. */
export interface MigrateDownOptions {
  /** Revert this versioned migration and every later one; without it, only the latest. */
  to?: string;
  /** Revert everything: uninstall the toolkit. */
  all?: boolean;
  log?: (line: string) => void;
}

/** What a run did, by migration name. */
export interface MigrateResult {
  versioned: string[];
  repeatable: string[];
}

/** State of one migration or definition. `changed`: its file differs from what was applied. */
export interface MigrationState {
  name: string;
  kind: AppliedMigration['kind'];
  state: 'applied' | 'pending' | 'changed';
  appliedAt?: Date;
}

// Each step and its history row commit together, so there is no moment where one exists
// without the other; the storage's own log calls therefore have nothing left to do.
function historyStorage(): UmzugStorage<pg.Client> {
  return {
    async executed({ context }) {
      return (await readHistory(context)).filter((m) => m.kind === 'versioned').map((m) => m.name);
    },
    async logMigration() {},
    async unlogMigration() {},
  };
}

/** How long a migration step waits in a lock queue before it gives way and tries again. */
const STEP_LOCK_TIMEOUT = '100ms';

/** The oldest open transactions of the database, for a line saying what a step waits for. */
async function oldestTransactions(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ line: string }>(
    `select format('pid %s (%s%s, transaction open %s s)', pid, coalesce(nullif(application_name, ''), 'no application name'),
                   coalesce(', ' || state, ''), round(extract(epoch from clock_timestamp() - xact_start)::numeric, 1)) as line
     from pg_stat_activity
     where datname = current_database() and xact_start is not null and pid <> pg_backend_pid()
     order by xact_start limit 3`);
  return rows.map((r) => r.line).join('; ') || 'a transaction that has just ended';
}

// Every lock a step takes waits at most STEP_LOCK_TIMEOUT (the application never queues longer
// behind it); a step that met a lock in use is rolled back and tried again with backoff. Each
// step takes the migration lock in its own transaction and first asks `done` whether another
// run applied it meanwhile: returns whether this call applied it.
async function inTransaction(client: pg.ClientBase, what: string, sql: string, log?: (line: string) => void,
                             done?: (client: pg.ClientBase) => Promise<boolean>): Promise<boolean> {
  return retryWhileInUse(what, async () => {
    await client.query('begin');
    try {
      await client.query(`set local lock_timeout = '${STEP_LOCK_TIMEOUT}'`);
      await takeMigrationLock(client);
      if (done && await done(client)) {
        await client.query('commit');
        return false;
      }
      await client.query(sql);
      await client.query('commit');
      return true;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (isInUse(error)) {
        const detail = error instanceof Error && (error as { code?: string }).code === 'PV015'
          ? error.message : `a lock is in use; oldest open transactions: ${await oldestTransactions(client).catch(() => '?')}`;
        throw new ObjectInUseError(detail, { code: 'PV015', object: what, cause: error });
      }
      const detail = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`${what} failed: ${detail}`, { code: 'MIGRATION_FAILED', object: what, cause: error });
    }
  }, { log });
}

async function isApplied(client: pg.ClientBase, name: string, checksum?: string): Promise<boolean> {
  return (await readHistory(client)).some((h) => h.name === name && (checksum === undefined || h.checksum === checksum));
}

function umzugFor(client: pg.Client, migrations: VersionedMigration[], ran: Set<string>, log?: (line: string) => void) {
  return new Umzug<pg.Client>({
    context: client,
    storage: historyStorage(),
    logger: undefined,
    migrations: migrations.map((m) => ({
      name: m.name,
      up: async ({ context }) => {
        if (await inTransaction(context, m.name, `${m.up}\n${recordApplied(m.name, 'versioned', m.checksum)}`, log,
          (c) => isApplied(c, m.name))) ran.add(m.name);
      },
      down: async ({ context }) => {
        if (await inTransaction(context, `${m.name} (down)`,
          `delete from privacy.schema_migration where name = '${m.name}';\n${m.down}`, log,
          async (c) => !(await isApplied(c, m.name)))) ran.add(m.name);
      },
    })),
  });
}

// Umzug wraps what a step throws; callers get the toolkit's own error back.
function unwrap(error: unknown): unknown {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof PrivacyError) return e;
  }
  return new MigrationError(error instanceof Error ? error.message : String(error), { code: 'MIGRATION_FAILED', cause: error });
}

function refuseChangedHistory(history: AppliedMigration[], migrations: VersionedMigration[]): void {
  for (const applied of history.filter((h) => h.kind === 'versioned')) {
    const file = migrations.find((m) => m.name === applied.name);
    if (!file) {
      throw new MigrationError(
        `migration ${applied.name} is applied in the database but unknown to this version of integritet (newer install?)`,
        { code: 'MIGRATION_UNKNOWN', object: applied.name },
      );
    }
    if (file.checksum !== applied.checksum) {
      throw new MigrationError(`migration ${applied.name} was changed after it was applied; released migrations are frozen`,
        { code: 'MIGRATION_CHANGED', object: applied.name });
    }
  }
}

/**
 * Installs or upgrades the toolkit's schema: pending versioned migrations in order, each in its
 * own transaction, then every repeatable definition whose checksum changed. Concurrent runs on
 * the same database wait for each other and apply each step once.
 */
export async function migrateUp(connection: Connection, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { log } = options;
  const migrations = versionedMigrations();
  if (options.to && !migrations.some((m) => m.name === options.to)) {
    throw new MigrationError(`no migration named ${options.to}`, { code: 'MIGRATION_UNKNOWN', object: options.to });
  }
  return withMigrationConnection(connection, async (client) => {
    refuseChangedHistory(await readHistory(client), migrations);
    const ran = new Set<string>();
    const umzug = umzugFor(client, migrations, ran, log);
    const done: MigrateResult = { versioned: [], repeatable: [] };
    try {
      for (const m of await umzug.up(options.to ? { to: options.to } : {})) {
        if (!ran.has(m.name)) continue; // another run applied it meanwhile
        done.versioned.push(m.name);
        log?.(`applied ${m.name}`);
      }
    } catch (error) {
      throw unwrap(error);
    }
    if ((await umzug.pending()).length > 0) {
      log?.('repeatable definitions follow the latest version: left out until it is reached');
      return done;
    }
    const applied = new Map((await readHistory(client)).map((h) => [h.name, h.checksum]));
    for (const def of repeatableDefinitions()) {
      if (applied.get(def.name) === def.checksum) continue;
      if (!await inTransaction(client, def.name, `${def.sql}\n${recordApplied(def.name, 'repeatable', def.checksum)}`, log,
        (c) => isApplied(c, def.name, def.checksum))) continue;
      done.repeatable.push(def.name);
      log?.(`applied ${def.name}`);
    }
    if (done.versioned.length === 0 && done.repeatable.length === 0) log?.('up to date');
    return done;
  }, log);
}

/**
 * Reverts versioned migrations: the latest by default, down to and including `to`, or all of
 * them (`all`), which removes every object of the toolkit and the roles this install created.
 */
export async function migrateDown(connection: Connection, options: MigrateDownOptions = {}): Promise<MigrateResult> {
  const { log } = options;
  const migrations = versionedMigrations();
  if (options.to && !migrations.some((m) => m.name === options.to)) {
    throw new MigrationError(`no migration named ${options.to}`, { code: 'MIGRATION_UNKNOWN', object: options.to });
  }
  return withMigrationConnection(connection, async (client) => {
    refuseChangedHistory(await readHistory(client), migrations);
    const ran = new Set<string>();
    const umzug = umzugFor(client, migrations, ran, log);
    const done: MigrateResult = { versioned: [], repeatable: [] };
    try {
      const target = options.all ? { to: 0 as const } : options.to ? { to: options.to } : {};
      for (const m of await umzug.down(target)) {
        if (!ran.has(m.name)) continue;
        done.versioned.push(m.name);
        log?.(`reverted ${m.name}`);
      }
    } catch (error) {
      throw unwrap(error);
    }
    // Definitions are written for the latest version; the next `up` applies them afresh.
    if (done.versioned.length > 0 && (await readHistory(client)).length > 0) {
      await client.query(`delete from privacy.schema_migration where kind = 'repeatable'`);
    }
    if (done.versioned.length === 0) log?.('nothing to revert');
    return done;
  }, log);
}

/**
 * Every versioned migration and repeatable definition, with whether and when it was applied.
 * Reads the history without the migration lock: it never waits for a run in progress (it shows
 * what that run has committed so far).
 */
export async function migrationStatus(connection: Connection): Promise<MigrationState[]> {
  return withMigrationConnection(connection, async (client) => {
    const history = new Map((await readHistory(client)).map((h) => [h.name, h]));
    const state = (name: string, kind: AppliedMigration['kind'], checksum: string): MigrationState => {
      const applied = history.get(name);
      if (!applied) return { name, kind, state: 'pending' };
      return { name, kind, state: applied.checksum === checksum ? 'applied' : 'changed', appliedAt: applied.appliedAt };
    };
    return [
      ...versionedMigrations().map((m) => state(m.name, 'versioned', m.checksum)),
      ...repeatableDefinitions().map((d) => state(d.name, 'repeatable', d.checksum)),
    ];
  });
}
