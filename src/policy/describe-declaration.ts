import { fromSqlParams } from '../kysely/strategy-params.ts';
import type { ColumnRuleState, ProtectionState, RetentionState } from './declared-state.ts';
import { RETENTION_DEFAULTS } from './declared-state.ts';

/** Parameters as the policy file writes them: `{ keepFirst: 1 }`, or nothing when there are none. */
export function describeParams(params: Record<string, unknown>): string {
  const entries = Object.entries(fromSqlParams(params));
  return entries.length === 0 ? '' : ` { ${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`;
}

/** `contact · mask email · anonymize fake { kind: "email" }`; `credential · hidden`; `technical · hidden · write truncate_ip`. */
export function describeColumnRule(rule: ColumnRuleState): string {
  const parts = [rule.category];
  // Restricted roles read a personal column without a mask as NULL (sql/030-categories.sql).
  if (rule.mask) parts.push(`mask ${rule.mask}${describeParams(rule.maskParams)}`);
  else if (rule.category !== 'not_personal') parts.push('hidden');
  if (rule.anonymize) parts.push(`anonymize ${rule.anonymize}${describeParams(rule.anonymizeParams)}`);
  if (rule.write) parts.push(`write ${rule.write}${describeParams(rule.writeParams)}`);
  return parts.join(' · ');
}

/**
 * `tenant column customer_id`; `tenant store_id through rental_id → customer_id`; `shared: every
 * tenant reads its rows`; `no tenant: every tenant sees its rows`.
 */
export function describeProtection(protection: ProtectionState): string {
  if (protection.tenantVia && protection.tenantColumn) {
    return `tenant ${protection.tenantColumn} through ${protection.tenantVia.join(' → ')}`;
  }
  if (protection.tenantColumn) return `tenant column ${protection.tenantColumn}`;
  if (protection.shared) return 'shared: every tenant reads its rows';
  return 'no tenant: every tenant sees its rows';
}

/** `anonymize 90 days after recorded_at, kept at least bookkeeping from fiscal_year_end` */
export function describeRetention(r: RetentionState): string {
  let text = `${r.action} ${r.keep} after ${r.anchor}`;
  if (r.minimum) text += `, kept at least as ${r.minimum} requires from ${r.minimumAnchor}`;
  const filter = Object.entries(r.filter);
  if (filter.length > 0) text += `, only rows with ${filter.map(([k, v]) => `${k} ${Array.isArray(v) ? `in ${JSON.stringify(v)}` : `= ${JSON.stringify(v)}`}`).join(' and ')}`;
  if (r.expiredPartitions !== RETENTION_DEFAULTS.expiredPartitions) text += `, expired partitions: ${r.expiredPartitions}`;
  if (r.schedule !== RETENTION_DEFAULTS.schedule || r.timeZone !== RETENTION_DEFAULTS.timeZone) {
    text += ` (sweeps ${r.schedule} ${r.timeZone})`;
  }
  return text;
}
