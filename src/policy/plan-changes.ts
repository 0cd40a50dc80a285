import {
  type ColumnRuleState, type DeclaredState, type DesiredState, type ProtectionState,
  type RetentionState, type SubjectLinkState, type SubjectPathState, type SubjectTypeState,
} from './declared-state.ts';
import { formatPath } from './policy-path.ts';
import { qualified, tableKey } from './table-names.ts';

/** What a change does to an object of the catalog. */
export type PlanAction = 'add' | 'change' | 'remove';

interface Change<Kind extends string, State> {
  kind: Kind;
  action: PlanAction;
  /** The object in the catalog: `public.customer.email`, `customer: public.invoice.customer_id`. */
  object: string;
  /** Where it is (or would be) in the policy file: `tables.customer.columns.email`. */
  path: string;
  before: State | null;
  after: State | null;
  /** The fields that differ, for a change. */
  changed: string[];
}

/** One difference between the policy file and the catalog. */
export type PlanChange =
  | Change<'protection', ProtectionState>
  | Change<'column', ColumnRuleState>
  | Change<'subject-type', SubjectTypeState>
  | Change<'subject-link', SubjectLinkState>
  | Change<'subject-path', SubjectPathState>
  | Change<'retention', RetentionState>;

/** JSON with object keys sorted, so that equal parameters compare equal however they were written. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

function differingFields<S extends object>(before: S, after: S): string[] {
  return (Object.keys(after) as (keyof S & string)[]).filter((k) => canonical(before[k]) !== canonical(after[k]));
}

/** Paths for objects only the catalog has, where the policy would declare them. */
function removedPath(
  kind: PlanChange['kind'],
  state: ProtectionState | ColumnRuleState | SubjectLinkState | SubjectPathState | RetentionState | SubjectTypeState,
): string {
  switch (kind) {
    case 'protection': return formatPath(['tables', tableKey(state)]);
    case 'column': return formatPath(['tables', tableKey(state), 'columns', (state as ColumnRuleState).column]);
    case 'retention': return formatPath(['tables', tableKey(state), 'retention']);
    case 'subject-link': return formatPath(['subjects', (state as SubjectLinkState).subjectType, 'links']);
    case 'subject-path': return formatPath(['subjects', (state as SubjectPathState).subjectType, 'paths']);
    case 'subject-type': return formatPath(['subjects', (state as SubjectTypeState).name]);
  }
}

function diffMap<Kind extends PlanChange['kind'], S extends object>(
  kind: Kind,
  desired: Map<string, S>,
  current: Map<string, S>,
  paths: Map<string, string>,
  prune: (key: string, state: S) => boolean,
): Change<Kind, S>[] {
  const changes: Change<Kind, S>[] = [];
  for (const [key, after] of desired) {
    const path = paths.get(`${kind}:${key}`) ?? key;
    const before = current.get(key);
    if (!before) changes.push({ kind, action: 'add', object: key, path, before: null, after, changed: [] });
    else {
      const changed = differingFields(before, after);
      if (changed.length > 0) changes.push({ kind, action: 'change', object: key, path, before, after, changed });
    }
  }
  for (const [key, before] of current) {
    if (!desired.has(key) && prune(key, before)) {
      changes.push({ kind, action: 'remove', object: key, path: removedPath(kind, before as never), before, after: null, changed: [] });
    }
  }
  return changes;
}

/** The plan's changes and what it cannot do. */
export interface StateDiff {
  changes: PlanChange[];
  /** Subject types in the catalog the policy does not name: the SQL API cannot remove them. */
  keptSubjectTypes: string[];
}

/**
 * The changes that turn `current` into `desired`. With `prune`, what only the catalog declares
 * is removed (the policy file is the whole truth); without it, only additions and changes.
 * Subject types are never removed (the SQL API has no call for it) and their links are left
 * alone when the policy does not name the type.
 */
export function diffStates(desired: DesiredState, current: DeclaredState, options: { prune: boolean }): StateDiff {
  const prune = <S>(_: string, __: S) => options.prune;
  const changes: PlanChange[] = [
    ...diffMap('protection', desired.protections, current.protections, desired.paths, prune),
    ...diffMap('column', desired.columnRules, current.columnRules, desired.paths, prune),
    ...diffMap('retention', desired.retention, current.retention, desired.paths, prune),
    ...diffMap('subject-type', desired.subjectTypes, current.subjectTypes, desired.paths, () => false),
    ...diffMap('subject-link', desired.subjectLinks, current.subjectLinks, desired.paths,
      (_, link) => options.prune && desired.subjectTypes.has(link.subjectType)),
    ...diffMap('subject-path', desired.subjectPaths, current.subjectPaths, desired.paths,
      (_, path) => options.prune && desired.subjectTypes.has(path.subjectType)),
  ];
  return {
    changes: sortForReading(changes),
    keptSubjectTypes: [...current.subjectTypes.keys()].filter((name) => !desired.subjectTypes.has(name)),
  };
}

const KIND_ORDER: Record<PlanChange['kind'], number> = {
  protection: 0, column: 1, retention: 2, 'subject-type': 3, 'subject-link': 4, 'subject-path': 5,
};

function tableOf(change: PlanChange): string {
  const state = (change.after ?? change.before)!;
  return change.kind === 'subject-type' || change.kind === 'subject-link' || change.kind === 'subject-path' ? '' : qualified(state);
}

/** Tables first (each with its protection, columns, retention), then subjects. */
function sortForReading(changes: PlanChange[]): PlanChange[] {
  const isSubject = (c: PlanChange) => (c.kind === 'subject-type' || c.kind === 'subject-link' || c.kind === 'subject-path' ? 1 : 0);
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) =>
      isSubject(a.change) - isSubject(b.change)
      || (isSubject(a.change) ? subjectOf(a.change).localeCompare(subjectOf(b.change)) : tableOf(a.change).localeCompare(tableOf(b.change)))
      || KIND_ORDER[a.change.kind] - KIND_ORDER[b.change.kind]
      || a.index - b.index)
    .map(({ change }) => change);
}

function subjectOf(change: PlanChange): string {
  return change.kind === 'subject-type' ? (change.after ?? change.before)!.name
    : change.kind === 'subject-link' || change.kind === 'subject-path' ? (change.after ?? change.before)!.subjectType : '';
}

