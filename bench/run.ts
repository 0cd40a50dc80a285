// `npm run bench`: every benchmark once, one after the other, then a Markdown table of all
// results (bench/results/summary.md), each figure with the PostgreSQL version and machine it
// ran on. DATABASE_URL selects the server for all of them (default: see each benchmark).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './bench-result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = ['masked-reads.ts', 'masked-reads-instructions.ts', 'tenant-path-instructions.ts', 'mask-cost.ts', 'mask-languages.ts', 'write-path.ts', 'sweep.ts', 'sweep-referenced.ts', 'workers.ts', 'maintenance-latency.ts', 'subject-rights.ts', 'location-masking.ts', 'copy.ts'];
const only = process.argv.slice(2);

const failed: string[] = [];
for (const script of BENCHMARKS.filter((b) => only.length === 0 || only.some((o) => b.startsWith(o)))) {
  console.log(`\n== ${script}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  console.log(`== ${script}: ${run.status === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (run.status !== 0) failed.push(script);
}

const results = readdirSync(join(here, 'results'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(here, 'results', f), 'utf8')) as BenchResult)
  .sort((a, b) => a.name.localeCompare(b.name));
const lines = ['| benchmark | figure | value | target | PostgreSQL | machine | date |', '|---|---|---|---|---|---|---|'];
for (const r of results) {
  for (const f of r.figures) {
    lines.push(`| ${r.name} | ${f.metric}${f.note ? ` (${f.note})` : ''} | ${f.value} ${f.unit} | ${f.target ?? ''} | ` +
      `${r.postgres.replace(/ \(.*\)$/, '')} | ${r.machine} | ${r.date.slice(0, 10)} |`);
  }
}
const summary = join(here, 'results', 'summary.md');
writeFileSync(summary, `${lines.join('\n')}\n`);
console.log(`\n${lines.join('\n')}\n\nwritten to ${summary}`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
