import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { isInUse, retryWhileInUse } from '../database/retry-while-in-use.ts';
import { MigrationError, ObjectInUseError, PrivacyError } from '../errors/privacy-error.ts';
import { readHistory, recordApplied, type AppliedMigration } from './migration-history.ts';
import { repeatableDefinitions, versionedMigrations, type RepeatableDefinition, type VersionedMigration } from './migration-files.ts';
import { legalStateDroppedBy, refuseToDropLegalState } from './legal-state.ts';
import { takeMigrationLock, withMigrationConnection } from './migration-lock.ts';
import { findDamage, readManifest, recordManifest, type ObjectDamage, type RecordedObject } from './object-manifest.ts';
import { objectsWrittenSince, snapshotToolkitObjects, transactionId } from './toolkit-objects.ts';

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
  /** Revert even when that drops ledger entries, holds, restricted rows or subject requests. */
  force?: boolean;
  log?: (line: string) => void;
}

/** What a run did, by migration name. */
export interface MigrateResult {
  versioned: string[];
  repeatable: string[];
}

/**
 * State of one migration or definition. `changed`: its file differs from what was applied;
 * `damaged`: an object it made is missing or differs from what it made (`problems` says which).
 */
export interface MigrationState {
  name: string;
  kind: AppliedMigration['kind'];
  state: 'applied' | 'pending' | 'changed' | 'damaged';
  appliedAt?: Date;
  /** e.g. `trigger hidden_row_insert on privacy.restricted_row missing`. */
  problems?: string[];
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
      // Down runs go through migrateDown, which reverts a whole run in one transaction.
      down: () => Promise.reject(new Error('reverted by migrateDown')),
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
    // A fresh install drops `if exists` what it lacks: those notices are noise; warnings still show.
    await client.query('set client_min_messages = warning');
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
    done.repeatable = await applyDefinitions(client, log);
    if (done.versioned.length === 0 && done.repeatable.length === 0) log?.('up to date');
    return done;
  }, log);
}

/**
 * Applies one definition file with its history row, in one transaction that holds the migration
 * lock and waits at most STEP_LOCK_TIMEOUT for any other lock (retried with backoff while one is
 * in use); returns the objects it made or changed, or undefined when another run applied the same
 * file meanwhile (and this one is not a repair).
 */
async function applyDefinition(client: pg.Client, def: RepeatableDefinition, repair: boolean, recordSources: boolean,
                               log?: (line: string) => void): Promise<string[] | undefined> {
  return retryWhileInUse(def.name, async () => {
    await client.query('begin');
    try {
      await client.query(`set local lock_timeout = '${STEP_LOCK_TIMEOUT}'`);
      await takeMigrationLock(client);
      if (!repair && await isApplied(client, def.name, def.checksum)) {
        await client.query('commit');
        return undefined;
      }
      const since = await transactionId(client);
      await client.query(`${def.sql}\n${recordApplied(def.name, 'repeatable', def.checksum)}`);
      const written = await objectsWrittenSince(client, since);
      if (recordSources) await recordSource(client, def.name, written);
      await client.query('commit');
      return written;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (isInUse(error)) {
        const detail = error instanceof Error && (error as { code?: string }).code === 'PV015'
          ? error.message : `a lock is in use; oldest open transactions: ${await oldestTransactions(client).catch(() => '?')}`;
        throw new ObjectInUseError(detail, { code: 'PV015', object: def.name, cause: error });
      }
      const detail = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`${def.name} failed: ${detail}`, { code: 'MIGRATION_FAILED', object: def.name, cause: error });
    }
  }, { log });
}

/**
 * Adds `file` to the recorded sources of the objects it wrote, in the transaction that applied it.
 * An object new to the record gets an empty hash (the run records the real one at its end): if
 * the run ends before that (a crash), the next one finds it "differs" and applies its files again,
 * so the record still names every file that made each object.
 */
async function recordSource(client: pg.ClientBase, file: string, identities: string[]): Promise<void> {
  await client.query(
    `insert into privacy.toolkit_object (identity, hash, sources)
     select i, '', array[$2::text] from unnest($1::text[]) as i
     on conflict (identity) do update
       set sources = array(select distinct s from unnest(privacy.toolkit_object.sources || excluded.sources) as s order by 1)`,
    [identities, file]);
}

/**
 * Applies every repeatable definition whose file changed since it was applied, and every one that
 * made an object that is now missing or differs from what was installed (a function dropped or
 * edited by hand, a trigger or grant gone); where the record of installed objects does not say
 * which file made a damaged object, all of them. Then records what is installed.
 */
async function applyDefinitions(client: pg.Client, log?: (line: string) => void): Promise<string[]> {
  const applied = new Map((await readHistory(client)).map((h) => [h.name, h.checksum]));
  const definitions = repeatableDefinitions();
  const recorded = await readManifest(client);
  const recordSources = recorded !== undefined;
  const manifest = recorded ?? new Map<string, RecordedObject>();
  const damage = findDamage(manifest, await snapshotToolkitObjects(client));
  const repairs = new Map<string, ObjectDamage[]>();
  for (const d of damage) {
    for (const source of d.sources.length > 0 ? d.sources : definitions.map((def) => def.name)) {
      repairs.set(source, [...(repairs.get(source) ?? []), d]);
    }
  }
  const madeBy = new Map<string, Set<string>>();
  const done: string[] = [];
  for (const def of definitions) {
    const repairing = repairs.get(def.name);
    if (applied.get(def.name) === def.checksum && !repairing) continue;
    const written = await applyDefinition(client, def, repairing !== undefined, recordSources, log);
    if (written === undefined) continue; // another run applied it meanwhile
    for (const identity of written) {
      madeBy.set(identity, (madeBy.get(identity) ?? new Set()).add(def.name));
    }
    done.push(def.name);
    log?.(repairing ? `applied ${def.name} again: ${repairing.map((d) => `${d.identity} ${d.problem}`).join(', ')}` : `applied ${def.name}`);
  }
  if ((done.length > 0 || manifest.size === 0) && (await readManifest(client)) !== undefined) {
    await recordManifest(client, await snapshotToolkitObjects(client), madeBy, manifest);
  }
  return done;
}

/**
 * Reverts versioned migrations: the latest by default, down to and including `to`, or all of
 * them (`all`), which removes every object of the toolkit and the roles this install created.
 * The whole run is one transaction: a step that fails reverts nothing, the earlier steps of the
 * run included. A run that would drop ledger entries, holds, restricted rows or subject requests
 * is refused unless `force` is set (`LEGAL_STATE_WOULD_BE_DROPPED`, with their counts).
 */
export async function migrateDown(connection: Connection, options: MigrateDownOptions = {}): Promise<MigrateResult> {
  const { log } = options;
  const migrations = versionedMigrations();
  if (options.to && !migrations.some((m) => m.name === options.to)) {
    throw new MigrationError(`no migration named ${options.to}`, { code: 'MIGRATION_UNKNOWN', object: options.to });
  }
  return withMigrationConnection(connection, async (client) => {
    const history = await readHistory(client);
    refuseChangedHistory(history, migrations);
    const applied = new Set(history.filter((h) => h.kind === 'versioned').map((h) => h.name));
    const steps = stepsToRevert(migrations.filter((m) => applied.has(m.name)), options);
    const done: MigrateResult = { versioned: [], repeatable: [] };
    if (steps.length === 0) {
      log?.('nothing to revert');
      return done;
    }
    const names = steps.map((m) => m.name);
    if (!options.force) refuseToDropLegalState(await legalStateDroppedBy(client, names), names);
    await client.query('begin');
    try {
      // One run at a time, on whatever server connection a pooler gives this transaction.
      await takeMigrationLock(client);
      // The toolkit's own DDL event trigger must not regenerate views with definitions written
      // for the latest version while the tables under them are being taken away.
      await client.query(`select pg_catalog.set_config('privacy.syncing', 'on', true)`);
      for (const m of steps) {
        await runStep(client, `${m.name} (down)`, `delete from privacy.schema_migration where name = '${m.name}';\n${m.down}`);
      }
      // Definitions are written for the latest version; the next `up` applies them afresh.
      if (await hasHistoryTable(client)) await client.query(`delete from privacy.schema_migration where kind = 'repeatable'`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
    for (const name of names) {
      done.versioned.push(name);
      log?.(`reverted ${name}`);
    }
    return done;
  }, log);
}

function stepsToRevert(applied: VersionedMigration[], options: MigrateDownOptions): VersionedMigration[] {
  const latestFirst = [...applied].reverse();
  if (options.all) return latestFirst;
  if (options.to) {
    const at = latestFirst.findIndex((m) => m.name === options.to);
    return at < 0 ? [] : latestFirst.slice(0, at + 1);
  }
  return latestFirst.slice(0, 1);
}

async function hasHistoryTable(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ e: boolean }>(`select to_regclass('privacy.schema_migration') is not null as e`);
  return rows[0]?.e ?? false;
}

// One step of a run that is already in a transaction: the error names the step and says that
// the run's transaction, and so every step of it, is rolled back.
async function runStep(client: pg.ClientBase, what: string, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`${what} failed: ${detail}; nothing was reverted`,
      { code: 'MIGRATION_FAILED', object: what, cause: error });
  }
}

/**
 * Every versioned migration and repeatable definition, with whether and when it was applied, and
 * which objects of the applied definitions are missing or differ from what they installed.
 * Reads without the migration lock: it never waits for a run in progress (it shows what that run
 * has committed so far).
 */
export async function migrationStatus(connection: Connection): Promise<MigrationState[]> {
  return withMigrationConnection(connection, async (client) => {
    const history = new Map((await readHistory(client)).map((h) => [h.name, h]));
    const manifest = await readManifest(client);
    const damage = manifest ? findDamage(manifest, await snapshotToolkitObjects(client)) : [];
    const state = (name: string, kind: AppliedMigration['kind'], checksum: string): MigrationState => {
      const applied = history.get(name);
      if (!applied) return { name, kind, state: 'pending' };
      const problems = damage.filter((d) => d.sources.includes(name)).map((d) => `${d.identity} ${d.problem}`);
      if (applied.checksum !== checksum) return { name, kind, state: 'changed', appliedAt: applied.appliedAt };
      if (problems.length > 0) return { name, kind, state: 'damaged', appliedAt: applied.appliedAt, problems };
      return { name, kind, state: 'applied', appliedAt: applied.appliedAt };
    };
    const states = [
      ...versionedMigrations().map((m) => state(m.name, 'versioned', m.checksum)),
      ...repeatableDefinitions().map((d) => state(d.name, 'repeatable', d.checksum)),
    ];
    // Objects whose file is not known (installed by the SQL script): \`migrate up\` applies all.
    const unattributed = damage.filter((d) => d.sources.length === 0).map((d) => `${d.identity} ${d.problem}`);
    if (unattributed.length > 0) states.push({ name: 'sql/', kind: 'repeatable', state: 'damaged', problems: unattributed });
    return states;
  });
}
