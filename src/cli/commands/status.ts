import { Command } from 'commander';
import { printJson } from '../command-support.ts';
import { readDatabaseStatus, type DatabaseStatus } from '../../status/database-status.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/**
 * `integritet status`: the privacy state of the database on one screen; exits 1 when something
 * needs someone now (an overdue subject request, a high-severity verify finding, a failed or
 * stalled sweep), for monitoring.
 */
export function statusCommand(): Command {
  return withDatabaseUrl(new Command('status'))
    .description('the privacy state of the database: migrations, protection, verify findings, sweeps, holds, overdue requests')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Counts, the latest sweep of each table with a retention policy, and the overdue subject requests
listed. Only reads; connect as a member of privacy_admin. In SQL: select * from privacy.status(); select * from privacy.retention_status();
For details: integritet verify, integritet lint, integritet sweep --dry-run (rows due now),
integritet subject requests.

Exit codes: 0 nothing needs attention; 1 a subject request is past its deadline (GDPR Art. 12(3)),
verify has a finding of high severity, a table's latest sweep failed (its error and what to do are
listed) or a sweep has made no progress for an hour, the toolkit is not installed, an object of the
toolkit is missing or changed (\`integritet migrate up\` repairs it), or an error; 2 bad usage.

Examples:
  $ integritet status
  $ integritet status --json | jq '.overdueRequests[] | {id, deadline, daysOverdue}'`)
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const status = await readDatabaseStatus(databaseUrl(options));
      if (options.json) printJson(status);
      else console.log(describeStatus(status));
      // EXIT.failed of main.ts (not imported: importing main.ts would run the program).
      if (!status.installed || status.alerts.length > 0 || status.damaged.length > 0) process.exitCode = 1;
    });
}

const words = (item: string): string => item.replaceAll('_', ' ');
const minute = (at: Date | null): string => at?.toISOString().slice(0, 16).replace('T', ' ') ?? '-';

/** The status as text: a line per area, the sweeps per table, the overdue requests, what needs attention. */
export function describeStatus(status: DatabaseStatus): string {
  const toolkit = `integritet ${status.version}`;
  if (!status.installed) return `${toolkit}: not installed in this database; run \`integritet migrate up\``;
  const migrations = status.toApply.length === 0 ? 'up to date'
    : `${status.toApply.length} migrations or definitions to apply: run \`integritet migrate up\``;
  const sections = [`${toolkit}, database at ${status.schemaVersion}: ${migrations}`];
  if (status.damaged.length > 0) {
    sections.push(`needs attention: objects of the toolkit missing or changed (\`integritet migrate up\` repairs them):\n${
      status.damaged.map((d) => `  ${d}`).join('\n')}`);
  }

  sections.push(textTable(['area', 'counts'], Object.entries(status.summary).map(([area, items]) => [area,
    Object.entries(items).map(([item, value]) =>
      `${words(item)} ${value.toLocaleString('en')}${status.alerts.includes(`${area}.${item}`) ? ' (!)' : ''}`).join(', ')])));

  sections.push(status.retention.length === 0 ? 'no table has a retention policy' : textTable(
    ['table', 'action', 'keep', 'last sweep (UTC)', 'state', 'rows', 'last done', 'queued'],
    status.retention.map((t) => [t.table, t.action, t.keep, minute(t.lastRun?.startedAt ?? null), t.lastRun?.state ?? 'never',
                                 t.lastRun?.rows.toLocaleString('en') ?? '-', minute(t.lastDoneAt), t.rowsQueued.toLocaleString('en')])));

  sections.push(status.overdueRequests.length === 0 ? 'no overdue requests' : `overdue requests\n${textTable(
    ['id', 'kind', 'subject', 'received', 'deadline', 'days overdue'],
    status.overdueRequests.map((r) => [r.id, r.kind, `${r.subjectType} ${r.subjectId}`, r.receivedOn, r.deadline, String(r.daysOverdue)]))}`);

  const flagged = Object.entries(status.summary).flatMap(([area, items]) => Object.entries(items)
    .filter(([item]) => status.alerts.includes(`${area}.${item}`)).map(([item, value]) => `${area} ${words(item)}: ${value}`));
  const failedSweeps = status.retention.filter((t) => t.lastRun?.state === 'failed').map((t) =>
    `  ${t.table}: ${t.lastRun?.error?.message ?? 'failed'}${t.lastRun?.error?.hint ? `\n    what to do: ${t.lastRun.error.hint}` : ''}`);
  sections.push(flagged.length === 0 ? 'nothing needs attention' : `needs attention: ${flagged.join(', ')}` +
    (failedSweeps.length ? `\nfailed sweeps (their expired personal data is still there):\n${failedSweeps.join('\n')}` : ''));
  const unprotected = status.summary.protection?.unprotected_personal_tables ?? 0;
  if (unprotected > 0) sections.push(`${unprotected} tables hold personal columns and are not protected: integritet verify names them`);
  const everyTenant = status.summary.protection?.read_by_every_tenant ?? 0;
  if (everyTenant > 0) {
    sections.push(`${everyTenant} protected tables declare no tenant: every tenant sees their rows (masked). `
      + 'integritet verify names them; declare a tenant column, a tenant path, or shared');
  }
  return sections.join('\n\n');
}
