import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.ts';
import { dependencyProblems, sqlFiles } from '../../scripts/sql-dependencies.ts';

// Every file of sql/ names what it needs of the others (scripts/sql-dependencies.ts says how):
// a file that used an object of a file it does not name, or one applied after it where that is
// bound on apply, would work only by the accident of what else is installed.
describe('the dependency list of sql/', () => {
  const folder = join(packageRoot(), 'sql');

  it('every file names exactly the files it uses, earlier ones in "needs", later ones only from PL/pgSQL bodies', () => {
    const files = sqlFiles(folder);
    expect(files.length).toBeGreaterThan(60);
    expect(dependencyProblems(files)).toEqual([]);
  });

  // The check itself, on files written for it: each problem it exists to catch is caught.
  describe('catches', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'integritet-sql-deps-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const problemsOf = (files: Record<string, string>): string[] => {
      const dir = mkdtempSync(join(scratch, 'case-'));
      for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, `${name}.sql`), sql);
      return dependencyProblems(sqlFiles(dir));
    };
    const base = `-- integritet: a name.\n--\n-- needs: none\ncreate or replace function privacy.base_name() returns text language sql as $$ select 'a' $$;\n`;

    it('a use of another file that its header does not name', () => {
      expect(problemsOf({
        '010-base': base,
        '020-user': `-- integritet: uses it.\n--\n-- needs: none\ncreate or replace function privacy.user_name() returns text language sql as $$ select privacy.base_name() $$;\n`,
      })).toEqual(['020-user: uses privacy.base_name of 010-base without naming it in "-- needs:"']);
    });

    it('a use of a later file where it is bound on apply (a language sql body)', () => {
      expect(problemsOf({
        '005-early': `-- integritet: too early.\n--\n-- needs: none\n-- uses later: 010-base\ncreate or replace function privacy.early() returns text language sql as $$ select privacy.base_name() $$;\n`,
        '010-base': base,
      })).toEqual(['005-early: uses privacy.base_name of 010-base, applied after it, outside a PL/pgSQL body (bound as the file is applied)']);
    });

    it('a later file named in "needs", and a file named but not used', () => {
      expect(problemsOf({
        '005-early': `-- integritet: late-bound.\n--\n-- needs: 010-base\ncreate or replace function privacy.early() returns text language plpgsql as $$ begin return privacy.base_name(); end $$;\n`,
        '010-base': base,
        '020-idle': `-- integritet: idle.\n--\n-- needs: 010-base\nselect 1;\n`,
      })).toEqual([
        '005-early: needs 010-base, which is applied after it (a later file goes in "-- uses later:", for PL/pgSQL bodies only)',
        '005-early: uses privacy.base_name of 010-base without naming it in "-- uses later:"',
        '020-idle: needs 010-base but uses nothing it defines',
      ]);
    });

    it('a file without a header', () => {
      expect(problemsOf({ '010-base': base.replace('-- needs: none\n', '') }))
        .toEqual(['010-base: no "-- needs:" line in its leading comment block (write "-- needs: none" if it needs nothing)']);
    });
  });

  it('sql/README.md describes the header the test reads', () => {
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain('-- needs:');
  });
});
