import { callPrivacyFunction, type Executor } from '../../client/call-privacy.ts';
import { toSqlParams } from '../strategy-params.ts';
import type { WriteRuleName, WriteRuleParams } from '../write-rule-params.ts';

/**
 * Arguments of {@link setWriteRule}: a classified column and the rule applied to every value
 * written to it, e.g. `{ table: 'admin_user', column: 'last_login_ip', rule: 'truncate_ip' }`.
 */
export type SetWriteRuleInput = { table: string; column: string } & (
  | { [R in WriteRuleName]: { rule: R; params?: WriteRuleParams<R> } }[WriteRuleName]
  | { rule: string & {}; params?: Record<string, unknown> }
);

/** Arguments of {@link clearWriteRule}. */
export interface ClearWriteRuleInput {
  table: string;
  column: string;
}

/**
 * `privacy.set_write_rule`: minimises a column on write (a trigger applies the rule for every
 * role, the owner included, before the value is stored). The column must be classified first.
 */
export async function setWriteRule(db: Executor, input: SetWriteRuleInput): Promise<void> {
  await callPrivacyFunction(db, 'set_write_rule', {
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
    rule: [input.rule, 'text'],
    params: [toSqlParams(input.params), 'jsonb'],
  });
}

/** `privacy.clear_write_rule`: removes a column's write rule. True if it had one. */
export async function clearWriteRule(db: Executor, input: ClearWriteRuleInput): Promise<boolean> {
  return callPrivacyFunction<boolean>(db, 'clear_write_rule', {
    table_name: [input.table, 'text'],
    column_name: [input.column, 'text'],
  });
}
