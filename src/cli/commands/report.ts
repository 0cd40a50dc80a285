import { Command, Option } from 'commander';
import { policyFromOptions, printJson, withDatabase, withPolicyOption, writeOutput } from '../command-support.ts';
import { buildProcessingRecord } from '../../policy/report/processing-record.ts';
import { renderReportHtml, renderReportMarkdown } from '../../policy/report/render-report.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet report`: the record of processing activities (GDPR Art. 30). */
export function reportCommand(): Command {
  const command = new Command('report')
    .description('write the record of processing activities (GDPR Art. 30) from the catalog and the policy file')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html']).default('md'))
    .option('--out <file>', 'file to write; - for standard output', '-')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print the record as JSON');
  withPolicyOption(command, true);
  withDatabaseUrl(command);
  return command
    .addHelpText('after', `
Purposes, legal bases and the controller come from the policy file (--policy, or the default
file here if there is one); everything else from the catalog. Holds are counted, never listed.

Examples:
  $ integritet report > ropa.md
  $ integritet report --format html --out ropa.html
  $ integritet report --json | jq '.coverage'`)
    .action(async (options: { format: 'md' | 'html'; out: string; force?: boolean; json?: boolean; policy?: string; databaseUrl?: string }) => {
      const url = databaseUrl(options);
      const found = await policyFromOptions(options, false);
      const record = await withDatabase(url, (db) => buildProcessingRecord(db, { policy: found?.policy }));
      if (options.json) {
        printJson(record);
        return;
      }
      const text = options.format === 'html' ? renderReportHtml(record) : renderReportMarkdown(record);
      const where = await writeOutput(options.out, text, options.force ?? false);
      if (where !== 'standard output') console.log(`Wrote ${where}.`);
    });
}
