import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectionUrl } from './connection-url.ts';
import { cleanUpAfterFile } from './file-cleanup.ts';
import type { TestDatabase } from './test-database.ts';
import { uniqueName } from './unique-name.ts';

/** A LOGIN role made for one test file, allowed to connect to one test database. */
export interface LoginRole {
  /** `it_<random>`: roles are cluster-wide, shared by every worker and concurrent run. */
  readonly name: string;
  /** Connection string of the test database as this role (with its password). */
  readonly url: string;
  /** Opens a new connection as this role; it is closed after the file if the test did not. */
  connect(): Promise<pg.Client>;
  /** Ends its sessions, drops what it owns or was granted in every database, drops it. Idempotent. */
  drop(): Promise<void>;
}

/** What the role is besides LOGIN. */
export interface LoginRoleOptions {
  /** Group roles it is a member of, e.g. `['privacy_masked']`; they must exist (the migration makes them). */
  memberOf?: string[];
  /** Extra role attributes, e.g. `'CREATEROLE'` or `'NOINHERIT'`. */
  attributes?: string;
}

/**
 * Creates a LOGIN role with a random name and password, grants it CONNECT on `db`, and drops it
 * after the test file. It connects as itself over its own connection, with a real password check
 * where the server asks for one (the embedded server does; a trust-auth server ignores it).
 */
export async function createLoginRole(db: TestDatabase, options: LoginRoleOptions = {}): Promise<LoginRole> {
  const attributes = options.attributes ?? '';
  if (!/^[A-Za-z ]*$/.test(attributes)) throw new Error(`role attributes must be keywords such as CREATEROLE, got: ${attributes}`);
  const name = uniqueName('it');
  const password = randomBytes(16).toString('hex');
  const admin = new pg.Client(db.url);
  await admin.connect();
  try {
    const memberOf = (options.memberOf ?? []).map((group) => admin.escapeIdentifier(group));
    await admin.query(
      `create role ${admin.escapeIdentifier(name)} login password ${admin.escapeLiteral(password)} ${attributes}` +
        (memberOf.length > 0 ? ` in role ${memberOf.join(', ')}` : ''),
    );
    await admin.query(`grant connect on database ${admin.escapeIdentifier(db.name)} to ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }

  const url = connectionUrl(db.adminUrl, db.name, { user: name, password });
  const clients = new Set<pg.Client>();
  let dropping: Promise<void> | undefined;
  const role: LoginRole = {
    name,
    url,
    async connect() {
      const client = new pg.Client(url);
      client.on('error', () => {}); // a session ended by drop() must not crash the worker
      client.on('end', () => clients.delete(client));
      await client.connect();
      clients.add(client);
      return client;
    },
    drop: () => (dropping ??= dropRole(db, name)),
  };
  cleanUpAfterFile({ what: `role ${name}`, keepOnFailure: true, run: () => role.drop() });
  // Registered last so it runs first: the role's own sessions end before the role is dropped.
  cleanUpAfterFile({
    what: `sessions of role ${name}`,
    keepOnFailure: false,
    run: async () => {
      await Promise.all([...clients].map((client) => client.end().catch(() => undefined)));
    },
  });
  return role;
}

/**
 * Runs `work` on a fresh connection of `role` (so `session_user` is the role itself, not a
 * `set role`) and closes that connection afterwards.
 */
export async function asRole<T>(role: LoginRole, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await role.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropRole(db: TestDatabase, name: string): Promise<void> {
  const admin = new pg.Client(db.adminUrl);
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_roles where rolname = $1', [name]);
    if (exists.rowCount === 0) return;
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [name]);
    // Where it owns objects or holds grants (pg_shdepend), plus the database it was made for.
    const { rows } = await admin.query<{ datname: string }>(
      `select d.datname
         from pg_database d
        where d.datallowconn
          and (d.datname = $2
               or d.oid in (select s.dbid from pg_shdepend s join pg_roles r on r.oid = s.refobjid where r.rolname = $1))`,
      [name, db.name],
    );
    for (const { datname } of rows) {
      const client = new pg.Client(connectionUrl(db.adminUrl, datname));
      await client.connect();
      try {
        await client.query(`drop owned by ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    }
    await admin.query(`drop role if exists ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}
