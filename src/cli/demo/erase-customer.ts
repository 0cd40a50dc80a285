import { sql } from 'kysely';
import type pg from 'pg';
import { eraseSubject } from '../../kysely/api/erase-subject.ts';
import { openKysely } from '../../kysely/open-kysely.ts';
import type { ErasureLine } from '../../subjects/subject-reports.ts';
import { textTable } from '../../terminal/text-table.ts';
import type { DemoContext } from './demo-steps.ts';

/** The customer subject's tables in the reference schema, parents first, and the column naming the customer. */
const CUSTOMER_TABLES = [
  ['customer', 'id'], ['contact_person', 'customer_id'], ['admin_user', 'customer_id'], ['invoice', 'customer_id'],
  ['payment', 'customer_id'], ['vehicle', 'customer_id'], ['device', 'customer_id'], ['trip', 'customer_id'],
  ['position', 'customer_id'],
] as const;

type RowCounts = Record<string, number>;

interface Candidate {
  id: string;
  kind: string;
  contract_end: string | null;
}

/**
 * Erases one customer (GDPR Art. 17) whose invoices the bookkeeping minimum still keeps, as
 * `integritet subject erase` would: prints the erasure's report, what the application and the
 * owner read of the customer afterwards, and where the report was written.
 */
export async function eraseCustomer({ url, owner, print, keep }: DemoContext, app: pg.Client): Promise<void> {
  const customer = await pickCustomer(owner);
  const contract = customer.contract_end ? `contract ended ${customer.contract_end}` : 'contract running';
  print(`customer ${customer.id} (${customer.kind}, ${contract}) asks to be erased; the bookkeeping minimum still keeps some of its invoices`);
  const before = await countAsApplication(app, customer.id);

  const reason = 'Art. 17 request, demo ticket 1';
  const db = openKysely(url, { max: 1 });
  let lines: ErasureLine[];
  let ledgerId: string;
  try {
    // Read back in the erasure's transaction: nothing else writes to the demo's ledger meanwhile.
    // (privacy.erase_subject returns the report; the ledger entry's id is not part of it.)
    ({ lines, ledgerId } = await db.transaction().execute(async (trx) => {
      const lines = await eraseSubject(trx, { subjectType: 'customer', subjectId: customer.id, reason });
      const { rows } = await sql<{ id: string }>`
        select id::text as id from privacy.ledger where action = 'subject.erase' order by id desc limit 1`.execute(trx);
      return { lines, ledgerId: rows[0]!.id };
    }));
  } finally {
    await db.destroy();
  }
  print(`\nselect * from privacy.erase_subject('customer', '${customer.id}', '${reason}'):`);
  print(textTable(['table', 'outcome', 'rows', 'kept by', 'until', 'columns anonymized'], compactReport(lines)));
  const left = lines.flatMap((l) => (l.unchanged ?? []).map((c) => [`${l.relation}.${c.column}`, l.outcome, c.why]));
  if (left.length > 0) print(`columns left as they were in those rows:\n${textTable(['column', 'in rows', 'why'], left)}`);

  const after = await countAsApplication(app, customer.id);
  const raw = await countAsOwner(owner, customer.id);
  print(`\nrows of customer ${customer.id}, as the application (privacy_masked, tenant ${customer.id}) and the owner read them:`);
  print(textTable(['table', 'application before', 'application after', 'owner after (raw)'],
    CUSTOMER_TABLES.filter(([t]) => before[t]! + raw[t]! > 0)
      .map(([t]) => [t, before[t]!.toLocaleString('en'), after[t]!.toLocaleString('en'), raw[t]!.toLocaleString('en')])));
  const { rows: [kept] } = await owner.query(
    `select i.number, i.billing_name from public.invoice i where i.customer_id = $1 order by i.issued_on desc limit 1`, [customer.id]);
  if (kept) print(`the owner still reads the restricted invoices raw, e.g. ${kept.number}: billing_name "${kept.billing_name}"`);

  const { rows: [restricted] } = await owner.query(
    `select count(*)::int as n from privacy.restricted_row where subject_type = 'customer' and subject_id = $1`, [customer.id]);
  print(`\nreport written to privacy.ledger, entry ${ledgerId} (counts, reasons, days; no values);`);
  print(`the ${restricted.n} restricted rows each have their reason and last day (privacy.erase_due() erases them after it)`);
  if (keep) {
    print(`  select detail from privacy.ledger where id = ${ledgerId};`);
    print(`  select * from privacy.restricted_row where subject_type = 'customer' and subject_id = '${customer.id}';`);
  } else {
    print('  (the demo database is dropped at the end: run the demo with --keep to read them in psql)');
  }
}

/**
 * A customer with an invoice the bookkeeping minimum keeps today, as privacy.retention_of says:
 * a former customer first (the usual erasure request), a consumer (a person) before a company.
 */
async function pickCustomer(owner: pg.Client): Promise<Candidate> {
  const { rows } = await owner.query<Candidate>(`
    select c.id::text as id, c.kind, c.contract_end::text as contract_end
    from public.customer c
    cross join lateral (select i.id from public.invoice i where i.customer_id = c.id
                        order by i.fiscal_year_end desc, i.id desc limit 1) latest
    where exists (select from privacy.retention_of('public.invoice', latest.id::text) r
                  where r.source = 'minimum' and r.kept_until >= current_date)
    order by c.contract_end is null, c.kind <> 'consumer', c.id
    limit 1`);
  if (!rows[0]) throw new Error('no customer has an invoice the bookkeeping minimum keeps: nothing to show');
  return rows[0];
}

/** Row counts of each table as the application reads it: the masked views, under the customer's tenant. */
async function countAsApplication(app: pg.Client, customerId: string): Promise<RowCounts> {
  await app.query('begin');
  try {
    await app.query('select privacy.set_tenant($1)', [customerId]);
    const { rows } = await app.query(`select ${CUSTOMER_TABLES.map(([t]) => `(select count(*)::int from ${t}) as "${t}"`).join(', ')}`);
    return rows[0];
  } finally {
    await app.query('commit');
  }
}

/** Row counts of the customer's rows in each base table, as the owner reads them (raw, no row-level security). */
async function countAsOwner(owner: pg.Client, customerId: string): Promise<RowCounts> {
  const { rows } = await owner.query(
    `select ${CUSTOMER_TABLES.map(([t, c]) => `(select count(*)::int from public.${t} where ${c} = $1) as "${t}"`).join(', ')}`,
    [customerId]);
  return rows[0];
}

/**
 * The erasure report with one line per table, outcome, reason and columns anonymized: rows
 * restricted to different last days (one per fiscal year) are summed, their days shown as a range.
 */
function compactReport(lines: ErasureLine[]): string[][] {
  const groups = new Map<string, ErasureLine[]>();
  for (const line of lines) {
    const key = [line.relation, line.outcome, line.keptBy ?? '', line.changed?.join(', ') ?? ''].join('\t');
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  return [...groups.values()].map((group) => {
    const { relation, outcome, keptBy, changed } = group[0]!;
    const rows = group.reduce((n, l) => n + l.rows, 0);
    const days = group.map((l) => l.until).filter((d) => d !== null).sort();
    const until = outcome !== 'restricted' ? ''
      : group.some((l) => l.until === null) ? 'open-ended'
        : days.length > 1 && days[0] !== days.at(-1) ? `${days[0]} to ${days.at(-1)}` : days[0]!;
    return [relation, outcome, rows.toLocaleString('en'), keptBy ?? '', until, changed?.join(', ') ?? ''];
  });
}
