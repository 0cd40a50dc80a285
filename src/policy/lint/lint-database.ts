import { sql } from 'kysely';
import type { CatalogSnapshot } from '../../kysely/api/read-catalog.ts';
import { readCatalog } from '../../kysely/api/read-catalog.ts';
import type { Executor } from '../../client/call-privacy.ts';
import { readDatabaseSchema, topLevelTables, type DatabaseSchema } from '../database-schema.ts';
import { kindFromName } from '../discover/column-name-patterns.ts';
import { PolicyError } from '../policy-error.ts';
import type { Policy } from '../policy-types.ts';
import { planWithin } from '../plan-policy.ts';
import { qualified } from '../table-names.ts';

/** What a lint rule checks. */
export type LintRule =
  | 'unclassified-column' | 'unprotected-personal-table' | 'no-retention' | 'stale-declaration'
  | 'policy-drift' | 'policy-invalid' | 'minimum-anchor-not-fiscal-year-end' | 'anonymize-refused';

/** One finding of `lint`. */
export interface LintFinding {
  rule: LintRule;
  severity: 'error' | 'warning';
  /** The database object: `public.vehicle.notes`. */
  object: string;
  message: string;
  /** The path in the policy file, for findings about it. */
  path?: string;
}

/** Everything `lint` found. */
export interface LintResult {
  findings: LintFinding[];
  summary: { errors: number; warnings: number };
}

const NOT_PERSONAL_KINDS = new Set(['row_key', 'nothing_personal']);

/** The findings about the database alone (see {@link lintDatabase}). */
export function lintCatalog(schema: DatabaseSchema, catalog: CatalogSnapshot): LintFinding[] {
  const findings: LintFinding[] = [];
  const personalCategory = new Map(catalog.categories.map((c) => [c.name, c.personal]));
  const protectedTables = new Set(catalog.protectedTables.map(qualified));
  const withRetention = new Set(catalog.retentionPolicies.map(qualified));
  const rules = new Map(catalog.columnRules.map((r) => [`${qualified(r)}.${r.column}`, r]));

  for (const table of topLevelTables(schema)) {
    const name = qualified(table);
    const isProtected = protectedTables.has(name);
    const personal: string[] = [];
    for (const column of table.columns) {
      const rule = rules.get(`${name}.${column.name}`);
      if (rule) {
        if (personalCategory.get(rule.category) ?? true) personal.push(`${column.name} (${rule.category})`);
        continue;
      }
      if (isProtected) {
        findings.push({
          rule: 'unclassified-column', severity: 'error', object: `${name}.${column.name}`,
          message: 'not classified: treated as personal, so restricted roles cannot read it',
        });
        personal.push(`${column.name} (unclassified)`);
        continue;
      }
      const byName = kindFromName(column.name);
      if (byName && !NOT_PERSONAL_KINDS.has(byName.kind)) personal.push(`${column.name} (name looks like ${byName.kind.replaceAll('_', ' ')})`);
    }
    if (!isProtected && personal.length > 0) {
      findings.push({
        rule: 'unprotected-personal-table', severity: 'error', object: name,
        message: `not protected, but has personal columns: ${personal.join(', ')}`,
      });
    }
    if (personal.length > 0 && !withRetention.has(name)) {
      findings.push({
        rule: 'no-retention', severity: 'warning', object: name,
        message: 'has personal columns and no retention policy: nothing is ever anonymized or deleted',
      });
    }
  }

  // A minimum counted from the calendar year of its anchor is right only for an anchor that is the
  // fiscal year's end; with a fiscal year that is not the calendar year a date inside it is not.
  if (catalog.fiscalYearStartMonth !== 1) {
    const calendarYear = new Set(catalog.statutoryMinimums.filter((m) => m.countsFrom === 'end_of_calendar_year').map((m) => m.name));
    for (const r of catalog.retentionPolicies) {
      if (r.minimum && calendarYear.has(r.minimum)) {
        findings.push({
          rule: 'minimum-anchor-not-fiscal-year-end', severity: 'warning', object: `${qualified(r)}.${r.minimumAnchor}`,
          message: `minimum ${r.minimum} counts from the end of the calendar year of ${r.minimumAnchor}, but fiscal years start in month `
            + `${catalog.fiscalYearStartMonth}: unless it is the fiscal year's end, rows may go a year early `
            + '(a minimum that counts from the fiscal year, as bookkeeping does, takes any date)',
        });
      }
    }
  }

  const exists = (t: { schema: string; table: string }) => schema.has(qualified(t));
  for (const p of catalog.protectedTables) {
    if (!exists(p)) findings.push({ rule: 'stale-declaration', severity: 'warning', object: qualified(p), message: 'protected in the catalog but the table no longer exists' });
  }
  for (const r of catalog.retentionPolicies) {
    if (!exists(r)) findings.push({ rule: 'stale-declaration', severity: 'warning', object: qualified(r), message: 'has a retention policy but the table no longer exists' });
  }
  for (const r of catalog.columnRules) {
    const table = schema.get(qualified(r));
    if (!table?.columns.some((c) => c.name === r.column)) {
      findings.push({ rule: 'stale-declaration', severity: 'warning', object: `${qualified(r)}.${r.column}`, message: 'classified in the catalog but the column no longer exists' });
    }
  }
  return findings;
}

/**
 * The columns a sweep could not anonymize because a constraint refuses the value
 * (`privacy.anonymize_problems`), with a strategy that passes. The check anonymizes a sample of
 * rows and rolls it back, so it runs in a transaction of its own that is always rolled back
 * (within the caller's transaction, when there is one, only the static checks can run).
 */
async function anonymizeRefusals(db: Executor): Promise<LintFinding[]> {
  const read = async (trx: Executor) => (await sql<{
    relation: string; column_name: string; strategy: string; constraint_kind: string; constraint_name: string | null;
    problem: string; suggestion: string | null;
  }>`select * from privacy.anonymize_problems()`.execute(trx)).rows;
  let rows: Awaited<ReturnType<typeof read>> = [];
  if (db.isTransaction) {
    rows = await read(db);
  } else {
    await db.transaction().execute(async (trx) => {
      rows = await read(trx);
      throw ROLLED_BACK;
    }).catch((error: unknown) => {
      if (error !== ROLLED_BACK) throw error;
    });
  }
  return rows.map((r) => ({
    rule: 'anonymize-refused', severity: 'error', object: `${r.relation}.${r.column_name}`,
    message: `a sweep cannot anonymize it: ${r.constraint_kind}${r.constraint_name ? ` ${r.constraint_name}` : ''} refuses `
      + `strategy ${r.strategy} (${r.problem}); ${r.suggestion ? `this one passes: anonymize => ${r.suggestion}`
        : 'no built-in strategy passes: classify it not_personal, anonymize => keep, or delete instead'}`,
  }));
}

const ROLLED_BACK = Symbol('rolled back');

/**
 * Checks a database for CI: unclassified columns of protected tables, unprotected tables with
 * personal columns (classified, or with names that look personal), personal tables without
 * retention, declarations of things that no longer exist, columns whose anonymization a
 * constraint refuses and, given a policy, every difference between it and the catalog (or why it
 * cannot be applied). Changes nothing (the anonymization trial is rolled back).
 */
export async function lintDatabase(db: Executor, options: { policy?: Policy } = {}): Promise<LintResult> {
  const run = async (trx: Executor): Promise<LintFinding[]> => {
    const catalog = await readCatalog(trx);
    const schema = await readDatabaseSchema(trx);
    const findings = lintCatalog(schema, catalog);
    if (!options.policy) return findings;
    try {
      const { plan } = await planWithin(trx, options.policy);
      for (const change of plan.changes) {
        findings.push({
          rule: 'policy-drift', severity: 'error', object: change.object, path: change.path,
          message: change.action === 'add' ? `declared in the policy, not in the database (${change.kind})`
            : change.action === 'remove' ? `declared in the database, not in the policy (${change.kind})`
              : `differs from the policy: ${change.changed.join(', ')} (${change.kind})`,
        });
      }
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      for (const issue of error.issues) {
        findings.push({ rule: 'policy-invalid', severity: 'error', object: '(policy)', path: issue.path, message: issue.message });
      }
    }
    return findings;
  };
  const findings = db.isTransaction ? await run(db) : await db.transaction().setAccessMode('read only').execute(run);
  findings.push(...await anonymizeRefusals(db));
  return {
    findings,
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}
