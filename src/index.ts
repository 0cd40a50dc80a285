// integritet: the package's public API.

// Policy as code
export { definePolicy } from './policy/define-policy.ts';
export { validatePolicy, policySchema, type PolicyValidation } from './policy/policy-schema.ts';
export { loadPolicy, findPolicyFile, DEFAULT_POLICY_FILES } from './policy/load-policy.ts';
export { PolicyError, type PolicyIssue } from './policy/policy-error.ts';
export { planPolicy, type PlanOptions, type PolicyPlan } from './policy/plan-policy.ts';
export { applyPolicy, type ApplyOptions, type PolicyApplyResult } from './policy/apply-policy.ts';
export type { PlanAction, PlanChange } from './policy/plan-changes.ts';
export { formatPlan, planAsJson } from './policy/format-plan.ts';
export { pullPolicy, policyFromCatalog, type PulledPolicy } from './policy/pull-policy.ts';
export { renderPolicyFile, type PolicyFileOptions } from './policy/policy-file-writer.ts';
export {
  discoverPolicy, type ColumnFinding, type Confidence, type DiscoverOptions, type Discovery,
} from './policy/discover/discover-policy.ts';
export type { PersonalKind } from './policy/discover/personal-kinds.ts';
export { lintDatabase, type LintFinding, type LintResult, type LintRule } from './policy/lint/lint-database.ts';
export { formatLint } from './policy/lint/format-lint.ts';
export {
  buildProcessingRecord, type CategoryRecord, type Coverage, type ProcessingRecord, type TableRecord,
} from './policy/report/processing-record.ts';
export { renderReportHtml, renderReportMarkdown } from './policy/report/render-report.ts';
export type {
  ColumnPolicy, Controller, LegalBasis, Policy, RetentionPolicyInput, SubjectPolicy, TablePolicy,
} from './policy/policy-types.ts';
export { LEGAL_BASES } from './policy/policy-types.ts';

// The Kysely layer
export { createIntegritet, type Integritet, type BoundMethods } from './kysely/integritet.ts';
export { withTenant } from './kysely/with-tenant.ts';
export { openKysely } from './kysely/open-kysely.ts';
export { API_METHODS } from './kysely/api-methods.ts';
export type { ClassifyColumnInput, KnownCategory } from './kysely/api/classify-column.ts';
export type { DeclassifyColumnInput } from './kysely/api/declassify-column.ts';
export type { ClearWriteRuleInput, SetWriteRuleInput } from './kysely/api/write-rules.ts';
export {
  WRITE_RULE_PARAMS, isKnownWriteRule, type WriteChoice, type WriteRuleName, type WriteRuleParams,
} from './kysely/write-rule-params.ts';
export type { ProtectTableInput } from './kysely/api/protect-table.ts';
export type { UnprotectTableInput } from './kysely/api/unprotect-table.ts';
export type { DeclareSubjectTypeInput } from './kysely/api/declare-subject-type.ts';
export type { SubjectLinkInput } from './kysely/api/link-subject.ts';
export type { SetRetentionOptionsInput, RetentionFilterValue } from './kysely/api/set-retention-options.ts';
export type { PlaceDebtHoldInput, RecordDebtEventInput } from './kysely/api/debt-holds.ts';
export type { KnownStatutoryMinimum, SetRetentionInput } from './kysely/api/set-retention.ts';
export type { DropRetentionInput } from './kysely/api/drop-retention.ts';
export type { Day, PlaceHoldInput } from './kysely/api/place-hold.ts';
export type { ReleaseHoldInput } from './kysely/api/release-hold.ts';
export type { CatalogColumnRule, CatalogRetention, CatalogSnapshot } from './kysely/api/read-catalog.ts';
export { exportSubject, type ExportSubjectInput } from './kysely/api/export-subject.ts';
export { eraseSubject, eraseDue, type EraseSubjectInput, type DueErasureLine } from './kysely/api/erase-subject.ts';
export {
  restrictSubject, unrestrictSubject, type RestrictSubjectInput, type UnrestrictSubjectInput,
} from './kysely/api/restrict-subject.ts';
export {
  receiveSubjectRequest, processSubjectRequest, extendSubjectRequest, closeSubjectRequest, listSubjectRequests,
  type ReceiveSubjectRequestInput, type ExtendSubjectRequestInput, type CloseSubjectRequestInput, type ListSubjectRequestsInput,
} from './kysely/api/subject-requests.ts';
export { readDatabaseStatus, type DatabaseStatus, type RetentionStatus } from './status/database-status.ts';
export {
  readSubjectGraph, linkSubjectThrough, unlinkSubjectThrough, type SubjectGraphLine, type SubjectPathInput,
} from './subjects/subject-graph.ts';
export type {
  ColumnLeft, ErasureLine, ExportRetention, ExportTable, RequestOutcome, RestrictionLine, SubjectExport, SubjectRequest, SubjectRequestKind,
} from './subjects/subject-reports.ts';
export { withPurposes } from './policy/export-purposes.ts';
export { registerErasureHandlers, sendErasureJob, type ErasureHandlerOptions } from './worker/erasure-handlers.ts';

// Retention sweeps: now (`integritet sweep`), or scheduled by pg-boss (`integritet worker`)
export { runSweep, type RunSweepOptions, type SweepConnection, type SweepProgress } from './retention/run-sweep.ts';
export type { SweepLine, SweepRunState, SweepSummary, TableSweepSummary } from './retention/sweep-summary.ts';
export { eraseDueSubjects, type DueErasures, type DueErasureOptions, type DueErasureTable } from './retention/due-erasures.ts';
export { startSweepWorker, type SweepWorker, type SweepWorkerOptions } from './worker/sweep-worker.ts';
export { watchDatabaseOutages, type OutageWatch, type OutageWatchOptions } from './worker/database-outage.ts';

// Safe copies
export { copyDatabase, type CopyOptions, type CopyResult } from './copy/copy-database.ts';
export { dumpDatabase, type DumpOptions } from './copy/dump-database.ts';
export { parseSubsets } from './copy/subset-option.ts';
export type { Subset } from './copy/copy-plan.ts';
export { registerSweepHandlers, sendSweepJob, type SweepHandlerOptions, type SweepJobOutput } from './worker/sweep-handlers.ts';
export { SWEEP_QUEUE, SWEEP_DEAD_LETTER_QUEUE, type SweepJobData, type SweepQueueOptions } from './worker/sweep-queue.ts';
export { ERASURE_QUEUE, type ErasureJobData } from './worker/erasure-queue.ts';
export {
  STRATEGY_PARAMS, isKnownStrategy, toSqlParams, fromSqlParams,
  type AnonymizeChoice, type MaskChoice, type StrategyName, type StrategyParams,
} from './kysely/strategy-params.ts';
export type { PrivacyDatabase } from './kysely/catalog/privacy-database.ts';
export type { Category, CategoryTable } from './kysely/catalog/category.table.ts';
export type { Strategy, StrategyParamSpec, StrategyTable } from './kysely/catalog/strategy.table.ts';
export type { StatutoryMinimum, StatutoryMinimumTable } from './kysely/catalog/statutory-minimum.table.ts';
export type { ProtectedTable, ProtectedTableTable } from './kysely/catalog/protected-table.table.ts';
export type { ColumnRule, ColumnRuleTable } from './kysely/catalog/column-rule.table.ts';
export type { SubjectType, SubjectTypeTable } from './kysely/catalog/subject-type.table.ts';
export type { SubjectLink, SubjectLinkTable } from './kysely/catalog/subject-link.table.ts';
export type { PostgresInterval, RetentionPolicy, RetentionPolicyTable } from './kysely/catalog/retention-policy.table.ts';
export type { Hold, HoldTable } from './kysely/catalog/hold.table.ts';
export type { LedgerEntry, LedgerTable } from './kysely/catalog/ledger.table.ts';

// Errors
export {
  PrivacyError, UnknownObjectError, InvalidDeclarationError, ProtectedRecordError, AccessDeniedError,
  MigrationError, ObjectInUseError, ProvisioningError, ConnectionLostError, StoppedError, toPrivacyError,
} from './errors/privacy-error.ts';
export { SQLSTATES, isPrivacySqlstate, type PrivacyErrorKind, type PrivacySqlstate } from './errors/sqlstates.ts';

// Installing the toolkit, and databases for tests and demos
export {
  migrateUp, migrateDown, migrationStatus,
  type Connection, type MigrateDownOptions, type MigrateOptions, type MigrateResult, type MigrationState,
} from './migrate/migrator.ts';
export {
  chooseDatabaseKind, provisionDatabase, type DatabaseKind, type ProvisionedDatabase, type ProvisionOptions,
} from './database/provision.ts';
export { DatabaseProvisionError, type DatabaseProvisionErrorCode } from './database/database-provision-error.ts';
export { exportLegalState, importLegalState, type LegalState, type RestoredCounts } from './ledger/legal-state-file.ts';
