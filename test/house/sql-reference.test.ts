import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';
import { REFRESH_COMMAND, sqlReferencePage } from '../../scripts/sql-reference-page.ts';
import { useTestDatabase } from '../support/test-database.ts';

// docs/sql-reference.md is generated from the COMMENT ON texts; a change to a function, table or
// comment in sql/ that is not regenerated into it would leave the page describing another schema.
describe('the SQL reference page', () => {
  const db = useTestDatabase('base');

  it('is what the installed privacy schema says of itself', async () => {
    const committed = readFileSync(join(packageRoot(), 'docs/sql-reference.md'), 'utf8');
    const current = await sqlReferencePage(db.url);
    expect(current, `docs/sql-reference.md is not current; refresh it with: ${REFRESH_COMMAND}`).toBe(committed);
  });

  it('lists every function of the privacy schema with its signature and comment', async () => {
    const page = await sqlReferencePage(db.url);
    const { rows } = await db.pool().query<{ signature: string; comment: string | null }>(`
      select format('privacy.%s(%s)', p.proname, pg_get_function_arguments(p.oid)) as signature,
             obj_description(p.oid, 'pg_proc') as comment
      from pg_proc p where p.pronamespace = 'privacy'::regnamespace`);
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(page).toContain(`\`${row.signature}\``);
      if (row.comment) expect(page).toContain(row.comment.trim());
    }
  });
});
