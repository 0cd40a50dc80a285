import { fromSqlParams } from '../kysely/strategy-params.ts';
import { describeColumnRule, describeParams, describeProtection, describeRetention } from './describe-declaration.ts';
import type { PlanChange } from './plan-changes.ts';
import type { PolicyPlan } from './plan-policy.ts';
import { qualified } from './table-names.ts';
import { PLAIN_STYLE, type TerminalStyle } from '../terminal/terminal-style.ts';

const SIGN = { add: '+', change: '~', remove: '-' } as const;

function fieldValue(change: PlanChange, field: string, state: Record<string, unknown>): string {
  const value = state[field];
  if (field.endsWith('Params')) return describeParams(value as Record<string, unknown>).trim() || '{}';
  if (change.kind === 'column' && (field === 'mask' || field === 'anonymize' || field === 'write')) return value === null ? '(none)' : String(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value === null || value === '' ? '(none)' : String(value);
}

function describeChange(change: PlanChange): { label: string; text: string } {
  const state = (change.after ?? change.before)!;
  if (change.action === 'change') {
    const text = change.changed
      .map((f) => `${f} ${fieldValue(change, f, change.before as never)} → ${fieldValue(change, f, change.after as never)}`)
      .join('; ');
    const label = change.kind === 'column' ? change.after!.column
      : change.kind === 'subject-type' ? `subject type ${change.after!.name}`
        : change.kind === 'protection' ? 'protect' : change.kind;
    return { label, text };
  }
  switch (change.kind) {
    case 'protection':
      return { label: change.action === 'add' ? 'protect' : 'unprotect', text: change.action === 'add' ? describeProtection(change.after!) : '' };
    case 'column':
      return change.action === 'add'
        ? { label: change.after!.column, text: describeColumnRule(change.after!) }
        : { label: change.before!.column, text: 'declassify (counts as personal again)' };
    case 'retention':
      return change.action === 'add'
        ? { label: 'retention', text: describeRetention(change.after!) }
        : { label: 'retention', text: 'drop the retention policy' };
    case 'subject-type': {
      const type = change.after!;
      return { label: `subject type ${type.name}`, text: `${qualified(type)}.${type.key}${type.description ? ` — ${type.description}` : ''}` };
    }
    case 'subject-link': {
      const link = state as { subjectType: string; schema: string; table: string; column: string; unchecked: boolean };
      return {
        label: `${change.action === 'add' ? 'link' : 'unlink'} ${link.subjectType}`,
        text: `${qualified(link)}.${link.column}${link.unchecked ? ' (unchecked)' : ''}`,
      };
    }
    case 'subject-path': {
      const path = change.after ?? change.before!;
      return {
        label: `${change.action === 'remove' ? 'unlink' : 'link'} ${path.subjectType}`,
        text: `${qualified(path)} through ${qualified({ schema: path.parentSchema, table: path.parentTable })}`
          + (path.foreignKey ? ` (${path.foreignKey})` : ''),
      };
    }
  }
}

/** The plan as text for a terminal or a CI log: grouped by table, then subjects, then a summary. */
export function formatPlan(plan: PolicyPlan, style: TerminalStyle = PLAIN_STYLE): string {
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push(style.green('No changes: the catalog matches the policy.'));
  } else {
    const groups = new Map<string, PlanChange[]>();
    for (const change of plan.changes) {
      const isSubject = change.kind === 'subject-type' || change.kind === 'subject-link';
      const heading = isSubject ? 'subjects' : qualified((change.after ?? change.before)!);
      groups.set(heading, [...(groups.get(heading) ?? []), change]);
    }
    for (const [heading, changes] of groups) {
      if (lines.length > 0) lines.push('');
      lines.push(style.bold(heading));
      const described = changes.map((change) => ({ change, ...describeChange(change) }));
      const width = Math.max(...described.map((d) => d.label.length));
      for (const { change, label, text } of described) {
        const colour = change.action === 'add' ? style.green : change.action === 'change' ? style.yellow : style.red;
        lines.push(`  ${colour(`${SIGN[change.action]} ${label.padEnd(width)}`)}${text ? `  ${text}` : ''}`.trimEnd());
      }
    }
  }
  if (plan.newlyProtected.length > 0) {
    lines.push('', style.bold('Tables that would become protected') + ' (restricted roles then read them masked, and only their tenant\'s rows):');
    lines.push(`  ${plan.newlyProtected.join(', ')}`);
  }
  if (plan.everyTenantReads.length > 0) {
    lines.push('', style.yellow('Protected tables that every tenant reads') + ' (masked, but no tenant declared: give tenantColumn, a tenant path, or tenant: \'shared\'):');
    lines.push(`  ${plan.everyTenantReads.join(', ')}`);
  }
  if (plan.sharedTables.length > 0) {
    lines.push('', style.bold('Shared tables') + ' (declared without a tenant: every tenant reads their rows, masked):');
    lines.push(`  ${plan.sharedTables.join(', ')}`);
  }
  if (plan.noLongerProtected.length > 0) {
    lines.push('', style.red('Tables that would lose their protection:'), `  ${plan.noLongerProtected.join(', ')}`);
  }
  for (const warning of plan.warnings) lines.push('', `${style.yellow('warning:')} ${warning}`);
  for (const error of plan.errors) {
    lines.push('', `${style.red('error:')} ${error.path}: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
  }
  if (plan.errors.length > 0) {
    lines.push('', style.red(`${plan.errors.length} declared anonymize strateg${plan.errors.length === 1 ? 'y' : 'ies'} the schema's constraints refuse: `
      + 'apply would refuse them, and sweeps would fail on them.'));
  }
  const { add, change, remove } = plan.summary;
  if (plan.changes.length > 0) lines.push('', `Plan: ${add} to add, ${change} to change, ${remove} to remove.`);
  return lines.join('\n');
}

/** The plan as data: what `--json` prints. Parameters as the policy file writes them (camelCase). */
export function planAsJson(plan: PolicyPlan): unknown {
  const camel = (state: Record<string, unknown> | null) => state && Object.fromEntries(Object.entries(state).map(([k, v]) =>
    [k, k.endsWith('Params') ? fromSqlParams(v as Record<string, unknown>) : v]));
  return {
    ...plan,
    changes: plan.changes.map((c) => ({ ...c, before: camel(c.before as never), after: camel(c.after as never) })),
  };
}
