import { spawn, type ChildProcess } from 'node:child_process';

/** A CLI command running in a child process, its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once a line of stdout or stderr matches `pattern` (rejects after `timeoutMs`). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Its exit: code (or null when a signal ended it), output, and how long it ran after `since`. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `integritet <args>` (bin/integritet.js) with `DATABASE_URL=url`. */
export function startCli(args: string[], url: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ['bin/integritet.js', ...args], {
    env: { ...process.env, DATABASE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const line = `${out}\n${err}`.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine: (pattern, timeoutMs = 60_000) => new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      } });
      check();
      void exited.then(() => {
        if (waiters.some((w) => w.pattern === pattern)) {
          clearTimeout(timer);
          reject(new Error(`exited without a line matching ${pattern}:\n${out}\n${err}`));
        }
      });
    }),
  };
}

/** A stack trace's frame lines (`    at …`): a clean failure prints none. */
export function stackFrames(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at\s/.test(line));
}
