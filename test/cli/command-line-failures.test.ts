// The command line when something is wrong: an old Node.js, bad usage, a URL that is not
// PostgreSQL's, a server that does not answer, a database without the toolkit. What must not go
// wrong: a raw driver error far from its cause, a failure that exits 0, a usage error that exits
// like a failure, and anything left behind in a database the command refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../src/database/free-port.ts';
import { useTestDatabase } from '../support/test-database.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const BIN = join(ROOT, 'bin/integritet.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const { DATABASE_URL: _, ...ENV } = process.env;

// The sources rather than bin/integritet.js, which prefers a compiled dist/ when there is one.
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; node?: string[]; entry?: string } = {}) {
  const run = spawnSync(process.execPath, [...(options.node ?? []), options.entry ?? MAIN, ...args],
    { encoding: 'utf8', env: options.env ?? ENV, cwd: options.cwd ?? ROOT, timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a Node.js that cannot load TypeScript policy files', () => {
  it('is told what it needs and how to get it, before anything else runs, and exits 1', () => {
    const run = cli(['demo'], { entry: BIN, node: ['--no-experimental-strip-types'] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('integritet: needs Node.js 22.18 or later');
    expect(run.stderr).toContain('hint: run it without --no-experimental-strip-types');
    expect(run.stdout).toBe('');
  });

  // The machine's own Node.js, when it is an older one (Node 20 on Debian 12).
  const system = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
  const old = system.status === 0 && Number(/^v(\d+)/.exec(system.stdout)?.[1]) < 22;
  it.runIf(old)(`Node.js ${system.stdout?.trim()} gets the same message, with how to install Node.js 22`, () => {
    const run = spawnSync('/usr/bin/node', [BIN, 'demo'], { encoding: 'utf8', env: ENV, timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/needs Node\.js 22\.18 or later.*this is Node\.js 20\./);
    expect(run.stderr).toContain('nvm install 22');
  });

  it('asks for the version package.json declares', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=22.18.0');
  });
});

describe('--version', () => {
  it.each(['--version', '-V', '-v'])('%s prints the package version and exits 0', (flag) => {
    const run = cli([flag], { entry: BIN });
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('usage errors exit 2 and say what is wrong', () => {
  it.each([
    ['no command', [], /Usage: integritet/],
    ['an unknown command', ['sweeep'], /unknown command 'sweeep'[\s\S]*Did you mean sweep\?/],
    ['an unknown flag', ['verify', '--jsn'], /unknown option '--jsn'/],
    ['a bad value', ['demo', '--scale', 'abc'], /option '--scale <n>' argument 'abc' is invalid/],
    ['a bad count', ['discover', '--sample', 'x'], /argument 'x' is invalid/],
    ['a group without its verb', ['subject'], /Usage: integritet subject/],
    ['migrate without its verb', ['migrate'], /Usage: integritet migrate/],
    ['no database', ['verify'], /no database given: pass --database-url or set DATABASE_URL/],
    ['no database for migrate', ['migrate', 'status'], /no database given/],
  ])('%s', (_what, args, message) => {
    const run = cli(args as string[]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('help that was asked for exits 0', () => {
    expect(cli(['help']).code).toBe(0);
    expect(cli(['--help']).code).toBe(0);
    expect(cli(['subject', 'erase', '--help']).code).toBe(0);
  });
});

describe('a database URL that is not PostgreSQL\'s', () => {
  it.each([
    ['not a url', /--database-url is not a URL; expected postgres:\/\/user:password@host:port\/database/],
    // Without the check, the driver connects to port 5432 of 127.0.0.1: another server.
    ['mysql://root@127.0.0.1/clinic', /--database-url has the scheme mysql:\/\/, not postgres:\/\/ or postgresql:\/\//],
  ])('%s is refused before anything connects, exit 2', (url, message) => {
    const run = cli(['verify', '--database-url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/ENOTFOUND|does not exist/);
  });

  it('DATABASE_URL is checked the same way, and named', () => {
    const run = cli(['status'], { env: { ...ENV, DATABASE_URL: 'mysql://root@127.0.0.1/clinic' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL has the scheme mysql://');
  });

  it('a server that refuses the connection is named by host and port, with what to check, exit 1', async () => {
    const port = await freeTcpPort();
    const run = cli(['migrate', 'status', '--database-url', `postgres://someone:secret@127.0.0.1:${port}/app`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot connect to 127.0.0.1:${port}`);
    expect(run.stderr).toContain('connection refused: check that PostgreSQL runs there and listens on that port');
    expect(run.stderr).not.toContain('secret');
  });
});

describe('a database without the toolkit', () => {
  const bare = useTestDatabase('empty');
  const notInstalled = 'integritet is not installed in this database: run `integritet migrate up`';

  it.each([
    ['sweep'], ['sweep', '--dry-run'], ['verify'], ['sync'], ['worker'], ['lint'], ['pull', '--out', '-'], ['report'],
    ['plan', '--policy', 'examples/tracking/integritet.config.ts'], ['apply', '--policy', 'examples/tracking/integritet.config.ts'],
    ['subject', 'graph'], ['subject', 'requests'], ['subject', 'erase', 'customer', '1', '--reason', 'r'],
  ])('%s says how to install it, exit 1', async (...args) => {
    const run = cli([...args, '--database-url', bare.url]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(notInstalled);
    expect(run.stderr).not.toMatch(/schema "privacy"|relation "privacy/);
  });

  it('worker leaves no pg-boss schema behind', async () => {
    cli(['worker', '--database-url', bare.url]);
    const { rows } = await bare.pool().query(`select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname not in ('public', 'information_schema')`);
    expect(rows).toEqual([]);
  });

  it('status reports it as its finding, exit 1', () => {
    const run = cli(['status', '--database-url', bare.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('not installed in this database');
  });
});

describe('migrate up on a fresh database', () => {
  const fresh = useTestDatabase('empty');

  it('prints the steps it applied and no notices', () => {
    const run = cli(['migrate', 'up', '--database-url', fresh.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('applied 0001-privacy-catalog');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/notice|does not exist, skipping/);
  });
});

describe('pull > integritet.config.ts, as the README gives it', () => {
  const db = useTestDatabase('base');
  const directory = mkdtempSync(join(tmpdir(), 'integritet-pull-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes the policy to standard output when it is redirected, and no file', () => {
    const run = cli(['pull', '--database-url', db.url], { cwd: directory });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\/\/ Pulled from the integritet catalog[\s\S]*export default definePolicy\(/);
    expect(existsSync(join(directory, 'integritet.config.ts'))).toBe(false);
  });

  it('still writes the file that --out names', () => {
    const run = cli(['pull', '--out', 'integritet.config.ts', '--database-url', db.url], { cwd: directory });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Wrote integritet.config.ts');
    expect(readFileSync(join(directory, 'integritet.config.ts'), 'utf8')).toContain('export default definePolicy(');
  });
});
