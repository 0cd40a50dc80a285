import { sql, type Kysely } from 'kysely';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import type { SubjectExport } from '../../subjects/subject-reports.ts';
import type { Executor } from '../../client/call-privacy.ts';

/** Arguments of {@link exportSubject}. */
export interface ExportSubjectInput {
  subjectType: string;
  subjectId: string | number | bigint;
}

async function run(db: Executor, input: ExportSubjectInput): Promise<SubjectExport> {
  const { rows } = await sql<{ document: SubjectExport }>`
    select privacy.export_subject(${input.subjectType}::text, ${String(input.subjectId)}::text) as document`.execute(db);
  return rows[0]!.document;
}

/**
 * `privacy.export_subject`: everything stored about one subject (GDPR Art. 15, 20) — its rows
 * with raw values, each table's categories, retention and restricted rows, the holds in force.
 * Read in one snapshot (a repeatable-read transaction, or the caller's). Needs privacy_admin;
 * the ledger records the export with counts only.
 */
export async function exportSubject(db: Executor, input: ExportSubjectInput): Promise<SubjectExport> {
  const typed = db as Kysely<any>;
  try {
    if (typed.isTransaction) return await run(typed, input);
    return await typed.transaction().setIsolationLevel('repeatable read').execute((trx) => run(trx, input));
  } catch (error) {
    throw toPrivacyError(error);
  }
}
