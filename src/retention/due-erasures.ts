import type pg from 'pg';
import { AccessDeniedError, toPrivacyError } from '../errors/privacy-error.ts';

/** What `privacy.erase_due()` changed in one table, for one outcome, summed over the subjects it resumed. */
export interface DueErasureTable {
  /** `schema.table`, quoted as SQL would need it. */
  table: string;
  /** `deleted`, `anonymized`, or `restricted` (kept back again, for another reason). */
  outcome: string;
  rows: number;
  /** Why rows are still kept (`restricted` only): `minimum:bookkeeping`, `hold:debt`, `referenced:public.invoice` … */
  keptBy: string | null;
}

/** Why the kept-back erasures were not run. */
export type DueErasuresSkipReason = 'disabled' | 'dry-run' | 'table' | 'stopped' | 'not-permitted' | 'not-installed';

/**
 * What became of the rows erasures kept back (GDPR Art. 18) and that nothing keeps any more:
 * erased (`done`; `complete: false` when the signal or the deadline stopped it first), not looked
 * at (`skipped`, with the reason), or `failed` (SQLSTATE and message; the failing call changed
 * nothing, `tables` says what the calls before it did).
 */
export type DueErasures =
  | { status: 'done'; complete: boolean; tables: DueErasureTable[] }
  | { status: 'skipped'; reason: DueErasuresSkipReason; note?: string }
  | { status: 'failed'; code: string | null; message: string; tables: DueErasureTable[] };

/** Options of {@link eraseDueSubjects}. */
export interface DueErasureOptions {
  /** Subjects per call of `privacy.erase_due()`, each call one transaction (default 100). */
  maxSubjects?: number;
  /** Stops between calls (the call in flight finishes). */
  signal?: AbortSignal;
  /** Starts no call after this instant (`Date.now()` milliseconds). */
  deadline?: number;
}

// A guard against a subject that would be reported changed on every call: the calls stop here,
// and the next run goes on.
const MAX_CALLS = 1000;

/**
 * Calls `privacy.erase_due()` until a call finds nothing left to change (or it is stopped),
 * and sums what it changed per table and outcome. A role that may not execute it (SQLSTATE 42501),
 * or a database without it (42883, migrated by an older version), gets `skipped` with a one-line note; other errors come back as `failed` (never thrown), so that
 * what the caller did before is still reported.
 */
export async function eraseDueSubjects(client: pg.ClientBase, options: DueErasureOptions = {}): Promise<DueErasures> {
  const totals = new Map<string, DueErasureTable>();
  let complete = false;
  try {
    for (let call = 0; call < MAX_CALLS; call++) {
      if (options.signal?.aborted || Date.now() >= (options.deadline ?? Infinity)) break;
      const { rows } = await client.query<{ relation: string; outcome: string; row_count: string; kept_by: string | null }>(
        'select relation, outcome, row_count, kept_by from privacy.erase_due(max_subjects => $1::integer)',
        [options.maxSubjects ?? 100]);
      if (rows.length === 0) {
        complete = true;
        break;
      }
      for (const r of rows) {
        const keptBy = r.outcome === 'restricted' ? r.kept_by : null;
        const key = JSON.stringify([r.relation, r.outcome, keptBy]);
        const line = totals.get(key) ?? { table: r.relation, outcome: r.outcome, rows: 0, keptBy };
        line.rows += Number(r.row_count);
        totals.set(key, line);
      }
    }
  } catch (caught) {
    if ((caught as { code?: unknown }).code === '42883') {
      // A database migrated by an older version: the sweep itself ran; say what brings the rest.
      return {
        status: 'skipped', reason: 'not-installed',
        note: 'kept-back erasures skipped: this database has no privacy.erase_due(); run `integritet migrate up`',
      };
    }
    const error = toPrivacyError(caught);
    if (error instanceof AccessDeniedError) {
      return {
        status: 'skipped', reason: 'not-permitted',
        note: `kept-back erasures skipped: ${error.message} [${error.code}]: grant the role privacy_sweeper or privacy_admin`,
      };
    }
    const fields = error as { code?: unknown; message?: unknown };
    return {
      status: 'failed', code: typeof fields.code === 'string' ? fields.code : null,
      message: typeof fields.message === 'string' ? fields.message : String(error), tables: sorted(totals),
    };
  }
  return { status: 'done', complete, tables: sorted(totals) };
}

const OUTCOME_ORDER: Record<string, number> = { deleted: 1, anonymized: 2, restricted: 3 };

function sorted(totals: Map<string, DueErasureTable>): DueErasureTable[] {
  return [...totals.values()].sort((a, b) => a.table.localeCompare(b.table) ||
    (OUTCOME_ORDER[a.outcome] ?? 9) - (OUTCOME_ORDER[b.outcome] ?? 9) || (a.keptBy ?? '').localeCompare(b.keptBy ?? ''));
}
