import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeTcpPort } from '../../src/database/free-port.ts';
import { postgresOsUser } from '../../src/database/postgres-os-user.ts';
import { cleanUpAfterFile } from './file-cleanup.ts';

/** Where Debian's pgbouncer package puts it (`apt-get install pgbouncer`; .ci/run installs it). */
export const PGBOUNCER = '/usr/sbin/pgbouncer';

/** A pgbouncer of a test's own, in front of the test server, on a free loopback port. */
export interface Pooler {
  /** `url` (a connection string of the test server) as it goes through the pooler instead. */
  through(url: string): string;
  /** Stops it (also done after the test file). */
  stop(): Promise<void>;
}

/**
 * Starts pgbouncer in `mode` pooling (default transaction) in front of the server of `serverUrl`,
 * for the logins in `urls` (their user names and passwords, which it passes on to the server),
 * with at most `poolSize` server connections per database and user, so that clients share them.
 */
export async function startPgbouncer(serverUrl: string, urls: string[],
                                     options: { mode?: 'transaction' | 'session'; poolSize?: number } = {}): Promise<Pooler> {
  if (!existsSync(PGBOUNCER)) {
    throw new Error(`${PGBOUNCER} is missing: apt-get install -y pgbouncer (the pooler tests need it; .ci/run installs it)`);
  }
  const server = new URL(serverUrl);
  const port = await freeTcpPort();
  const dir = await mkdtemp(join(tmpdir(), 'integritet-pgbouncer-'));
  const users = new Map<string, string>();
  // A login the server trusts without a password gets one at the pooler (which asks every client).
  const standIn = randomBytes(12).toString('hex');
  for (const url of [serverUrl, ...urls]) {
    const u = new URL(url);
    users.set(decodeURIComponent(u.username || 'postgres'), decodeURIComponent(u.password) || standIn);
  }
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  await writeFile(join(dir, 'users.txt'), [...users].map(([user, password]) => `${quote(user)} ${quote(password)}`).join('\n') + '\n');
  await writeFile(join(dir, 'pgbouncer.ini'), `[databases]
* = host=${server.hostname === 'localhost' ? '127.0.0.1' : server.hostname} port=${server.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = plain
auth_file = ${join(dir, 'users.txt')}
pool_mode = ${options.mode ?? 'transaction'}
default_pool_size = ${options.poolSize ?? 2}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
`);
  // pgbouncer will not run as root.
  const osUser = await postgresOsUser();
  if (osUser) {
    await chown(dir, osUser.uid, osUser.gid);
    for (const file of ['users.txt', 'pgbouncer.ini']) await chown(join(dir, file), osUser.uid, osUser.gid);
  }
  await chmod(join(dir, 'users.txt'), 0o600);
  const child: ChildProcess = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'], ...(osUser ? { uid: osUser.uid, gid: osUser.gid } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    await rm(dir, { recursive: true, force: true });
  };
  cleanUpAfterFile({ what: `pgbouncer on port ${port}`, keepOnFailure: false, run: stop });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited: ${stderr}`);
    if (await listening(port)) break;
    if (i > 100) { await stop(); throw new Error(`pgbouncer did not listen on ${port}: ${stderr}`); }
    await sleep(50);
  }
  return {
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.searchParams.delete('host');
      if (!u.username) u.username = 'postgres';
      if (!u.password) u.password = standIn;
      return u.toString();
    },
    stop,
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
