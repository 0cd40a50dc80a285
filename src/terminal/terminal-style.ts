/** Styles for text written to a terminal; plain text everywhere else. */
export interface TerminalStyle {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const identity = (text: string) => text;

/** No styling: for files, pipes and JSON. */
export const PLAIN_STYLE: TerminalStyle = { green: identity, yellow: identity, red: identity, cyan: identity, bold: identity, dim: identity };

const ANSI_STYLE: TerminalStyle = {
  green: ansi(32, 39), yellow: ansi(33, 39), red: ansi(31, 39), cyan: ansi(36, 39), bold: ansi(1, 22), dim: ansi(2, 22),
};

/**
 * Colours only when `stream` is a terminal, unless NO_COLOR is set (https://no-color.org) or
 * FORCE_COLOR asks for them anyway.
 */
export function terminalStyle(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): TerminalStyle {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return ANSI_STYLE;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return PLAIN_STYLE;
  return stream.isTTY ? ANSI_STYLE : PLAIN_STYLE;
}
