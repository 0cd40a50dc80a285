import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freeTcpPort } from '../../src/database/free-port.ts';
import { postgresOsUser, type OsUser } from '../../src/database/postgres-os-user.ts';
import { cleanUpAfterFile } from './file-cleanup.ts';

const run = promisify(execFile);

/** Where the PostgreSQL 15 binaries are (Debian's layout); `INTEGRITET_PG_BIN` overrides it. */
export const PG_BIN = process.env.INTEGRITET_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A PostgreSQL cluster of one test file's own, which the test may crash, stop and restart. */
export interface PrivateCluster {
  /** Superuser connection string of its `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly dataDirectory: string;
  /** Connection string of database `name` on this cluster as the superuser. */
  urlOf(name: string): string;
  /** `pg_ctl restart -m <mode>` (default `immediate`: a crash, then recovery), waiting until it accepts connections. */
  restart(mode?: 'immediate' | 'fast'): Promise<void>;
  /** `pg_ctl stop -m <mode>` (default `immediate`); the cluster stays down until `start()`. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again after `stop()`, on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory (also done after the test file). */
  destroy(): Promise<void>;
}

/** Whether this machine has the binaries: tests of a private cluster are skipped without them. */
export const privateClusterAvailable = existsSync(path.join(PG_BIN, 'pg_ctl'));

/**
 * initdb's a cluster into a temp dir (owned by the `postgres` OS user when we are root, since
 * PostgreSQL refuses to run as root), starts it on a free loopback port with SCRAM auth for a
 * random superuser password, and destroys it after the test file.
 */
export async function startPrivateCluster(options: { binDirectory?: string } = {}): Promise<PrivateCluster> {
  const bin = options.binDirectory ?? PG_BIN;
  const user = await postgresOsUser();
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'integritet-cluster-'));
  const dataDirectory = path.join(directory, 'data');
  const logFile = path.join(directory, 'server.log');
  if (user) await fs.chown(directory, user.uid, user.gid);
  const password = randomBytes(18).toString('base64url');
  const passwordFile = path.join(directory, 'pw');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) await fs.chown(passwordFile, user.uid, user.gid);
  await asPostgres(user, bin, 'initdb', ['-D', dataDirectory, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth=scram-sha-256',
    '--encoding=UTF8', '--no-locale', '--no-sync']);
  await fs.rm(passwordFile);
  const port = await freeTcpPort();
  const serverOptions = [
    `-p ${port}`, `-c listen_addresses=127.0.0.1`, `-c unix_socket_directories=''`, '-c fsync=off',
    '-c full_page_writes=off', '-c lc_messages=C', '-c max_connections=100',
  ].join(' ');
  const pgCtl = (args: string[]) => asPostgres(user, bin, 'pg_ctl', ['-D', dataDirectory, '-l', logFile, '-w', '-t', '60', ...args]);

  let up = false;
  const start = async () => {
    await pgCtl(['-o', serverOptions, 'start']);
    up = true;
  };
  const stop = async (mode: 'immediate' | 'fast' = 'immediate') => {
    await pgCtl(['-m', mode, 'stop']);
    up = false;
  };
  let destroyed: Promise<void> | undefined;
  const destroy = () => (destroyed ??= (async () => {
    if (up) await stop('immediate').catch(() => undefined);
    await fs.rm(directory, { recursive: true, force: true, maxRetries: 3 });
  })());
  cleanUpAfterFile({ what: `private cluster on port ${port}`, keepOnFailure: false, run: destroy });
  await start();

  const urlOf = (name: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
  return {
    url: urlOf('postgres'),
    port,
    dataDirectory,
    urlOf,
    restart: async (mode = 'immediate') => {
      await pgCtl(['-m', mode, '-o', serverOptions, 'restart']);
      up = true;
    },
    stop,
    start,
    destroy,
  };
}

async function asPostgres(user: OsUser | undefined, bin: string, program: string, args: string[]): Promise<void> {
  try {
    await run(path.join(bin, program), args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${program} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`, { cause: error });
  }
}
