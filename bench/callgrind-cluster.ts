// A throwaway PostgreSQL cluster whose statements are counted in CPU instructions: started to
// load data through a connection, then stopped and run as single-user backends under valgrind's
// callgrind, one per count (the same way as bench/masked-reads-instructions.ts, which keeps its
// own copy). Needs valgrind and the server binaries (`pg_config --bindir`, or PG_BINDIR); as root,
// the cluster runs as the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** What a benchmark does with the cluster: load through `url` while it runs, count after. */
export interface CallgrindCluster {
  /** Connection string of database `bench`, while the server runs. */
  readonly url: string;
  /** Stops the server: from then on, only `instructions`. */
  stop(): void;
  /** Instructions of one single-user backend running `lines` (one statement a line) in database bench. */
  instructions(label: string, lines: string[]): number;
  /** The functions of the count made under `label`, by their own instructions (callgrind_annotate), most first. */
  selfCost(label: string, top: number): { fn: string; instructions: number }[];
  /** The cluster's temporary directory, readable by the server (removed with the cluster). */
  readonly dir: string;
}

function which(command: string, args: string[]): string | undefined {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The reason counting is impossible here (no valgrind, no server binaries), or undefined. */
export function callgrindUnavailable(): string | undefined {
  const valgrind = which('valgrind', ['--version']);
  const bindir = process.env.PG_BINDIR ?? which('pg_config', ['--bindir']);
  return valgrind && bindir ? undefined
    : `needs valgrind (${valgrind ?? 'not found'}) and PostgreSQL's server binaries (${bindir ?? 'pg_config not found'})`;
}

/** Makes a cluster with an empty database `bench`, runs `work`, and removes the cluster whatever happens. */
export async function withCallgrindCluster<T>(work: (cluster: CallgrindCluster) => Promise<T>): Promise<T> {
  const bindir = process.env.PG_BINDIR ?? which('pg_config', ['--bindir'])!;
  const asRoot = userInfo().uid === 0;
  // Output is kept back unless a command fails (the error then carries it).
  const run = (command: string, args: string[], input?: string): string =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { input, encoding: 'utf8', stdio: 'pipe' })
           : execFileSync(command, args, { input, encoding: 'utf8', stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'integritet-callgrind-'));
  if (asRoot) {
    const postgres = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, postgres, postgres);
  }
  const data = join(dir, 'data');
  const port = 20000 + Math.floor(Math.random() * 20000);
  let started = false;
  try {
    run(join(bindir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    run(join(bindir, 'pg_ctl'), ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=''`, '-l', join(dir, 'log'), '-w', 'start']);
    started = true;
    run(join(bindir, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', 'create database bench']);
    return await work({
      url: `postgres://postgres@localhost/bench?host=${encodeURIComponent(dir)}&port=${port}`,
      stop() {
        run(join(bindir, 'pg_ctl'), ['-D', data, '-w', 'stop']);
        started = false;
      },
      instructions(label, lines) {
        const out = join(dir, `callgrind.${label}`);
        // Single-user mode ends a statement at a newline.
        const script = `${lines.map((l) => l.replace(/\s+/g, ' ')).join('\n')}\n`;
        run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, join(bindir, 'postgres'), '--single', '-D', data, 'bench'], script);
        const summary = /^summary: (\d+)$/m.exec(readFileSync(out, 'utf8'));
        if (!summary) throw new Error(`no instruction count in ${out}`);
        return Number(summary[1]);
      },
      selfCost(label, top) {
        const annotated = execFileSync('callgrind_annotate', ['--threshold=100', join(dir, `callgrind.${label}`)],
                                       { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const lines = annotated.split('\n').map((l) => /^\s*([\d,]+) \([\s\d.]+%\)\s+(\S+)/.exec(l)).filter((m) => m !== null);
        // The first line is the program's total; the rest are functions by their own cost.
        return lines.slice(1, top + 1).map((m) => ({ fn: m[2]!.replace(/^.*:/, ''), instructions: Number(m[1]!.replace(/,/g, '')) }));
      },
      dir,
    });
  } finally {
    if (started) {
      try {
        run(join(bindir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // The directory goes anyway; a server left running would show in its log.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
