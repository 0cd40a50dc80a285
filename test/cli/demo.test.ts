import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/integritet.js', 'demo', '--scale', '0.05'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npx integritet demo', () => {
  it('runs with no DATABASE_URL and no Docker: embedded PostgreSQL, masked rows, the tenant boundary, a sweep, the report', async () => {
    const { DATABASE_URL: _unused, ...env } = process.env;
    const { code, output } = await runDemo({ ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(code, output).toBe(0);
    expect(output).toMatch(/PostgreSQL 1\d\.\d+ \(embedded\)/);
    expect(output).toContain('The same rows, raw and masked');
    expect(output).toMatch(/\*\*\*@\S+\.example/);                     // a masked e-mail
    expect(output).toMatch(/\(none set\)\s+0\s+0\s+0/);                // no tenant, no rows
    expect(output).toContain('permission denied for table position');
    expect(output).toMatch(/public\.invoice\s+\w+\s+[\d,]+\s+minimum:bookkeeping/);
    expect(output).toMatch(/written to \S+\.html/);
    expect(output).toMatch(/Done in \d+\.\d s\./);
  }, 120_000);
});
