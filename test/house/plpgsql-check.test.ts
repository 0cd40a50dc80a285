import { describe, expect, it } from 'vitest';
import { findingLine, plpgsqlCheckAvailable, plpgsqlReport } from '../../scripts/plpgsql-findings.ts';
import { useTestDatabase } from '../support/test-database.ts';

// plpgsql_check reads every PL/pgSQL body of the privacy schema the way the server would run it
// and reports what only shows at run time otherwise: a misspelt column, a value silently cast to
// another type, a variable never used. Any error or warning fails; "extra" warnings and
// performance hints are printed as notes. The extension is created in this file's own database.
// PostgreSQL servers without the extension (the embedded PostgreSQL 18) skip with the reason;
// .ci/run installs it for the local PostgreSQL 15.
describe('plpgsql_check over the privacy schema', () => {
  const db = useTestDatabase('base');

  it('finds no error and no warning in any PL/pgSQL function', async (context) => {
    if (!(await plpgsqlCheckAvailable(db.url))) {
      console.warn('plpgsql-check.test: skipped, this server has no plpgsql_check extension (Debian: postgresql-15-plpgsql-check)');
      context.skip();
    }
    const report = await plpgsqlReport(db.url);
    expect(report.functions).toBeGreaterThan(100);
    const notes = report.findings.filter((finding) => !finding.fails);
    if (notes.length > 0) console.log(notes.map(findingLine).join('\n'));
    expect(report.findings.filter((finding) => finding.fails).map(findingLine)).toEqual([]);
  });
});
