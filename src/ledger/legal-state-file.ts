import pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';

/** What `privacy.export_legal_state()` returns: the ledger, holds, restrictions and requests. */
export interface LegalState {
  format: 'integritet-legal-state';
  version: 1;
  exported_at: string;
  database: string;
  ledger: Record<string, unknown>[];
  hold: Record<string, unknown>[];
  hold_event: Record<string, unknown>[];
  subject_request: Record<string, unknown>[];
  restricted_row: Record<string, unknown>[];
  erased_row: Record<string, unknown>[];
}

/** How many records of each kind an import restored. */
export interface RestoredCounts {
  record: string;
  restored: number;
}

async function withClient<T>(connection: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: connection });
  await client.connect();
  try {
    return await work(client);
  } catch (error) {
    throw toPrivacyError(error);
  } finally {
    await client.end();
  }
}

/** The records the law makes the controller keep, as one document to keep before an uninstall. */
export async function exportLegalState(connection: string): Promise<LegalState> {
  return withClient(connection, async (client) =>
    (await client.query<{ state: LegalState }>('select privacy.export_legal_state() as state')).rows[0]!.state);
}

/** Restores an export into a new install, in one transaction (all or nothing). */
export async function importLegalState(connection: string, state: unknown): Promise<RestoredCounts[]> {
  return withClient(connection, async (client) => {
    await client.query('begin');
    try {
      const { rows } = await client.query<{ record: string; restored: string }>(
        'select record, restored from privacy.import_legal_state($1::jsonb)', [JSON.stringify(state)]);
      await client.query('commit');
      return rows.map((r) => ({ record: r.record, restored: Number(r.restored) }));
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  });
}
