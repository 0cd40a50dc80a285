import { cpus, freemem, totalmem, type } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** One measured figure, with the target it is held to where there is one. */
export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** e.g. "<= 1.10" */
  target?: string;
  note?: string;
}

/** What a benchmark writes to bench/results/<name>.json. */
export interface BenchResult {
  name: string;
  date: string;
  postgres: string;
  machine: string;
  figures: Figure[];
}

/** The machine, in one line: CPU model, cores, memory. */
export function machineDescription(): string {
  const cpu = cpus();
  return `${type()} ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB (${Math.round(freemem() / 2 ** 30)} free)`;
}

/** Writes the result file and returns its path. */
export function writeBenchResult(result: BenchResult): string {
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Median of the timings of `runs` calls of `work`, in milliseconds, after one warm-up call. */
export async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
