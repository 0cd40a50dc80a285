import { textTable } from '../../terminal/text-table.ts';
import { PLAIN_STYLE, type TerminalStyle } from '../../terminal/terminal-style.ts';
import type { LintResult } from './lint-database.ts';

/** Lint findings as text: one line each, then a count. */
export function formatLint(result: LintResult, style: TerminalStyle = PLAIN_STYLE): string {
  if (result.findings.length === 0) return style.green('No findings.');
  const rows = result.findings.map((f) => [f.severity, f.rule, f.path ? `${f.object} (${f.path})` : f.object, f.message]);
  const table = textTable(['severity', 'rule', 'object', 'finding'], rows)
    .split('\n')
    .map((line) => line.replace(/^(error|warning)\b/, (s) => (s === 'error' ? style.red(s) : style.yellow(s))))
    .join('\n');
  const { errors, warnings } = result.summary;
  return `${table}\n\n${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
}
