import { InvalidDeclarationError } from '../errors/privacy-error.ts';

/** One problem with a policy, at a path such as `tables.customer.columns.emial`. */
export interface PolicyIssue {
  path: string;
  message: string;
  hint?: string;
  /** The SQLSTATE when the database refused it (`PV004`), else absent. */
  code?: string;
}

/**
 * A policy that cannot be applied: malformed, naming what does not exist, or refused by the
 * database. Lists every problem found, each with its path; nothing was changed.
 */
export class PolicyError extends InvalidDeclarationError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: PolicyIssue[], options: { source?: string; code?: string; cause?: unknown } = {}) {
    const lines = issues.map((issue) => `${issue.path}: ${issue.message}${issue.hint ? `\n    hint: ${issue.hint}` : ''}`);
    const where = options.source ? ` in ${options.source}` : '';
    const message = issues.length === 1
      ? `${lines[0]}${where ? ` (${where.trim()})` : ''}`
      : `${issues.length} problems${where}:\n  ${lines.join('\n  ')}`;
    super(message, { code: options.code ?? issues.find((i) => i.code)?.code ?? 'INVALID_POLICY', cause: options.cause });
    this.issues = issues;
  }
}
