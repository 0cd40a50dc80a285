import { sql } from 'kysely';
import { retryWhileInUse } from '../database/retry-while-in-use.ts';
import { PrivacyError, toPrivacyError } from '../errors/privacy-error.ts';
import type { Executor } from '../client/call-privacy.ts';
import { createIntegritet, type Integritet } from '../kysely/integritet.ts';
import type { ClassifyColumnInput } from '../kysely/api/classify-column.ts';
import type { SetRetentionOptionsInput } from '../kysely/api/set-retention-options.ts';
import { PolicyError, type PolicyIssue } from './policy-error.ts';
import type { Policy } from './policy-types.ts';
import type { PlanChange } from './plan-changes.ts';
import { planWithin, type PlanOptions, type PolicyPlan } from './plan-policy.ts';
import { linkSubjectThrough, unlinkSubjectThrough } from '../subjects/subject-graph.ts';
import { sqlTableName } from './table-names.ts';

/** Options of {@link applyPolicy}. */
export interface ApplyOptions extends PlanOptions {
  /** Called after each change is made (for progress). */
  onChange?: (change: PlanChange) => void;
  /** Called when a table the changes lock is in use and the apply will try again: what, held by whom. */
  onWait?: (line: string) => void;
}

/** What an apply did: the plan it carried out, all of it. */
export interface PolicyApplyResult {
  plan: PolicyPlan;
}

// Removals first (they free nothing the additions need, but leave the table fully declared for
// the shortest time), then what the rest builds on, and losing protection last of all.
function executionRank(change: PlanChange): number {
  const removing = change.action === 'remove';
  switch (change.kind) {
    case 'subject-path': return removing ? 0 : 7;
    case 'subject-link': return removing ? 0 : 6;
    case 'retention': return removing ? 1 : 8;
    case 'column': return removing ? 2 : 4;
    case 'subject-type': return 3;
    case 'protection': return removing ? 9 : 5;
  }
}

/** An error of the write-rule call of a column change: it is about the column's `write` field. */
class WriteRuleFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

async function carryOut(client: Integritet, db: Executor, change: PlanChange): Promise<void> {
  switch (change.kind) {
    case 'protection': {
      const table = sqlTableName((change.after ?? change.before)!);
      if (change.after) {
        const { tenantColumn, tenantVia, shared } = change.after;
        await client.protectTable({ table, tenantColumn, tenantVia, shared });
      }
      else await client.unprotectTable({ table });
      return;
    }
    case 'column': {
      const state = (change.after ?? change.before)!;
      const table = sqlTableName(state);
      if (!change.after) {
        await client.declassifyColumn({ table, column: state.column });
        return;
      }
      const rule = change.after;
      const { before } = change;
      // Parameters are already snake_case; converting them again leaves them as they are.
      const classification = ['category', 'mask', 'maskParams', 'anonymize', 'anonymizeParams'];
      if (!before || change.changed.some((field) => classification.includes(field))) {
        await client.classifyColumn({
          table, column: rule.column, category: rule.category,
          mask: rule.mask ?? undefined, maskParams: rule.maskParams,
          anonymize: rule.anonymize ?? undefined, anonymizeParams: rule.anonymizeParams,
        } as ClassifyColumnInput);
      }
      // classify_column() keeps a column's write rule: set or clear it only when it differs.
      try {
        if (rule.write && (!before || change.changed.includes('write') || change.changed.includes('writeParams'))) {
          await client.setWriteRule({ table, column: rule.column, rule: rule.write, params: rule.writeParams });
        } else if (!rule.write && before?.write) {
          await client.clearWriteRule({ table, column: rule.column });
        }
      } catch (error) {
        throw new WriteRuleFailure(error);
      }
      return;
    }
    case 'subject-type': {
      const type = change.after!;
      await client.declareSubjectType({ name: type.name, table: sqlTableName(type), key: type.key, description: type.description });
      return;
    }
    case 'subject-link': {
      const link = (change.after ?? change.before)!;
      const input = { subjectType: link.subjectType, table: sqlTableName(link), column: link.column };
      if (change.after) await client.linkSubject({ ...input, unchecked: change.after.unchecked });
      else await client.unlinkSubject(input);
      return;
    }
    case 'subject-path': {
      const path = (change.after ?? change.before)!;
      const input = {
        subjectType: path.subjectType, table: sqlTableName(path),
        parentTable: sqlTableName({ schema: path.parentSchema, table: path.parentTable }),
      };
      if (change.action === 'change') await unlinkSubjectThrough(db, input);
      if (change.after) await linkSubjectThrough(db, { ...input, foreignKey: change.after.foreignKey });
      else await unlinkSubjectThrough(db, input);
      return;
    }
    case 'retention': {
      const state = (change.after ?? change.before)!;
      const table = sqlTableName(state);
      if (!change.after) {
        await client.dropRetention({ table });
        return;
      }
      const r = change.after;
      await client.setRetention({
        table, anchor: r.anchor, keep: r.keep, action: r.action, minimum: r.minimum, minimumAnchor: r.minimumAnchor,
        schedule: r.schedule, timeZone: r.timeZone,
      });
      // set_retention() leaves these as they were: give both, so the result is what the policy says.
      await client.setRetentionOptions({
        table, filter: r.filter as SetRetentionOptionsInput['filter'], expiredPartitions: r.expiredPartitions,
      });
    }
  }
}

/** The path in the policy that a database error about `change` points at, as precisely as its fields allow. */
function pathOfFailure(change: PlanChange, error: PrivacyError): string {
  const column = (error.cause as { column?: string } | undefined)?.column;
  const code = error.code;
  switch (change.kind) {
    case 'column': {
      const rule = change.after;
      if (!rule) return change.path;
      if (code === 'PV006') return `${change.path}.category`;
      // An unknown strategy (PV003) or one that does not fit the column's type (PV101), or bad
      // parameters (PV004): the error names no field, so narrow it down when only one strategy was given.
      if (code === 'PV003' || code === 'PV101' || code === 'PV004') {
        const field = code === 'PV004' ? 'Params' : '';
        const given = (['mask', 'anonymize', 'write'] as const).filter((key) => rule[key]);
        if (given.length === 1) return `${change.path}.${given[0]}${field}`;
      }
      return change.path;
    }
    case 'protection':
      if (change.after?.tenantVia && (code === 'PV002' || code === 'PV016')) return `${change.path}.tenant`;
      return code === 'PV002' && change.after?.tenantColumn ? `${change.path}.tenantColumn` : change.path;
    case 'retention': {
      const r = change.after;
      if (r && column !== undefined && column === r.anchor) return `${change.path}.anchor`;
      if (r && column !== undefined && column === r.minimumAnchor) return `${change.path}.minimumAnchor`;
      if (r && column !== undefined && column in r.filter) return `${change.path}.filter.${column}`;
      return change.path;
    }
    case 'subject-type':
      return code === 'PV002' ? `${change.path}.key` : code === 'PV001' ? `${change.path}.table` : change.path;
    case 'subject-link':
    case 'subject-path':
      return change.path;
  }
}

/** A database error as a problem of the policy at the path that caused it; anything else as it is. */
function atPath(change: PlanChange, failure: unknown): unknown {
  const error = failure instanceof WriteRuleFailure ? failure.error : failure;
  if (error instanceof PrivacyError) {
    const path = failure instanceof WriteRuleFailure ? `${change.path}.write${error.code === 'PV004' ? 'Params' : ''}` : pathOfFailure(change, error);
    const issue: PolicyIssue = { path, message: error.message, code: error.code };
    if (error.hint) issue.hint = error.hint;
    return new PolicyError([issue], { code: error.code, cause: error });
  }
  // Another database error (a SQLSTATE outside the toolkit's): still say which declaration met it.
  const fields = error as { code?: unknown; message?: unknown; hint?: unknown };
  if (typeof fields?.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code) && typeof fields.message === 'string') {
    const issue: PolicyIssue = { path: failure instanceof WriteRuleFailure ? `${change.path}.write` : change.path, message: `${change.action} ${change.kind} ${change.object}: ${fields.message}`, code: fields.code };
    if (typeof fields.hint === 'string') issue.hint = fields.hint;
    return new PolicyError([issue], { code: fields.code, cause: error });
  }
  return error;
}

/**
 * The tables the changes regenerate things on (masked views, policies, guards, indexes), each
 * after its masked view, sorted: locked in this order before any change is made, so that a
 * busy table makes the apply try again before it changed anything, never half-way.
 */
function tablesToLock(changes: PlanChange[]): string[] {
  const tables = [...new Set(changes.map((change) => (change.after ?? change.before)!)
    .map((state) => ({ sql: sqlTableName(state), key: `${state.schema}.${state.table}`, view: sqlTableName({ schema: 'masked', table: state.table }) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .flatMap((t) => [t.view, t.sql]))];
  return tables;
}

/**
 * Makes the catalog what the policy declares, in one transaction: all of it or, on any error,
 * nothing. Every change goes through the SQL declaration API, so SQL validates it and the
 * catalog's triggers write each change to the ledger. An error the database raises is reported
 * at the path of the policy that caused it. Concurrent applies wait for each other. The tables
 * it changes are locked first, in a fixed order, never waiting long in a lock queue
 * (sql/015-ddl-locks.sql); when one is in use the transaction is rolled back and tried again
 * with backoff (unless `db` is a transaction of the caller's, which then gets the error).
 */
export async function applyPolicy(db: Executor, policy: Policy, options: ApplyOptions = {}): Promise<PolicyApplyResult> {
  const run = async (trx: Executor): Promise<PolicyApplyResult> => {
    try {
      await sql`select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('integritet: policy apply'))`.execute(trx);
    } catch (error) {
      throw toPrivacyError(error);
    }
    const { plan } = await planWithin(trx, policy, options);
    if (plan.changes.length > 0) {
      try {
        await sql`select privacy.lock_catalog_tables(${tablesToLock(plan.changes)}::text[])`.execute(trx);
      } catch (error) {
        throw toPrivacyError(error);
      }
    }
    const client = createIntegritet(trx);
    const ordered = plan.changes.map((change, index) => ({ change, index }))
      .sort((a, b) => executionRank(a.change) - executionRank(b.change) || a.index - b.index)
      .map(({ change }) => change);
    for (const change of ordered) {
      try {
        await carryOut(client, trx, change);
      } catch (error) {
        throw atPath(change, error);
      }
      options.onChange?.(change);
    }
    return { plan };
  };
  return db.isTransaction ? run(db) : retryWhileInUse('apply', () => db.transaction().execute(run), { log: options.onWait });
}
