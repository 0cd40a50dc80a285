import type { CatalogSnapshot } from '../kysely/api/read-catalog.ts';
import type { DatabaseSchema, DatabaseTable } from './database-schema.ts';
import { didYouMean } from './did-you-mean.ts';
import type { PolicyIssue } from './policy-error.ts';
import { formatPath } from './policy-path.ts';
import type { Policy } from './policy-types.ts';
import { parseColumnRef, parseTableKey, qualified } from './table-names.ts';

/** What PostgreSQL made of a keep period: its own text, or why it is not a positive interval. */
export type KeepPeriod = { text: string } | { error: string };

/** What a policy is checked against: the real schema, the catalog's registries, and PostgreSQL's reading of values. */
export interface PolicyCheckContext {
  schema: DatabaseSchema;
  catalog: CatalogSnapshot;
  /** Every keep period of the policy, as PostgreSQL read it. */
  keepPeriods: Map<string, KeepPeriod>;
  /** The time zones of the policy that PostgreSQL knows. */
  knownTimeZones: Set<string>;
}

const RESERVED_SCHEMAS = new Set(['privacy', 'masked', 'pg_catalog', 'information_schema', 'pg_toast']);

/**
 * Checks a (well-formed) policy against the database before anything is applied: every table,
 * column, category, strategy, statutory minimum, keep period and time zone it names must exist,
 * and each problem is reported at its path with the nearest existing name. SQL checks everything
 * again when the policy is applied; this only finds the problems first, all at once.
 */
export function checkPolicy(policy: Policy, context: PolicyCheckContext): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const issue = (segments: (string | number)[], message: string, hint?: string) =>
    issues.push({ path: formatPath(segments), message, ...(hint ? { hint } : {}) });

  const findTable = (segments: (string | number)[], key: string): DatabaseTable | undefined => {
    const name = parseTableKey(key);
    if (RESERVED_SCHEMAS.has(name.schema)) {
      issue(segments, `${qualified(name)} is in a system or toolkit schema and cannot be declared`);
      return undefined;
    }
    const table = context.schema.get(qualified(name));
    if (!table) {
      const inSchema = [...context.schema.values()].filter((t) => t.schema === name.schema && t.partitionOf === null);
      if (inSchema.length === 0 && ![...context.schema.values()].some((t) => t.schema === name.schema)) {
        issue(segments, `no table "${name.table}": there is no schema "${name.schema}" with tables`);
      } else {
        issue(segments, `no table "${name.table}" in schema ${name.schema}${didYouMean(name.table, inSchema.map((t) => t.table))}`);
      }
      return undefined;
    }
    if (table.partitionOf !== null) {
      issue(segments, `${qualified(table)} is a partition of ${table.partitionOf}: declare ${table.partitionOf} instead`);
      return undefined;
    }
    return table;
  };

  const checkColumn = (segments: (string | number)[], table: DatabaseTable, column: string): boolean => {
    if (table.columns.some((c) => c.name === column)) return true;
    issue(segments, `no column "${column}" in ${qualified(table)}${didYouMean(column, table.columns.map((c) => c.name))}`);
    return false;
  };

  const categories = context.catalog.categories.map((c) => c.name);
  const strategies = new Map(context.catalog.strategies.map((s) => [s.name, s]));
  const minimums = context.catalog.statutoryMinimums.map((m) => m.name);

  // A strategy's usable_for: 'both' means mask and anonymize; write rules are only 'write'.
  const usable = (usableFor: string, purpose: 'mask' | 'anonymize' | 'write') =>
    usableFor === purpose || (usableFor === 'both' && purpose !== 'write');
  const checkStrategy = (segments: (string | number)[], name: string | undefined, purpose: 'mask' | 'anonymize' | 'write') => {
    if (name === undefined) return;
    const strategy = strategies.get(name);
    // Suggest only what may be used here: a write rule offered as a mask would be refused next.
    const choices = [...strategies.values()].filter((s) => usable(s.usableFor, purpose)).map((s) => s.name);
    if (!strategy) {
      issue(segments, `unknown strategy "${name}"${didYouMean(name, choices)}`, `Strategies: ${choices.join(', ')}`);
    } else if (!usable(strategy.usableFor, purpose)) {
      issue(segments, `strategy "${name}" cannot be used to ${purpose}`, `Strategies: ${choices.join(', ')}`);
    }
  };

  const seen = new Map<string, string>();
  for (const [key, table] of Object.entries(policy.tables)) {
    const tablePath = ['tables', key];
    const name = qualified(parseTableKey(key));
    const other = seen.get(name);
    if (other !== undefined) {
      issue(tablePath, `names the same table as tables.${other} (${name})`);
      continue;
    }
    seen.set(name, key);
    const found = findTable(tablePath, key);
    for (const [column, rule] of Object.entries(table.columns)) {
      const columnPath = [...tablePath, 'columns', column];
      if (found) checkColumn(columnPath, found, column);
      if (!categories.includes(rule.category)) {
        issue([...columnPath, 'category'], `unknown category "${rule.category}"${didYouMean(rule.category, categories)}`,
          `Categories: ${categories.join(', ')}`);
      }
      checkStrategy([...columnPath, 'mask'], rule.mask, 'mask');
      checkStrategy([...columnPath, 'anonymize'], rule.anonymize, 'anonymize');
      checkStrategy([...columnPath, 'write'], rule.write, 'write');
    }
    if (found && table.tenantColumn !== undefined) checkColumn([...tablePath, 'tenantColumn'], found, table.tenantColumn);
    // A tenant through foreign keys is checked against them by privacy.protect_table (PV016).
    const retention = table.retention;
    if (retention) {
      const retentionPath = [...tablePath, 'retention'];
      if (found) {
        checkColumn([...retentionPath, 'anchor'], found, retention.anchor);
        if (retention.minimumAnchor !== undefined) checkColumn([...retentionPath, 'minimumAnchor'], found, retention.minimumAnchor);
        for (const column of Object.keys(retention.filter ?? {})) checkColumn([...retentionPath, 'filter', column], found, column);
      }
      const keep = context.keepPeriods.get(retention.keep);
      if (keep && 'error' in keep) issue([...retentionPath, 'keep'], keep.error, "For example '90 days', '3 years' or 'P1Y6M'.");
      if (retention.minimum !== undefined && !minimums.includes(retention.minimum)) {
        issue([...retentionPath, 'minimum'], `unknown statutory minimum "${retention.minimum}"${didYouMean(retention.minimum, minimums)}`,
          `Known: ${minimums.join(', ')}`);
      }
      if (retention.timeZone !== undefined && !context.knownTimeZones.has(retention.timeZone)) {
        issue([...retentionPath, 'timeZone'], `unknown time zone "${retention.timeZone}"`, 'A name from pg_timezone_names, e.g. Europe/Stockholm.');
      }
    }
  }

  for (const [type, subject] of Object.entries(policy.subjects ?? {})) {
    const subjectPath = ['subjects', type];
    const home = findTable([...subjectPath, 'table'], subject.table);
    if (home) checkColumn([...subjectPath, 'key'], home, subject.key);
    (subject.links ?? []).forEach((ref, index) => {
      const linkPath = [...subjectPath, 'links', index];
      const target = parseColumnRef(typeof ref === 'string' ? ref : ref.column);
      const table = findTable(linkPath, `${target.schema}.${target.table}`);
      if (table) checkColumn(linkPath, table, target.column);
    });
    (subject.paths ?? []).forEach((path, index) => {
      findTable([...subjectPath, 'paths', index, 'table'], path.table);
      findTable([...subjectPath, 'paths', index, 'through'], path.through);
    });
  }
  return issues;
}

/** Every keep period a policy names (to have PostgreSQL read them). */
export function keepPeriodsOf(policy: Policy): string[] {
  return [...new Set(Object.values(policy.tables).flatMap((t) => (t.retention ? [t.retention.keep] : [])))];
}

/** Every time zone a policy names. */
export function timeZonesOf(policy: Policy): string[] {
  return [...new Set(Object.values(policy.tables).flatMap((t) => (t.retention?.timeZone ? [t.retention.timeZone] : [])))];
}
