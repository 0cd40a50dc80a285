import { sql } from 'kysely';
import { readCatalog, type CatalogSnapshot } from '../kysely/api/read-catalog.ts';
import type { Executor } from '../client/call-privacy.ts';
import { toPrivacyError } from '../errors/privacy-error.ts';
import { checkPolicy, keepPeriodsOf, timeZonesOf, type KeepPeriod } from './check-policy.ts';
import { readDatabaseSchema, type DatabaseSchema } from './database-schema.ts';
import { refusedStrategies, type RefusedStrategy } from './anonymize-refusals.ts';
import { stateFromCatalog, stateFromPolicy, type DesiredState } from './declared-state.ts';
import { PolicyError } from './policy-error.ts';
import { validatePolicy } from './policy-schema.ts';
import type { Policy } from './policy-types.ts';
import { diffStates, type PlanChange } from './plan-changes.ts';
import { parseTableKey, qualified } from './table-names.ts';

/** Options of {@link planPolicy} and `applyPolicy`. */
export interface PlanOptions {
  /**
   * Remove from the catalog what the policy does not declare (default true: the file is the
   * whole truth). Removing a column's rule makes it count as personal again.
   */
  prune?: boolean;
}

/** The difference between a policy and the catalog, and what applying it would mean. */
export interface PolicyPlan {
  changes: PlanChange[];
  /** Tables restricted roles would from now on read masked and tenant-isolated. */
  newlyProtected: string[];
  /** Protected tables (after the plan) with no tenant declared: every tenant reads their rows. */
  everyTenantReads: string[];
  /** Tables the plan newly protects or changes as shared: no tenant on purpose, every tenant reads them. */
  sharedTables: string[];
  /** Tables that would lose their protection. */
  noLongerProtected: string[];
  /** What the plan does not change but a reader should know. */
  warnings: string[];
  /**
   * Declared anonymize strategies the columns' constraints refuse: `apply` would refuse them
   * (PV307) and a sweep would fail on them. Each names the constraint and a strategy that
   * passes. Filled by {@link planPolicy}; `integritet plan` exits 1 when there are any.
   */
  errors: RefusedStrategy[];
  summary: { add: number; change: number; remove: number };
}

/** Everything a plan was made from, for `apply` to act on within the same transaction. */
export interface PlanBasis {
  plan: PolicyPlan;
  schema: DatabaseSchema;
  catalog: CatalogSnapshot;
  /** The policy as a declared state, with the path of each object in the file. */
  desired: DesiredState;
}

// PostgreSQL reads each keep period, so that '12 months' and '1 year' compare equal and a bad
// one is refused with the policy's path. A failed cast aborts the transaction, hence the savepoint.
async function readKeepPeriods(trx: Executor, periods: string[]): Promise<Map<string, KeepPeriod>> {
  const read = new Map<string, KeepPeriod>();
  for (const period of periods) {
    await sql`savepoint integritet_keep`.execute(trx);
    try {
      const { rows } = await sql<{ text: string; positive: boolean }>`
        select ${period}::interval::text as text, ${period}::interval > interval '0' as positive`.execute(trx);
      const row = rows[0]!;
      read.set(period, row.positive ? { text: row.text } : { error: `keep period "${period}" is not positive` });
      await sql`release savepoint integritet_keep`.execute(trx);
    } catch (error) {
      await sql`rollback to savepoint integritet_keep`.execute(trx);
      const code = (error as { code?: string }).code;
      if (code !== '22007' && code !== '22008' && code !== '22015' && code !== '22P02') throw toPrivacyError(error);
      read.set(period, { error: `keep period "${period}" is not an interval` });
    }
  }
  return read;
}

async function readTimeZones(trx: Executor, zones: string[]): Promise<Set<string>> {
  if (zones.length === 0) return new Set();
  const { rows } = await sql<{ name: string }>`
    select name from pg_catalog.pg_timezone_names where name = any(${zones}::text[])`.execute(trx);
  return new Set(rows.map((r) => r.name));
}

/**
 * Plans within a transaction the caller holds (`apply` applies the result in the same one).
 * Throws a {@link PolicyError} listing every problem when the policy does not fit the database.
 */
export async function planWithin(trx: Executor, policy: Policy, options: PlanOptions = {}): Promise<PlanBasis> {
  // Callers from JavaScript (or with `as any`) are not held to the Policy type: check the shape.
  const shape = validatePolicy(policy);
  if (!shape.ok) throw new PolicyError(shape.issues);
  const catalog = await readCatalog(trx); // first: it sets IntervalStyle for the keep periods below
  const schema = await readDatabaseSchema(trx);
  const keepPeriods = await readKeepPeriods(trx, keepPeriodsOf(policy));
  const knownTimeZones = await readTimeZones(trx, timeZonesOf(policy));
  const issues = checkPolicy(policy, { schema, catalog, keepPeriods, knownTimeZones });
  if (issues.length > 0) throw new PolicyError(issues);

  const desired = stateFromPolicy(policy, (keep) => (keepPeriods.get(keep) as { text: string }).text);
  const current = stateFromCatalog(catalog);
  const { changes, keptSubjectTypes } = diffStates(desired, current, { prune: options.prune ?? true });

  const protectionChanges = changes.filter((c) => c.kind === 'protection');
  const warnings = keptSubjectTypes.map((name) =>
    `subject type ${name} is declared in the database but not in the policy; it is kept (the SQL API cannot remove a subject type)`);
  for (const [key, table] of Object.entries(policy.tables)) {
    const columns = schema.get(qualified(parseTableKey(key)))?.columns ?? [];
    const missing = columns.filter((c) => !(c.name in table.columns)).map((c) => c.name);
    if (missing.length > 0) {
      warnings.push(`${qualified(parseTableKey(key))}: ${missing.length} column${missing.length === 1 ? '' : 's'} not in the policy, treated as personal: ${missing.join(', ')}`);
    }
  }
  const plan: PolicyPlan = {
    changes,
    // Only a table with a tenant is tenant-isolated; the others are named as what they are.
    newlyProtected: protectionChanges.filter((c) => c.action === 'add' && c.after?.tenantColumn).map((c) => c.object),
    everyTenantReads: [...desired.protections.values()].filter((p) => !p.tenantColumn && !p.shared).map((p) => qualified(p)),
    sharedTables: protectionChanges.filter((c) => c.action !== 'remove' && c.after?.shared).map((c) => c.object),
    noLongerProtected: protectionChanges.filter((c) => c.action === 'remove').map((c) => c.object),
    warnings,
    errors: [],
    summary: {
      add: changes.filter((c) => c.action === 'add').length,
      change: changes.filter((c) => c.action === 'change').length,
      remove: changes.filter((c) => c.action === 'remove').length,
    },
  };
  return { plan, schema, catalog, desired };
}

/**
 * The difference between `policy` and the database's catalog: added, changed and removed column
 * rules, protections, subject types and links, and retention policies. Reads only (in a
 * read-only transaction); the policy is first checked against the real schema and the catalog,
 * and a {@link PolicyError} names every path that does not fit. Declared anonymize strategies
 * the columns' constraints refuse are the plan's `errors` (tried on sample rows in a transaction
 * that is rolled back).
 */
export async function planPolicy(db: Executor, policy: Policy, options: PlanOptions = {}): Promise<PolicyPlan> {
  const { plan, desired } = db.isTransaction ? await planWithin(db, policy, options)
    : await db.transaction().setAccessMode('read only').execute((trx) => planWithin(trx, policy, options));
  // Apart, in a transaction that is rolled back: the check anonymizes sample rows to try them.
  const { refused, skipped } = await refusedStrategies(db, desired);
  return { ...plan, errors: refused, warnings: skipped ? [...plan.warnings, skipped] : plan.warnings };
}
