import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackFrames, startCli } from './cli-process.ts';

// A server that accepts connections and never answers (a hung host, a half-open firewall): no
// command may hang on it. A stop signal ends a command at once, and without one the connect
// timeout does, each with one line.

let server: net.Server;
let url: string;
let accepted = 0;
const sockets = new Set<net.Socket>();
const acceptWaiters: (() => void)[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    acceptWaiters.splice(0).forEach((wake) => wake());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  url = `postgres://postgres:secret@127.0.0.1:${port}/app`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Resolves at the next connection the server accepts after this call. */
function nextConnection(): Promise<void> {
  return new Promise((resolve) => acceptWaiters.push(resolve));
}

describe('a server that accepts connections and never answers', () => {
  for (const command of [['sweep'], ['worker']]) {
    it(`integritet ${command[0]} stops at once on SIGTERM while it waits to connect`, async () => {
      const connected = nextConnection();
      // A long timeout: only the signal can end it in time.
      const cli = startCli(command, url, { PGCONNECT_TIMEOUT: '120' });
      await connected;
      const signalled = Date.now();
      cli.child.kill('SIGTERM');
      const run = await cli.exited;
      expect(Date.now() - signalled).toBeLessThan(5_000);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(stackFrames(run.stderr)).toEqual([]);
      expect(run.stderr.trim().split('\n')).toEqual([
        'integritet: stopped (SIGTERM) while connecting to the database: nothing was done [STOPPED]',
      ]);
    });
  }

  for (const command of [['sweep'], ['migrate', 'up'], ['verify'], ['status']]) {
    it(`integritet ${command.join(' ')} gives up after the connect timeout with one line`, async () => {
      const before = accepted;
      const cli = startCli(command, url, { PGCONNECT_TIMEOUT: '2' });
      const run = await cli.exited;
      expect(accepted).toBeGreaterThan(before);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(stackFrames(run.stderr)).toEqual([]);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^integritet: .*(connect timeout|timeout)/);
    });
  }
});
