import pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';

/** One line of `privacy.retention_forecast()`: rows of a table a sweep on that day would act on, keep or release. */
export interface ForecastLine {
  table: string;
  /** `anonymize`, `delete`, `kept`, or `release` (a row an erasure kept restricted, erased by `privacy.erase_due()`). */
  action: string;
  /** Why then: `due now`, `keep period ends`, `minimum:bookkeeping ends`, `hold:debt ends`; for kept rows what keeps them. */
  reason: string | null;
  rows: number;
  /** For kept rows the last day the latest of them is kept; for released ones the day their reason ends (`YYYY-MM-DD`). */
  until: string | null;
}

/**
 * What the sweeps on day `at` (`YYYY-MM-DD`) would do, and why, as `privacy.retention_forecast`
 * works it out; changes nothing. Errors come back as the toolkit's error classes.
 */
export async function retentionForecast(connection: string, at: string, table?: string): Promise<ForecastLine[]> {
  const client = new pg.Client({ connectionString: connection });
  await client.connect();
  try {
    const { rows } = await client.query<{ relation: string; action: string; reason: string | null; row_count: string; until: string | null }>(
      'select relation, action, reason, row_count, until::text from privacy.retention_forecast($1::date, $2)', [at, table ?? null]);
    return rows.map((r) => ({ table: r.relation, action: r.action, reason: r.reason, rows: Number(r.row_count), until: r.until }));
  } catch (error) {
    throw toPrivacyError(error);
  } finally {
    await client.end();
  }
}
