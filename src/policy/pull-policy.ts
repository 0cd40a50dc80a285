import { readCatalog, type CatalogSnapshot } from '../kysely/api/read-catalog.ts';
import type { Executor } from '../client/call-privacy.ts';
import { fromSqlParams, isKnownStrategy, STRATEGY_PARAMS } from '../kysely/strategy-params.ts';
import { isKnownWriteRule, WRITE_RULE_PARAMS } from '../kysely/write-rule-params.ts';
import { readDatabaseSchema, type DatabaseSchema } from './database-schema.ts';
import { RETENTION_DEFAULTS } from './declared-state.ts';
import type { ColumnPolicy, Policy, RetentionPolicyInput, SubjectPolicy, TablePolicy } from './policy-types.ts';
import { qualified, tableKey, type TableName } from './table-names.ts';

// jsonb keeps keys in its own order; write them in the order the strategy declares them.
function paramsInOrder(strategy: string, params: Record<string, unknown>, kind: 'strategy' | 'write' = 'strategy'): Record<string, unknown> {
  const camel = fromSqlParams(params);
  const order = kind === 'write'
    ? (isKnownWriteRule(strategy) ? Object.keys(WRITE_RULE_PARAMS[strategy].shape) : [])
    : (isKnownStrategy(strategy) ? Object.keys(STRATEGY_PARAMS[strategy].shape) : []);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(Object.entries(camel).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
}

/** A policy read back from the catalog, and what could not be carried over. */
export interface PulledPolicy {
  policy: Policy;
  /** Declarations the policy leaves out because their table or column no longer exists. */
  warnings: string[];
  /** Columns of declared tables that the catalog does not classify, by table key. */
  unclassified: Map<string, string[]>;
}

/**
 * Builds the policy a catalog holds (the inverse of `apply`): tables with their protection,
 * column rules and retention, and subject types with their links. What the database does not
 * store (purposes, legal bases, the controller, descriptions of tables) is taken from
 * `existing` when given, so pulling into an existing file keeps them.
 */
export function policyFromCatalog(catalog: CatalogSnapshot, schema: DatabaseSchema, existing?: Policy): PulledPolicy {
  const warnings: string[] = [];
  const unclassified = new Map<string, string[]>();
  const tables = new Map<string, TableName>();
  for (const t of [...catalog.protectedTables, ...catalog.columnRules, ...catalog.retentionPolicies]) {
    tables.set(qualified(t), { schema: t.schema, table: t.table });
  }
  const policyTables: Record<string, TablePolicy> = {};
  for (const name of [...tables.values()].sort((a, b) => qualified(a).localeCompare(qualified(b)))) {
    const real = schema.get(qualified(name));
    if (!real) {
      warnings.push(`${qualified(name)} is declared in the catalog but no longer exists: left out`);
      continue;
    }
    const key = tableKey(name);
    const previous = existing?.tables[key];
    const protection = catalog.protectedTables.find((p) => qualified(p) === qualified(name));
    // Keys in the order a person writes them.
    const table: TablePolicy = {
      protect: protection ? undefined : false,
      tenantColumn: protection?.tenantVia ? undefined : protection?.tenantColumn ?? undefined,
      tenant: protection?.shared ? 'shared'
        : protection?.tenantVia && protection.tenantColumn
          ? { via: protection.tenantVia.length === 1 ? protection.tenantVia[0]! : protection.tenantVia, column: protection.tenantColumn }
          : undefined,
      purpose: previous?.purpose,
      legalBasis: previous?.legalBasis,
      columns: {},
      retention: undefined,
    };
    const rules = new Map(catalog.columnRules.filter((r) => qualified(r) === qualified(name)).map((r) => [r.column, r]));
    for (const column of real.columns) {
      const rule = rules.get(column.name);
      if (!rule) {
        unclassified.set(key, [...(unclassified.get(key) ?? []), column.name]);
        continue;
      }
      rules.delete(column.name);
      const columnPolicy: Record<string, unknown> = { category: rule.category };
      if (rule.mask) {
        columnPolicy.mask = rule.mask;
        if (Object.keys(rule.maskParams).length > 0) columnPolicy.maskParams = paramsInOrder(rule.mask, rule.maskParams);
      }
      if (rule.anonymize) {
        columnPolicy.anonymize = rule.anonymize;
        if (Object.keys(rule.anonymizeParams).length > 0) columnPolicy.anonymizeParams = paramsInOrder(rule.anonymize, rule.anonymizeParams);
      }
      if (rule.write) {
        columnPolicy.write = rule.write;
        if (Object.keys(rule.writeParams).length > 0) columnPolicy.writeParams = paramsInOrder(rule.write, rule.writeParams, 'write');
      }
      table.columns[column.name] = columnPolicy as ColumnPolicy;
    }
    for (const stale of rules.keys()) warnings.push(`${qualified(name)}.${stale} has a rule but no longer exists: left out`);
    const r = catalog.retentionPolicies.find((p) => qualified(p) === qualified(name));
    if (r) {
      table.retention = { anchor: r.anchor, keep: r.keep, action: r.action };
      if (r.minimum) table.retention.minimum = r.minimum;
      if (r.minimumAnchor) table.retention.minimumAnchor = r.minimumAnchor;
      if (r.schedule !== RETENTION_DEFAULTS.schedule) table.retention.schedule = r.schedule;
      if (r.timeZone !== RETENTION_DEFAULTS.timeZone) table.retention.timeZone = r.timeZone;
      if (Object.keys(r.filter).length > 0) table.retention.filter = r.filter as RetentionPolicyInput['filter'];
      if (r.expiredPartitions !== RETENTION_DEFAULTS.expiredPartitions) table.retention.expiredPartitions = r.expiredPartitions;
    }
    policyTables[key] = Object.fromEntries(Object.entries(table).filter(([, v]) => v !== undefined)) as TablePolicy;
  }

  const subjects: Record<string, SubjectPolicy> = {};
  for (const type of catalog.subjectTypes) {
    const subject: SubjectPolicy = { table: tableKey(type), key: type.key };
    if (type.description) subject.description = type.description;
    const links = catalog.subjectLinks
      .filter((l) => l.subjectType === type.name && !(qualified(l) === qualified(type) && l.column === type.key))
      .map((l) => (l.unchecked ? { column: `${tableKey(l)}.${l.column}`, unchecked: true } : `${tableKey(l)}.${l.column}`));
    if (links.length > 0) subject.links = links;
    const paths = catalog.subjectPaths.filter((p) => p.subjectType === type.name).map((p) => ({
      table: tableKey(p), through: tableKey({ schema: p.parentSchema, table: p.parentTable }), foreignKey: p.foreignKey,
    }));
    if (paths.length > 0) subject.paths = paths;
    subjects[type.name] = subject;
  }

  const policy: Policy = {
    ...(existing?.controller ? { controller: existing.controller } : {}),
    tables: policyTables,
    ...(Object.keys(subjects).length > 0 ? { subjects } : {}),
  };
  return { policy, warnings, unclassified };
}

/** Reads the catalog and the schema and builds the policy they hold (see {@link policyFromCatalog}). */
export async function pullPolicy(db: Executor, options: { existing?: Policy } = {}): Promise<PulledPolicy> {
  const read = async (trx: Executor) => policyFromCatalog(await readCatalog(trx), await readDatabaseSchema(trx), options.existing);
  return db.isTransaction ? read(db) : db.transaction().setAccessMode('read only').execute(read);
}
