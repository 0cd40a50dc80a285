import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedSchemaText } from '../support/installed-schema-text.ts';
import { useTestDatabase } from '../support/test-database.ts';

// Every change to what the toolkit installs (a column, a grant, a function's body or settings, a
// comment) shows in review as a change of test/house/installed-schema.txt, committed beside it.
const SNAPSHOT = join(import.meta.dirname, 'installed-schema.txt');
const REFRESH = 'INTEGRITET_UPDATE_SNAPSHOT=1 npx vitest run test/house/installed-schema.test.ts';

describe('the installed schema', () => {
  const db = useTestDatabase('base');

  it('is the committed snapshot, test/house/installed-schema.txt', async () => {
    const current = await installedSchemaText(db.url);
    if (process.env['INTEGRITET_UPDATE_SNAPSHOT'] === '1') writeFileSync(SNAPSHOT, current);
    const committed = existsSync(SNAPSHOT) ? readFileSync(SNAPSHOT, 'utf8') : '';
    expect(current, `the installed schema changed; if that is intended, refresh the snapshot with: ${REFRESH}`).toBe(committed);
  });

  const changed = useTestDatabase('base');

  it('shows a change of a function: its settings, grants and comment', async () => {
    const before = (await installedSchemaText(changed.url)).split('\n');
    const { rows } = await changed.pool().query<{ fn: string }>(`
      select p.oid::regprocedure::text as fn from pg_proc p
      where p.pronamespace = 'privacy'::regnamespace and p.prokind = 'f' order by 1 limit 1`);
    const fn = rows[0]!.fn;
    await changed.pool().query(`comment on function ${fn} is 'changed'`);
    await changed.pool().query(`grant execute on function ${fn} to public`);
    await changed.pool().query(`alter function ${fn} set work_mem = '64kB'`);
    const after = (await installedSchemaText(changed.url)).split('\n');
    const added = after.filter((line) => !before.includes(line));
    expect(added).toHaveLength(1);
    expect(added[0]).toContain(`function ${fn} `);
    expect(added[0]).toContain('work_mem=64kB');
    expect(added[0]).toContain('comment=changed');
    expect(added[0]).toMatch(/[{,]=X\/<owner>/);
  });
});
