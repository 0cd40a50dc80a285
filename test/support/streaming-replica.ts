import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeTcpPort } from '../../src/database/free-port.ts';
import { postgresOsUser, type OsUser } from '../../src/database/postgres-os-user.ts';
import { cleanUpAfterFile } from './file-cleanup.ts';
import type { PrivateCluster } from './private-cluster.ts';

const run = promisify(execFile);

/** A hot standby of a private cluster, streaming its WAL, on a port of its own on loopback. */
export interface StreamingReplica {
  /** Superuser connection string of the replica's `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** How the base backup was taken: `pg_basebackup -R`, or the server's backup functions. */
  readonly madeWith: 'pg_basebackup' | 'pg_backup_start';
  /** Connection string of database `name` on the replica, as the superuser. */
  urlOf(name: string): string;
  /** `url` (any login's connection string of the primary) pointed at the replica instead. */
  through(url: string): string;
  /** Waits until the replica has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops it, drops its replication slot on the primary and removes its directory (also done after the file). */
  destroy(): Promise<void>;
}

/**
 * Makes a streaming replica of `primary` on a second cluster on loopback and starts it as a hot
 * standby. The base backup is `pg_basebackup -R` where the primary's binaries have it; the
 * embedded PostgreSQL ships only initdb, pg_ctl and postgres, so there it is the server's own
 * low-level backup (`pg_backup_start()`, a copy of the data directory, `pg_backup_stop()`'s
 * backup label) with the same standby settings `-R` writes. A physical replication slot keeps the
 * WAL the replica still needs either way.
 */
export async function startStreamingReplica(primary: PrivateCluster): Promise<StreamingReplica> {
  const user = await postgresOsUser();
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'integritet-replica-'));
  const dataDirectory = path.join(directory, 'data');
  const logFile = path.join(directory, 'server.log');
  if (user) await fs.chown(directory, user.uid, user.gid);
  const slot = `replica_${randomBytes(4).toString('hex')}`;
  const primaryUrl = new URL(primary.url);
  const password = decodeURIComponent(primaryUrl.password);
  await superuserQuery(primary.url, 'select pg_catalog.pg_create_physical_replication_slot($1, true)', [slot]);

  const madeWith = existsSync(path.join(primary.binDirectory, 'pg_basebackup')) ? 'pg_basebackup' : 'pg_backup_start';
  if (madeWith === 'pg_basebackup') {
    await asPostgres(user, primary.binDirectory, 'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDirectory, '-R', '-X', 'stream', '-S', slot,
       '--checkpoint=fast', '--no-sync'], { PGPASSWORD: password });
  } else {
    await lowLevelBackup(primary, dataDirectory, user);
    const conninfo = `host=127.0.0.1 port=${primary.port} user=postgres password=${password} application_name=${slot}`;
    await fs.appendFile(path.join(dataDirectory, 'postgresql.auto.conf'),
      `primary_conninfo = '${conninfo.replaceAll("'", "''")}'\nprimary_slot_name = '${slot}'\n`);
    await fs.writeFile(path.join(dataDirectory, 'standby.signal'), '');
    if (user) await chownTree(dataDirectory, user);
  }
  const settings = await fs.readFile(path.join(dataDirectory, 'postgresql.auto.conf'), 'utf8');
  if (!/primary_conninfo/.test(settings) || !existsSync(path.join(dataDirectory, 'standby.signal'))) {
    throw new Error(`the base backup in ${dataDirectory} is not set up as a standby:\n${settings}`);
  }

  const port = await freeTcpPort();
  const serverOptions = [`-p ${port}`, `-c listen_addresses=127.0.0.1`, `-c unix_socket_directories=''`, '-c fsync=off',
    '-c hot_standby=on', '-c lc_messages=C', '-c max_connections=100'].join(' ');
  const pgCtl = (args: string[]) => asPostgres(user, primary.binDirectory, 'pg_ctl', ['-D', dataDirectory, '-l', logFile, '-w', '-t', '60', ...args]);
  let up = false;
  let destroyed: Promise<void> | undefined;
  const destroy = () => (destroyed ??= (async () => {
    if (up) await pgCtl(['-m', 'immediate', 'stop']).catch(() => undefined);
    up = false;
    await superuserQuery(primary.url, 'select pg_catalog.pg_drop_replication_slot(slot_name) from pg_catalog.pg_replication_slots where slot_name = $1', [slot])
      .catch(() => undefined);
    await fs.rm(directory, { recursive: true, force: true, maxRetries: 3 });
  })());
  cleanUpAfterFile({ what: `streaming replica on port ${port}`, keepOnFailure: false, run: destroy });
  try {
    await pgCtl(['-o', serverOptions, 'start']);
  } catch (error) {
    const log = await fs.readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`the replica did not start:\n${log}`, { cause: error });
  }
  up = true;

  const through = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  const urlOf = (name: string) => through(primary.urlOf(name));
  return {
    url: urlOf('postgres'),
    port,
    madeWith,
    urlOf,
    through,
    caughtUp: async (timeoutMs = 30_000) => {
      const [current] = await superuserQuery<{ lsn: string }>(primary.url, 'select pg_catalog.pg_current_wal_lsn()::text as lsn');
      const lsn = current!.lsn;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [state] = await superuserQuery<{ replayed: boolean }>(urlOf('postgres'),
          'select coalesce(pg_catalog.pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as replayed', [lsn]);
        if (state!.replayed) return;
        if (Date.now() > deadline) throw new Error(`the replica has not replayed up to ${lsn} after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    destroy,
  };
}

/**
 * The low-level base backup: between pg_backup_start() and pg_backup_stop() on one connection,
 * the data directory is copied as it is (the WAL replayed from the backup's start makes the copy
 * consistent), without the files a standby must not take over; the label pg_backup_stop() returns
 * goes into the copy as backup_label.
 */
async function lowLevelBackup(primary: PrivateCluster, target: string, user: OsUser | undefined): Promise<void> {
  const client = new pg.Client(primary.url);
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`select pg_catalog.pg_backup_start('integritet replica', true)`);
    const leaveEmpty = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);
    await fs.cp(primary.dataDirectory, target, {
      recursive: true,
      filter: (source) => {
        const relative = path.relative(primary.dataDirectory, source);
        const [top, ...rest] = relative.split(path.sep);
        if (['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map'].includes(relative)) return false;
        return !(top && leaveEmpty.has(top) && rest.length > 0);
      },
    });
    const { rows: [stop] } = await client.query<{ labelfile: string; spcmapfile: string | null }>(
      'select labelfile, spcmapfile from pg_catalog.pg_backup_stop(false)');
    await fs.writeFile(path.join(target, 'backup_label'), stop!.labelfile);
    if (stop!.spcmapfile) await fs.writeFile(path.join(target, 'tablespace_map'), stop!.spcmapfile);
    await fs.chmod(target, 0o700);
    if (user) await chownTree(target, user);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function chownTree(directory: string, user: OsUser): Promise<void> {
  await fs.chown(directory, user.uid, user.gid);
  for (const entry of await fs.readdir(directory, { withFileTypes: true, recursive: true })) {
    await fs.lchown(path.join(entry.parentPath, entry.name), user.uid, user.gid);
  }
}

async function superuserQuery<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function asPostgres(user: OsUser | undefined, binDirectory: string, program: string, args: string[],
                          env: Record<string, string> = {}): Promise<void> {
  try {
    await run(path.join(binDirectory, program), args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...env },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${program} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`, { cause: error });
  }
}
