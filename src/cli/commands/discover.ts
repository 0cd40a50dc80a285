import { Command, InvalidArgumentError } from 'commander';
import { printJson, progress, withDatabase, writeOutput } from '../command-support.ts';
import { discoverPolicy } from '../../policy/discover/discover-policy.ts';
import { renderPolicyFile } from '../../policy/policy-file-writer.ts';
import { textTable } from '../../terminal/text-table.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

/** `integritet discover`: propose a policy for an unclassified database, for review. */
export function discoverCommand(): Command {
  const command = new Command('discover')
    .description('propose a policy from column names and sampled values, with evidence; written to a file, never applied')
    .option('--out <file>', 'file to write (.ts or .json); - for standard output', 'integritet.discovered.ts')
    .option('--force', 'replace the file if it exists')
    .option('--tenant-column <column>', 'the column holding the tenant, set on every table that has it')
    .option('--sample <rows>', 'rows sampled per table', positiveInteger, 200)
    .option('--table <table...>', 'only these tables (table or schema.table)')
    .option('--import-from <module>', 'where a .ts file imports definePolicy from', 'integritet')
    .option('--json', 'print the findings (with evidence) as JSON instead of writing a file');
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Looks for e-mail addresses, phone numbers, personnummer and organisation numbers (with their
check digit), names, street addresses, postal codes, IP addresses, coordinates, password hashes,
device identifiers and free text. Each column gets a suggested category and mask with the
evidence as a comment. Read it, correct it, then \`integritet plan --policy <file>\`.

Examples:
  $ integritet discover --tenant-column customer_id
  $ integritet discover --table customer invoice --out - | less
  $ integritet discover --json | jq '.[] | select(.confidence != "low")'`)
    .action(async (options: {
      out: string; force?: boolean; tenantColumn?: string; sample: number; table?: string[]; importFrom: string;
      json?: boolean; databaseUrl?: string;
    }) => {
      const url = databaseUrl(options);
      const sampleSize = options.sample;
      const discovery = await withDatabase(url, (db) => discoverPolicy(db, {
        sampleSize, tenantColumn: options.tenantColumn, tables: options.table,
        onTable: (table, index, count) => progress(`sampling ${table} (${index + 1}/${count})`),
      }));
      if (options.json) {
        printJson(discovery.findings);
        return;
      }
      const format = options.out.endsWith('.json') ? 'json' : 'ts';
      const text = renderPolicyFile(discovery.policy, {
        format, importFrom: options.importFrom, comments: discovery.comments,
        header: [
          'Proposed by `integritet discover` from column names and sampled values. NOT APPLIED.',
          'Review every column (the comments give the evidence), add subjects, purposes, legal bases and',
          'retention, then: integritet plan --policy <this file>',
        ],
      });
      const where = await writeOutput(options.out, text, options.force ?? false);
      const personal = discovery.findings.filter((f) => f.suggestion?.category !== 'not_personal');
      if (where !== 'standard output') {
        console.log(textTable(['column', 'looks like', 'confidence', 'category', 'mask'],
          personal.map((f) => [`${f.table}.${f.column}`, f.kind.replaceAll('_', ' '), f.confidence, f.suggestion?.category ?? '(unclassified)', f.suggestion?.mask ?? '(hidden)'])));
        console.log(`\nWrote ${where}: ${personal.length} of ${discovery.findings.length} columns proposed as personal or left unclassified. Review it before \`integritet plan\`.`);
      }
    });
}
