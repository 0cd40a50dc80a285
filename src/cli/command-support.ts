import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidDeclarationError } from '../errors/privacy-error.ts';
import { DEFAULT_POLICY_FILES, findPolicyFile, loadPolicy } from '../policy/load-policy.ts';
import type { Policy } from '../policy/policy-types.ts';

// What the policy commands (plan, apply, pull, discover, lint, report) share.

export { withDatabase } from '../kysely/with-database.ts';

/** Adds `--policy <file>`. */
export function withPolicyOption(command: Command, required: boolean): Command {
  return command.option('--policy <file>', `policy file${required ? ` (default: the first of ${DEFAULT_POLICY_FILES.join(', ')} here)` : ''}`);
}

/** The policy named by `--policy`, or the default file in the working directory; an error when there is none and one is required. */
export async function policyFromOptions(options: { policy?: string }, required: true): Promise<{ file: string; policy: Policy }>;
export async function policyFromOptions(options: { policy?: string }, required: false): Promise<{ file: string; policy: Policy } | undefined>;
export async function policyFromOptions(options: { policy?: string }, required: boolean): Promise<{ file: string; policy: Policy } | undefined> {
  const file = options.policy ?? (await findPolicyFile());
  if (!file) {
    if (!required) return undefined;
    throw new InvalidDeclarationError(`no policy file: pass --policy or create one of ${DEFAULT_POLICY_FILES.join(', ')}`, { code: 'NO_POLICY_FILE' });
  }
  return { file, policy: await loadPolicy(file) };
}

/** Progress for long work: on stderr, and only when a person is watching it. */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}

/** Writes `text` to `file` (`-`: standard output); refuses to replace a file unless `force`. */
export async function writeOutput(file: string, text: string, force: boolean): Promise<string> {
  if (file === '-') {
    process.stdout.write(text);
    return 'standard output';
  }
  const path = resolve(file);
  if (existsSync(path) && !force) {
    throw new InvalidDeclarationError(`${file} exists: pass --force to replace it, or --out another file`, { code: 'FILE_EXISTS' });
  }
  await writeFile(path, text);
  return file;
}

/** Prints data as JSON on standard output. */
export function printJson(data: unknown): void {
  console.log(JSON.stringify(data, null, 2));
}
