import { percent, type Coverage } from './processing-record.ts';

/** Text safe inside XML and HTML elements and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A horizontal bar chart of coverage figures as inline SVG (no script, no external resources). */
export function coverageChart(bars: { label: string; coverage: Coverage }[]): string {
  const rowHeight = 34;
  const labelWidth = 230;
  const barWidth = 360;
  const height = bars.length * rowHeight + 10;
  const rows = bars.map(({ label, coverage }, i) => {
    const share = coverage.whole === 0 ? 0 : coverage.part / coverage.whole;
    const y = 8 + i * rowHeight;
    const colour = share >= 1 ? '#2e7d32' : share >= 0.75 ? '#f9a825' : '#c62828';
    return [
      `<text x="0" y="${y + 17}" class="label">${escapeXml(label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="22" rx="3" fill="#eceff1"/>`,
      `<rect x="${labelWidth}" y="${y}" width="${Math.round(barWidth * share)}" height="22" rx="3" fill="${colour}"/>`,
      `<text x="${labelWidth + barWidth + 10}" y="${y + 17}" class="value">${escapeXml(`${percent(coverage)} (${coverage.part}/${coverage.whole})`)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Coverage" width="${labelWidth + barWidth + 130}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 130} ${height}">`
    + '<style>.label,.value{font:14px system-ui,sans-serif;fill:#263238}</style>'
    + `${rows.join('')}</svg>`;
}
