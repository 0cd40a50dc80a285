// The attack surface of the subject functions: each SECURITY DEFINER one says why it needs the
// owner's rights, pins its search_path and is closed to PUBLIC (guarantee 8 of DESIGN.md),
// checked on the files themselves and on the installed functions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');
const folder = join(packageRoot(), 'sql');
const files = readdirSync(folder).filter((f) => /^4\d\d-.*\.sql$/.test(f));

/** Each `create or replace function` of a file with the comment block above it and its header. */
function functions(file: string): { name: string; comment: string; header: string }[] {
  const text = readFileSync(join(folder, file), 'utf8');
  const found: { name: string; comment: string; header: string }[] = [];
  const pattern = /create or replace function (privacy\.\w+)\(/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const before = text.slice(0, match.index).split('\n');
    before.pop();
    const comment: string[] = [];
    while (before.length > 0 && before.at(-1)!.startsWith('--')) comment.unshift(before.pop()!);
    found.push({ name: match[1]!, comment: comment.join('\n'), header: text.slice(match.index, text.indexOf('$$', match.index)) });
  }
  return found;
}

describe('the subject functions (sql/4xx)', () => {
  it('are there', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.flatMap(functions).length).toBeGreaterThan(20);
  });

  it.each(files)('%s: every function says why it runs as definer or invoker, and pins search_path = pg_catalog, pg_temp', (file) => {
    for (const f of functions(file)) {
      const definer = /security definer/.test(f.header);
      expect(f.comment, f.name).toMatch(definer ? /-- Why definer: / : /-- Why invoker: /);
      expect(f.header, f.name).toMatch(/\nset search_path = pg_catalog, pg_temp\n/);
    }
  });

  it('none of the installed ones is executable by PUBLIC, and only the intended ones by the sweeper', async () => {
    const names = [...new Set(files.flatMap(functions).map((f) => f.name.replace('privacy.', '')))];
    const { rows } = await db.pool().query<{ name: string; public: boolean; sweeper: boolean; masked: boolean }>(`
      select p.proname as name, bool_or(has_function_privilege('public', p.oid, 'execute')) as public,
             bool_or(has_function_privilege('privacy_sweeper', p.oid, 'execute')) as sweeper,
             bool_or(has_function_privilege('privacy_masked', p.oid, 'execute')) as masked
      from pg_proc p where p.pronamespace = 'privacy'::regnamespace and p.proname = any ($1) group by p.proname`, [names]);
    expect(rows.length).toBe(names.length);
    expect(rows.filter((r) => r.public || r.masked).map((r) => r.name)).toEqual([]);
    expect(rows.filter((r) => r.sweeper).map((r) => r.name).sort()).toEqual(['erase_due', 'pending_erasure_requests', 'process_subject_request']);
  });
});
