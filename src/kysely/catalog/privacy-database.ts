import type { CategoryTable } from './category.table.ts';
import type { ColumnRuleTable } from './column-rule.table.ts';
import type { HoldTable } from './hold.table.ts';
import type { LedgerTable } from './ledger.table.ts';
import type { ProtectedTableTable } from './protected-table.table.ts';
import type { RetentionPolicyTable } from './retention-policy.table.ts';
import type { StatutoryMinimumTable } from './statutory-minimum.table.ts';
import type { StrategyTable } from './strategy.table.ts';
import type { SubjectLinkTable } from './subject-link.table.ts';
import type { SubjectPathTable } from './subject-path.table.ts';
import type { SubjectTypeTable } from './subject-type.table.ts';

/**
 * The toolkit's catalog tables as Kysely sees them, to merge into an application's own database
 * type (`Kysely<AppDatabase & PrivacyDatabase>`). privacy_admin may read them; nobody but their
 * owner writes them: declare through the methods of `createIntegritet()`.
 */
export interface PrivacyDatabase {
  'privacy.category': CategoryTable;
  'privacy.strategy': StrategyTable;
  'privacy.statutory_minimum': StatutoryMinimumTable;
  'privacy.protected_table': ProtectedTableTable;
  'privacy.column_rule': ColumnRuleTable;
  'privacy.subject_type': SubjectTypeTable;
  'privacy.subject_link': SubjectLinkTable;
  'privacy.subject_path': SubjectPathTable;
  'privacy.retention_policy': RetentionPolicyTable;
  'privacy.hold': HoldTable;
  'privacy.ledger': LedgerTable;
}
