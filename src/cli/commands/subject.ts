import { Argument, Command, Option } from 'commander';
import { exportSubject } from '../../kysely/api/export-subject.ts';
import { eraseSubject } from '../../kysely/api/erase-subject.ts';
import { restrictSubject, unrestrictSubject } from '../../kysely/api/restrict-subject.ts';
import { listSubjectRequests, processSubjectRequest, receiveSubjectRequest } from '../../kysely/api/subject-requests.ts';
import { policyFromOptions, printJson, withDatabase, withPolicyOption, writeOutput } from '../command-support.ts';
import { withPurposes } from '../../policy/export-purposes.ts';
import { readSubjectGraph } from '../../subjects/subject-graph.ts';
import { erasureLines, type ErasureLine, type RestrictionLine, type SubjectExport, type SubjectRequestKind } from '../../subjects/subject-reports.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/**
 * `integritet subject`: data subjects' rights — the subject graph, export (Art. 15, 20), erasure
 * (Art. 17), restriction (Art. 18) and the requests with their deadline (Art. 12(3)).
 */
export function subjectCommand(): Command {
  return new Command('subject')
    .description("data subjects' rights: graph, export, erase, restrict, requests")
    .addHelpText('after', `
Connect as a member of privacy_admin (--database-url or DATABASE_URL). Every command but graph
and requests writes to the ledger: counts, reasons and dates, never a value.

Examples:
  $ integritet subject graph
  $ integritet subject export customer 42 --policy integritet.config.ts --out customer-42.json
  $ integritet subject erase customer 42 --reason "Art. 17 request of 2026-03-02, ticket 4711"
  $ integritet subject restrict customer 42 --reason "Art. 18(1)(a): accuracy contested"
  $ integritet subject receive erasure customer 42
  $ integritet subject requests --overdue`)
    .addCommand(graphCommand())
    .addCommand(exportCommand())
    .addCommand(eraseCommand())
    .addCommand(restrictCommand())
    .addCommand(receiveCommand())
    .addCommand(processCommand())
    .addCommand(requestsCommand());
}

function graphCommand(): Command {
  return withDatabaseUrl(new Command('graph'))
    .description('which tables each subject type reaches, by column and through foreign keys, checked against the real keys')
    .option('--type <subject-type>', 'only this subject type')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Each link shows the foreign key that backs it; findings name links no key backs, keys that are
gone, and tables that reference a linked table without being linked themselves. Exit code 1
when there is a finding.

Examples:
  $ integritet subject graph
  $ integritet subject graph --type customer --json`)
    .action(async (options: { type?: string; json?: boolean; databaseUrl?: string }) => {
      const lines = await withDatabase(databaseUrl(options), (db) => readSubjectGraph(db, { subjectType: options.type }));
      if (options.json) {
        printJson(lines);
      } else if (lines.length === 0) {
        console.log('no subject types declared: see privacy.declare_subject_type()');
      } else {
        console.log(textTable(['subject', 'table', 'link', 'foreign key', 'depth', 'finding'],
          lines.map((l) => [l.subjectType, l.relation, l.link ?? '-', l.foreignKey ?? '-', l.depth === null ? '-' : String(l.depth),
                            l.finding ?? ''])));
      }
      if (lines.some((l) => l.finding !== null)) process.exitCode = 1;
    });
}

function exportCommand(): Command {
  const command = new Command('export')
    .description('everything stored about one subject, as JSON (GDPR Art. 15 access, Art. 20 portability)')
    .argument('<subject-type>', 'e.g. customer')
    .argument('<subject-id>', "the subject's key")
    .option('--out <file>', 'write the JSON to this file')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print the JSON on standard output');
  withPolicyOption(command, false);
  return withDatabaseUrl(command)
    .addHelpText('after', `
The document holds the subject's rows with their raw values (it is the answer to the subject),
each table's categories, retention and restricted rows, and the holds in force. Purposes and
legal bases come from the policy file when one is given (--policy, or the default file here).
Without --json or --out, prints a summary per table.

Examples:
  $ integritet subject export customer 42 --out customer-42.json
  $ integritet subject export customer 42 --json | jq '.tables[].table'`)
    .action(async (type: string, id: string, options: { out?: string; force?: boolean; json?: boolean; policy?: string; databaseUrl?: string }) => {
      const found = await policyFromOptions(options, false);
      const exported = await withDatabase(databaseUrl(options), (db) => exportSubject(db, { subjectType: type, subjectId: id }));
      const document = found ? withPurposes(exported, found.policy) : exported;
      if (options.out) {
        const where = await writeOutput(options.out, `${JSON.stringify(document, null, 2)}\n`, options.force ?? false);
        console.error(`Wrote ${where}: ${describeExport(document)}.`);
      } else if (options.json) {
        printJson(document);
      } else {
        console.log(textTable(['table', 'rows', 'restricted', 'categories', 'retention', 'purpose'],
          document.tables.map((t) => [t.table, String(t.row_count), String(t.restricted_rows), t.categories.join(', '),
                                      t.retention?.summary ?? '-', t.purpose ?? '-'])));
        const holds = document.holds.map((h) => `${h.reason} until ${h.until ?? `released (review ${h.review_on})`}`);
        console.log(`\n${describeExport(document)}${holds.length ? `; holds: ${holds.join(', ')}` : ''}. --json or --out for the document.`);
      }
    });
}

function describeExport(document: SubjectExport): string {
  const rows = document.tables.reduce((n, t) => n + t.row_count, 0);
  return `${rows} rows in ${document.tables.length} tables about ${document.subject_type} ${document.subject_id}`;
}

function eraseCommand(): Command {
  return withDatabaseUrl(new Command('erase'))
    .description('erase one subject (GDPR Art. 17): anonymize or delete its rows, restrict what the law keeps')
    .argument('<subject-type>', 'e.g. customer')
    .argument('<subject-id>', "the subject's key")
    .requiredOption('--reason <text>', 'why (the request and its date); recorded in the ledger, so no personal data')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', `
One transaction. Rows a statutory minimum or a legal hold keeps are restricted instead (masked
roles no longer see them) and erased once nothing keeps them. Running it again reports nothing
left to do. For rows anonymized, the report names the columns changed and each personal column
left as it was, with why (a constraint refused its anonymized value, no usable strategy, strategy
keep, a foreign key); rows with nothing to anonymize are reported unchanged.

Examples:
  $ integritet subject erase customer 42 --reason "Art. 17 request of 2026-03-02, ticket 4711"
  $ integritet subject erase contact 7 --reason "ticket 4712" --json`)
    .action(async (type: string, id: string, options: { reason: string; json?: boolean; databaseUrl?: string }) => {
      const lines = await withDatabase(databaseUrl(options), (db) => eraseSubject(db, { subjectType: type, subjectId: id, reason: options.reason }));
      if (options.json) printJson(lines);
      else console.log(describeErasure(lines));
    });
}

/**
 * An erasure report as a text table, or "nothing left to do". Lines of rows anonymized name the
 * columns changed; the personal columns left as they were follow, each with why.
 */
export function describeErasure(lines: ErasureLine[]): string {
  if (lines.length === 0) return 'nothing left to do: every row is erased or restricted already';
  const report = textTable(['table', 'outcome', 'rows', 'kept by', 'until', 'columns anonymized'],
    lines.map((l) => [l.relation, l.outcome, l.rows.toLocaleString('en'), l.keptBy ?? '',
                      l.outcome === 'restricted' ? (l.until ?? 'open-ended') : '', l.changed?.join(', ') ?? '']));
  const left = lines.flatMap((l) => (l.unchanged ?? []).map((c) => [`${l.relation}.${c.column}`, l.outcome, c.why]));
  if (left.length === 0) return report;
  return `${report}\n\ncolumns left as they were in those rows:\n${textTable(['column', 'in rows', 'why'], left)}`;
}

function restrictCommand(): Command {
  const command = withDatabaseUrl(new Command('restrict'));
  return command
    .description('restrict one subject (GDPR Art. 18): its rows are kept but masked roles no longer see them')
    .argument('<subject-type>', 'e.g. customer')
    .argument('<subject-id>', "the subject's key")
    .option('--reason <text>', 'why (recorded in the ledger, so no personal data); required unless --lift')
    .option('--lift', 'lift the restriction instead (rows an erasure keeps back stay restricted)')
    .option('--json', 'print JSON')
    .addHelpText('after', `
A restriction covers the rows there are now; run it again to add rows written since.

Examples:
  $ integritet subject restrict customer 42 --reason "Art. 18(1)(a): accuracy contested, ticket 4713"
  $ integritet subject restrict customer 42 --lift`)
    .action(async (type: string, id: string, options: { reason?: string; lift?: boolean; json?: boolean; databaseUrl?: string }) => {
      if (!options.lift && !options.reason) command.error("error: required option '--reason <text>' not specified (or --lift)", { exitCode: 2 });
      const lines = await withDatabase(databaseUrl(options), (db) => options.lift
        ? unrestrictSubject(db, { subjectType: type, subjectId: id })
        : restrictSubject(db, { subjectType: type, subjectId: id, reason: options.reason! }));
      if (options.json) printJson(lines);
      else console.log(describeRestriction(lines, options.lift ?? false));
    });
}

function describeRestriction(lines: RestrictionLine[], lifted: boolean): string {
  if (lines.length === 0) return lifted ? 'nothing was restricted' : 'nothing new to restrict';
  return textTable(['table', lifted ? 'rows lifted' : 'rows restricted'], lines.map((l) => [l.relation, l.rows.toLocaleString('en')]));
}

const KINDS: SubjectRequestKind[] = ['access', 'portability', 'erasure', 'restriction'];

function receiveCommand(): Command {
  return withDatabaseUrl(new Command('receive'))
    .description('record a request of a subject, with its one-month deadline (GDPR Art. 12(3))')
    .addArgument(new Argument('<kind>', KINDS.join(', ')).choices(KINDS))
    .argument('<subject-type>', 'e.g. customer')
    .argument('<subject-id>', "the subject's key")
    .option('--received <day>', 'the day it was received, YYYY-MM-DD (default today)')
    .option('--note <text>', 'a note kept with the request (never in the ledger)')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Erasure requests are processed by \`integritet worker\` (pg-boss) within minutes; process any
request now with \`integritet subject process <id>\`.

Examples:
  $ integritet subject receive erasure customer 42 --received 2026-03-02
  $ integritet subject receive access contact 7 --note "by letter"`)
    .action(async (kind: SubjectRequestKind, type: string, id: string, options: { received?: string; note?: string; json?: boolean; databaseUrl?: string }) => {
      const requestId = await withDatabase(databaseUrl(options), (db) =>
        receiveSubjectRequest(db, { kind, subjectType: type, subjectId: id, receivedOn: options.received, note: options.note }));
      if (options.json) printJson({ id: requestId });
      else console.log(`request ${requestId} recorded`);
    });
}

function processCommand(): Command {
  return withDatabaseUrl(new Command('process'))
    .description('process a recorded request now: erasure, restriction, or the export for access and portability')
    .argument('<request-id>', 'the id `subject receive` printed')
    .option('--out <file>', 'for access and portability: write the export to this file')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ integritet subject process 17
  $ integritet subject process 18 --out answer-18.json`)
    .action(async (requestId: string, options: { out?: string; force?: boolean; json?: boolean; databaseUrl?: string }) => {
      const outcome = await withDatabase(databaseUrl(options), (db) => processSubjectRequest(db, { requestId }));
      if (options.out && outcome.export) {
        await writeOutput(options.out, `${JSON.stringify(outcome.export, null, 2)}\n`, options.force ?? false);
      }
      if (options.json) {
        printJson(options.out ? { ...outcome, export: undefined } : outcome);
      } else {
        const done = outcome.nothing_to_do ? ' before: nothing to do now' : '';
        console.log(`request ${outcome.request} (${outcome.kind}): ${outcome.status}${done}` +
                    (outcome.sqlstate ? ` (SQLSTATE ${outcome.sqlstate})` : ''));
        // An erasure's report, as `subject erase` prints it.
        const report = outcome.outcome?.report;
        if (outcome.kind === 'erasure' && Array.isArray(report) && !outcome.nothing_to_do) {
          console.log(describeErasure(erasureLines(report as Parameters<typeof erasureLines>[0])));
        }
        if (outcome.export && !options.out) console.log('pass --out <file> (or --json) for the export');
      }
      if (outcome.status === 'failed') process.exitCode = 1;
    });
}

function requestsCommand(): Command {
  return withDatabaseUrl(new Command('requests'))
    .description('requests of subjects and their deadlines: open ones by default')
    .addOption(new Option('--overdue', 'only open requests past their deadline').conflicts('all'))
    .option('--all', 'done and refused ones too')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Exit code 1 with --overdue when there are overdue requests (for monitoring). In SQL:
select * from privacy.overdue_subject_request.

Examples:
  $ integritet subject requests
  $ integritet subject requests --overdue --json`)
    .action(async (options: { overdue?: boolean; all?: boolean; json?: boolean; databaseUrl?: string }) => {
      const which = options.overdue ? 'overdue' : options.all ? 'all' : 'open';
      const requests = await withDatabase(databaseUrl(options), (db) => listSubjectRequests(db, { which }));
      if (options.json) {
        printJson(requests);
      } else if (requests.length === 0) {
        console.log(which === 'overdue' ? 'no overdue requests' : 'no requests');
      } else {
        console.log(textTable(['id', 'kind', 'subject', 'received', 'deadline', 'status', 'overdue'],
          requests.map((r) => [r.id, r.kind, `${r.subjectType} ${r.subjectId}`, r.receivedOn, r.deadline, r.status,
                               r.daysOverdue !== null && r.daysOverdue > 0 ? `${r.daysOverdue} days` : ''])));
      }
      if (options.overdue && requests.length > 0) process.exitCode = 1;
    });
}
