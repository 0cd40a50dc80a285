import { coverageChart, escapeXml } from './coverage-chart.ts';
import { percent, type ProcessingRecord, type TableRecord } from './processing-record.ts';

const LEGAL_BASIS_TEXT: Record<string, string> = {
  consent: 'Consent (Art. 6(1)(a))',
  contract: 'Contract (Art. 6(1)(b))',
  legal_obligation: 'Legal obligation (Art. 6(1)(c))',
  vital_interests: 'Vital interests (Art. 6(1)(d))',
  public_task: 'Public task (Art. 6(1)(e))',
  legitimate_interests: 'Legitimate interests (Art. 6(1)(f))',
};

const NOT_STATED = 'not stated (add it to the policy file)';

function coverageBars(record: ProcessingRecord) {
  return [
    { label: 'Columns classified', coverage: record.coverage.columnsClassified },
    { label: 'Personal tables protected', coverage: record.coverage.tablesProtected },
    { label: 'Personal tables with retention', coverage: record.coverage.tablesWithRetention },
  ];
}

function bases(table: TableRecord): string {
  return table.legalBases.length === 0 ? NOT_STATED : table.legalBases.map((b) => LEGAL_BASIS_TEXT[b] ?? b).join('; ');
}

function subjects(table: TableRecord): string {
  return table.subjects.length === 0 ? 'none declared' : table.subjects.map((s) => `${s.type} (${s.columns.join(', ')})`).join('; ');
}

function holdsText(record: ProcessingRecord): string[] {
  if (record.holds.total === 0) return ['No holds in force.'];
  return [
    `${record.holds.total} hold${record.holds.total === 1 ? '' : 's'} in force, which keep everything linked to the held subjects from sweeps and erasure:`,
    ...record.holds.groups.map((g) => `${g.count} × ${g.reason.replaceAll('_', ' ')} on a ${g.subjectType}`),
  ];
}

// Intraword underscores are no emphasis in CommonMark: names such as admin_user stay readable.
const md = (text: string) => text.replace(/([|\\`*[\]<>])/g, '\\$1');

/** The record of processing activities as Markdown. */
export function renderReportMarkdown(record: ProcessingRecord): string {
  const lines: string[] = [
    '# Record of processing activities (GDPR Art. 30)',
    '',
    `Database \`${record.database}\`, drawn from the integritet catalog on ${record.generatedAt}.`,
    '',
  ];
  if (record.controller) {
    lines.push(`**Controller:** ${md(record.controller.name)}${record.controller.contact ? `, ${md(record.controller.contact)}` : ''}  `);
    if (record.controller.dataProtectionOfficer) lines.push(`**Data protection officer:** ${md(record.controller.dataProtectionOfficer)}  `);
    lines.push('');
  }
  lines.push('## Coverage', '', '| measure | share | of |', '|---|---|---|');
  for (const { label, coverage } of coverageBars(record)) lines.push(`| ${label} | ${percent(coverage)} | ${coverage.part}/${coverage.whole} |`);
  lines.push('', '## Holds in force', '', ...holdsText(record).map((l, i) => (i === 0 ? l : `- ${l}`)), '');
  for (const table of record.tables) {
    lines.push(`## ${md(table.table)}`, '');
    lines.push(`- **Purpose:** ${md(table.purpose ?? NOT_STATED)}`);
    lines.push(`- **Legal basis:** ${md(bases(table))}`);
    lines.push(`- **Data subjects:** ${md(subjects(table))}`);
    lines.push(`- **Erasure:** ${md(table.retention ?? 'no retention policy: kept until erased on request')}`);
    if (table.unclassifiedColumns.length > 0) lines.push(`- **Not classified (treated as personal):** ${md(table.unclassifiedColumns.join(', '))}`);
    lines.push('', '| category of data | columns |', '|---|---|');
    for (const c of table.categories) lines.push(`| ${md(c.name)}: ${md(c.description)} | ${md(c.columns.join(', '))} |`);
    lines.push('', '**Security measures**', '', ...table.measures.map((m) => `- ${md(m)}`), '');
  }
  return `${lines.join('\n')}\n`;
}

const h = escapeXml;

/** The record as one self-contained HTML page (inline CSS and SVG, nothing fetched). */
export function renderReportHtml(record: ProcessingRecord): string {
  const controller = record.controller
    ? `<p><strong>Controller:</strong> ${h(record.controller.name)}${record.controller.contact ? `, ${h(record.controller.contact)}` : ''}`
      + `${record.controller.dataProtectionOfficer ? `<br><strong>Data protection officer:</strong> ${h(record.controller.dataProtectionOfficer)}` : ''}</p>`
    : '';
  const holds = holdsText(record);
  const tables = record.tables.map((table) => `
<section id="${h(table.table)}">
  <h2>${h(table.table)} ${table.protected ? '<span class="tag ok">protected</span>' : '<span class="tag bad">not protected</span>'}</h2>
  <dl>
    <dt>Purpose</dt><dd>${h(table.purpose ?? NOT_STATED)}</dd>
    <dt>Legal basis</dt><dd>${h(bases(table))}</dd>
    <dt>Data subjects</dt><dd>${h(subjects(table))}</dd>
    <dt>Erasure</dt><dd>${h(table.retention ?? 'no retention policy: kept until erased on request')}</dd>
    ${table.unclassifiedColumns.length > 0 ? `<dt>Not classified</dt><dd class="warn">${h(table.unclassifiedColumns.join(', '))} (treated as personal)</dd>` : ''}
  </dl>
  <table><thead><tr><th>Category of data</th><th>Columns</th></tr></thead><tbody>
    ${table.categories.map((c) => `<tr><td><strong>${h(c.name)}</strong><br><small>${h(c.description)}</small></td><td>${h(c.columns.join(', '))}</td></tr>`).join('\n    ')}
  </tbody></table>
  <h3>Security measures</h3>
  <ul>${table.measures.map((m) => `<li>${h(m)}</li>`).join('')}</ul>
</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Record of processing activities — ${h(record.database)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; color: #263238; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #cfd8dc; padding-bottom: .2rem; }
  h3 { font-size: 1rem; } .meta { color: #607d8b; } small { color: #607d8b; }
  dl { display: grid; grid-template-columns: 11rem 1fr; gap: .3rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #eceff1; }
  .tag { font-size: .75rem; padding: .1rem .45rem; border-radius: .6rem; vertical-align: middle; }
  .ok { background: #e8f5e9; color: #1b5e20; } .bad { background: #ffebee; color: #b71c1c; } .warn { color: #b71c1c; }
  nav a { margin-right: .8rem; }
  @media print { nav { display: none; } section { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Record of processing activities</h1>
<p class="meta">GDPR Art. 30 · database <code>${h(record.database)}</code> · drawn from the integritet catalog on ${h(record.generatedAt)}</p>
${controller}
<nav>${record.tables.map((t) => `<a href="#${h(t.table)}">${h(t.table)}</a>`).join('')}</nav>
<h2>Coverage</h2>
${coverageChart(coverageBars(record))}
<h2>Holds in force</h2>
<p>${h(holds[0]!)}</p>${holds.length > 1 ? `<ul>${holds.slice(1).map((l) => `<li>${h(l)}</li>`).join('')}</ul>` : ''}
<h2>Tables</h2>
${tables}
</body>
</html>
`;
}
