import { sql } from 'kysely';
import type { Executor } from '../client/call-privacy.ts';
import { toPrivacyError } from '../errors/privacy-error.ts';
import { columnKey, type DesiredState } from './declared-state.ts';

/** A declared anonymize strategy that the column's constraints refuse (what `apply` would refuse with PV307). */
export interface RefusedStrategy {
  /** `schema.table.column`. */
  object: string;
  /** Where the policy declares it, e.g. `tables.customer.columns.org_number`. */
  path: string;
  strategy: string;
  /** The constraint that refuses it, as the database names it (empty for NOT NULL). */
  constraint: string;
  /** The database's message: the column, the strategy, the constraint and why. */
  message: string;
  /** A strategy that passes, e.g. `This one passes: anonymize => fake_personnummer.`; or what to do instead. */
  hint: string | null;
}

/** What `refusedStrategies` found, and why it could not check, if it could not. */
export interface RefusalCheck {
  refused: RefusedStrategy[];
  /** Set when the check could not run (no privilege, an install without it). */
  skipped: string | null;
}

const ROLLED_BACK = Symbol('rolled back');

/**
 * Checks every anonymize strategy the policy declares against its column's NOT NULL, CHECK
 * (domains too), UNIQUE and foreign keys, as `privacy.classify_column` does before it stores one
 * (`privacy.check_anonymize_fits`: statically where that decides it, else by anonymizing a sample
 * of rows and rolling it back). Runs in a transaction of its own that is always rolled back;
 * within the caller's transaction when there is one (a read-only one runs the static checks only).
 */
export async function refusedStrategies(db: Executor, desired: DesiredState): Promise<RefusalCheck> {
  const rules = [...desired.columnRules.values()].filter((r) => r.anonymize !== null);
  if (rules.length === 0) return { refused: [], skipped: null };
  const check = async (trx: Executor): Promise<RefusalCheck> => {
    const refused: RefusedStrategy[] = [];
    for (const rule of rules) {
      await sql`savepoint integritet_fits`.execute(trx);
      try {
        await sql`select privacy.check_anonymize_fits(${rule.schema}::name, ${rule.table}::name, ${rule.column}::name,
                    ${rule.anonymize}::text, ${JSON.stringify(rule.anonymizeParams)}::jsonb)`.execute(trx);
        await sql`release savepoint integritet_fits`.execute(trx);
      } catch (error) {
        await sql`rollback to savepoint integritet_fits`.execute(trx);
        const fields = error as { code?: string; message?: string; hint?: string; constraint?: string };
        if (fields.code === '42501' || fields.code === '42883') {
          return { refused, skipped: fields.code === '42501'
            ? 'anonymize strategies were not checked against the constraints: only privacy_admin members may (privacy.check_anonymize_fits)'
            : 'anonymize strategies were not checked against the constraints: this install has no privacy.check_anonymize_fits; run integritet migrate up' };
        }
        if (fields.code !== 'PV307') throw toPrivacyError(error);
        refused.push({
          object: columnKey(rule), path: desired.paths.get(`column:${columnKey(rule)}`) ?? columnKey(rule), strategy: rule.anonymize!,
          constraint: fields.constraint ?? '', message: fields.message ?? String(error), hint: fields.hint ?? null,
        });
      }
    }
    return { refused, skipped: null };
  };
  if (db.isTransaction) return check(db);
  let result: RefusalCheck = { refused: [], skipped: null };
  await db.transaction().execute(async (trx) => {
    result = await check(trx);
    throw ROLLED_BACK;
  }).catch((error: unknown) => {
    if (error !== ROLLED_BACK) throw error;
  });
  return result;
}
