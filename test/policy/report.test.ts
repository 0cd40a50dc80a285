import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIntegritet } from '../../src/kysely/integritet.ts';
import { applyPolicy } from '../../src/policy/apply-policy.ts';
import { loadPolicy } from '../../src/policy/load-policy.ts';
import type { Policy } from '../../src/policy/policy-types.ts';
import { buildProcessingRecord, type ProcessingRecord } from '../../src/policy/report/processing-record.ts';
import { renderReportHtml, renderReportMarkdown } from '../../src/policy/report/render-report.ts';
import { useTestDatabase } from '../support/test-database.ts';
import { changed, kyselyFor } from './policy-fixtures.ts';

const db = useTestDatabase('tracking');
const EXAMPLE = new URL('../../examples/tracking/integritet.config.ts', import.meta.url).pathname;

describe('the record of processing activities (Art. 30)', () => {
  let policy: Policy;
  let record: ProcessingRecord;
  let holdNote: string;
  let heldCustomer: string;

  beforeAll(async () => {
    policy = await loadPolicy(EXAMPLE);
    const owner = kyselyFor(db.url);
    await applyPolicy(owner, policy);
    const { rows } = await sql<{ id: string; org_number: string }>`select id::text, org_number from customer order by id limit 1`.execute(owner);
    heldCustomer = rows[0]!.org_number;
    holdNote = `Dispute with ${heldCustomer} over invoice 17`;
    await createIntegritet(owner).placeHold({ subjectType: 'customer', subjectId: rows[0]!.id, reason: 'legal_claim', reviewOn: '2030-01-31', note: holdNote });
    await sql`select privacy.set_write_rule('vehicle', 'notes', 'scrub_text')`.execute(owner);
    record = await buildProcessingRecord(owner, { policy, now: new Date('2026-06-30T12:00:00Z') });
  });

  it('lists write minimisation among the security measures, and puts the table of contents first', () => {
    const vehicle = record.tables.find((t) => t.table === 'public.vehicle')!;
    expect(vehicle.measures).toContain('Minimised on write, before it is stored: notes (scrub_text).');
    const html = renderReportHtml(record);
    expect(html.indexOf('<nav>')).toBeGreaterThan(-1);
    expect(html.indexOf('<nav>')).toBeLessThan(html.indexOf('<h2>Holds in force</h2>'));
  });

  it('has every table with its purpose, legal bases, categories, subjects, retention and measures', () => {
    expect(record.tables.map((t) => t.table).sort()).toHaveLength(9);
    const invoice = record.tables.find((t) => t.table === 'public.invoice')!;
    expect(invoice.purpose).toBe(policy.tables.invoice!.purpose);
    expect(invoice.legalBases).toEqual(['contract', 'legal_obligation']);
    expect(invoice.categories.map((c) => c.name)).toEqual(['financial', 'identifier', 'contact']);
    expect(invoice.subjects).toEqual([{ type: 'customer', description: expect.any(String), columns: ['customer_id'] }]);
    expect(invoice.retention).toMatch(/Anonymized 1 year after issued_on, but not before the statutory minimum "bookkeeping" \(Bokföringslagen/);
    expect(invoice.retention).toMatch(/applies only to rows with status in \(paid, written_off\)/);
    expect(invoice.measures.join(' ')).toMatch(/masked view: 4 columns masked, 1 hidden.*Row-level security isolates tenants by customer_id/);
    const user = record.tables.find((t) => t.table === 'public.admin_user')!;
    expect(user.measures.join(' ')).toMatch(/Pseudonymised|masked view/);
  });

  it('counts coverage and holds, never naming who is held', () => {
    expect(record.coverage.columnsClassified).toEqual({ part: 90, whole: 90 });
    expect(record.coverage.tablesProtected).toEqual({ part: 9, whole: 9 });
    expect(record.coverage.tablesWithRetention).toEqual({ part: 9, whole: 9 });
    expect(record.holds).toEqual({ total: 1, groups: [{ subjectType: 'customer', reason: 'legal_claim', count: 1 }] });
    for (const text of [JSON.stringify(record), renderReportMarkdown(record), renderReportHtml(record)]) {
      expect(text).not.toContain(holdNote);
      expect(text).not.toContain(heldCustomer);
    }
  });

  it('as Markdown', () => {
    const md = renderReportMarkdown(record);
    expect(md).toMatch(/^# Record of processing activities \(GDPR Art. 30\)/);
    expect(md).toContain('**Controller:** Exempel Fordonsspårning AB');
    expect(md).toContain('| Columns classified | 100 % | 90/90 |');
    expect(md).toContain('1 hold in force');
    expect(md).toContain('- 1 × legal claim on a customer');
    expect(md).toContain('## public.position');
    expect(md).toContain('- **Legal basis:** Contract (Art. 6(1)(b)); Legal obligation (Art. 6(1)(c))');
  });

  it('as one self-contained HTML page with an inline SVG chart, escaping what it shows', async () => {
    const owner = kyselyFor(db.url);
    const hostile = changed(policy, (p) => { p.tables.trip.purpose = '<script>alert(1)</script> & more'; });
    const html = renderReportHtml(await buildProcessingRecord(owner, { policy: hostile }));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/<(link|img|script|iframe)\b|\bsrc=|href="http/i); // nothing fetched
  });

  it('without a policy file: purposes and legal bases are marked as not stated', async () => {
    const bare = await buildProcessingRecord(kyselyFor(db.url));
    expect(bare.controller).toBeNull();
    expect(renderReportMarkdown(bare)).toContain('- **Purpose:** not stated (add it to the policy file)');
  });
});
