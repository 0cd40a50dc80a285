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

/** The middle value (the upper of the two middle ones for an even count). */
export function median(values: number[]): number {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
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
  return median(times);
}

/** Timings of two workloads run in alternation, and the median of their ratios pair by pair. */
export interface PairedTimings {
  /** Median time of `a`, of `b`, in milliseconds. */
  aMs: number;
  bMs: number;
  /** Median over the pairs of a/b. */
  ratio: number;
}

/**
 * Runs `a` and `b` `pairs` times each, one right after the other, swapping which goes first every
 * pair, after one warm-up call of each. On a machine whose speed drifts (a shared virtual
 * machine), each ratio compares two runs made under the same conditions, and the median of the
 * ratios is steadier than the ratio of two medians taken minutes apart.
 */
export async function pairedMs(pairs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<PairedTimings> {
  const timed = async (work: () => Promise<unknown>) => {
    const start = performance.now();
    await work();
    return performance.now() - start;
  };
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = await timed(a);
      tb = await timed(b);
    } else {
      tb = await timed(b);
      ta = await timed(a);
    }
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  return { aMs: median(as), bMs: median(bs), ratio: median(ratios) };
}
