import { sql, type Kysely } from 'kysely';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import type { Executor } from '../../client/call-privacy.ts';
import type { PrivacyDatabase } from '../catalog/privacy-database.ts';
import type { StrategyParamSpec } from '../catalog/strategy.table.ts';

/** A classified column as the catalog holds it; parameters are the stored snake_case JSON. */
export interface CatalogColumnRule {
  schema: string;
  table: string;
  column: string;
  category: string;
  mask: string | null;
  maskParams: Record<string, unknown>;
  anonymize: string | null;
  anonymizeParams: Record<string, unknown>;
  /** The write rule (minimisation before a value is stored), if any. */
  write: string | null;
  writeParams: Record<string, unknown>;
}

/** A table's retention policy; `keep` is the interval as text (IntervalStyle `postgres`). */
export interface CatalogRetention {
  schema: string;
  table: string;
  anchor: string;
  keep: string;
  action: 'anonymize' | 'delete';
  minimum: string | null;
  minimumAnchor: string | null;
  schedule: string;
  timeZone: string;
  filter: Record<string, unknown>;
  expiredPartitions: 'drop' | 'detach' | 'rows';
}

/**
 * Everything declared in the catalog, read in one snapshot. Holds are counted, never listed:
 * their subjects and notes stay in the database.
 */
export interface CatalogSnapshot {
  categories: { name: string; personal: boolean; description: string }[];
  strategies: { name: string; usableFor: 'mask' | 'anonymize' | 'both' | 'write'; paramSpec: Record<string, StrategyParamSpec>; description: string }[];
  statutoryMinimums: { name: string; law: string; description: string; countsFrom: string }[];
  /** The month the controller's fiscal year starts in (1: the calendar year). */
  fiscalYearStartMonth: number;
  protectedTables: { schema: string; table: string; tenantColumn: string | null; tenantVia: string[] | null; shared: boolean }[];
  columnRules: CatalogColumnRule[];
  subjectTypes: { name: string; schema: string; table: string; key: string; description: string }[];
  subjectLinks: { subjectType: string; schema: string; table: string; column: string; unchecked: boolean }[];
  /** Tables linked through a foreign key to or from a linked table (`foreignKey` is the constraint's name). */
  subjectPaths: { subjectType: string; schema: string; table: string; parentSchema: string; parentTable: string; foreignKey: string }[];
  retentionPolicies: CatalogRetention[];
  holdsInForce: { subjectType: string; reason: string; count: number }[];
}

async function read(db: Kysely<PrivacyDatabase>): Promise<CatalogSnapshot> {
  // The keep period as text the same way whatever the server's IntervalStyle.
  await sql`set local intervalstyle = 'postgres'`.execute(db);
  const categories = await db.selectFrom('privacy.category').select(['name', 'personal', 'description']).orderBy('name').execute();
  const strategies = await db.selectFrom('privacy.strategy')
    .select(['name', 'usable_for as usableFor', 'param_spec as paramSpec', 'description']).orderBy('name').execute();
  const statutoryMinimums = await db.selectFrom('privacy.statutory_minimum')
    .select(['name', 'law', 'description', 'counts_from as countsFrom']).orderBy('name').execute();
  const { rows: [fiscal] } = await sql<{ month: number }>`select privacy.fiscal_year_start_month() as month`.execute(db);
  const protectedTables = await db.selectFrom('privacy.protected_table')
    // name[] comes back as text unless cast: the driver parses text[] only.
    .select(['schema_name as schema', 'table_name as table', 'tenant_column as tenantColumn',
      sql<string[] | null>`tenant_via::text[]`.as('tenantVia'), 'shared'])
    .orderBy('schema_name').orderBy('table_name').execute();
  const columnRules = await db.selectFrom('privacy.column_rule')
    .select(['schema_name as schema', 'table_name as table', 'column_name as column', 'category',
      'mask_strategy as mask', 'mask_params as maskParams', 'anonymize_strategy as anonymize',
      'anonymize_params as anonymizeParams', 'write_rule as write', 'write_params as writeParams'])
    .orderBy('schema_name').orderBy('table_name').orderBy('column_name').execute();
  const subjectTypes = await db.selectFrom('privacy.subject_type')
    .select(['name', 'schema_name as schema', 'table_name as table', 'key_column as key', 'description'])
    .orderBy('name').execute();
  const subjectLinks = await db.selectFrom('privacy.subject_link')
    .select(['subject_type as subjectType', 'schema_name as schema', 'table_name as table', 'column_name as column', 'unchecked'])
    .orderBy('subject_type').orderBy('schema_name').orderBy('table_name').orderBy('column_name').execute();
  const subjectPaths = await db.selectFrom('privacy.subject_path')
    .select(['subject_type as subjectType', 'schema_name as schema', 'table_name as table', 'parent_schema as parentSchema',
      'parent_table as parentTable', 'constraint_name as foreignKey'])
    .orderBy('subject_type').orderBy('schema_name').orderBy('table_name').orderBy('constraint_name').execute();
  const retentionPolicies = await db.selectFrom('privacy.retention_policy')
    .select(['schema_name as schema', 'table_name as table', 'anchor_column as anchor', sql<string>`keep::text`.as('keep'),
      'action', 'minimum', 'minimum_anchor_column as minimumAnchor', 'schedule', 'time_zone as timeZone', 'filter',
      'expired_partitions as expiredPartitions'])
    .orderBy('schema_name').orderBy('table_name').execute();
  // In force: not released (the definition release_hold() and the hold index use).
  const holds = await db.selectFrom('privacy.hold')
    .select(['subject_type as subjectType', 'reason', sql<string>`count(*)`.as('count')])
    .where('released_at', 'is', null)
    .groupBy(['subject_type', 'reason']).orderBy('subject_type').orderBy('reason').execute();
  return {
    categories, strategies, statutoryMinimums, fiscalYearStartMonth: fiscal?.month ?? 1, protectedTables, columnRules, subjectTypes, subjectLinks, subjectPaths,
    retentionPolicies, holdsInForce: holds.map((h) => ({ ...h, count: Number(h.count) })),
  };
}

/**
 * Reads the whole catalog in one transaction (a consistent snapshot), or within the caller's.
 * Needs privacy_admin (or the catalog owner).
 */
export async function readCatalog(db: Executor): Promise<CatalogSnapshot> {
  const typed = db as Kysely<PrivacyDatabase>;
  try {
    if (typed.isTransaction) return await read(typed);
    return await typed.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
  } catch (error) {
    throw toPrivacyError(error);
  }
}
