import type pg from 'pg';
import { openClient } from '../database/open-client.ts';

/**
 * A consistent view of the source for a whole copy: one transaction exports its snapshot
 * (pg_export_snapshot), and every further connection imports it, so tables read in parallel all
 * see the database as of the same instant. Close it when every reader is done.
 */
export interface SourceSnapshot {
  /** The exporting connection, inside the snapshot (read the plan here). */
  readonly main: pg.Client;
  /** A new connection inside the same snapshot; closed by `close()`. */
  reader(): Promise<pg.Client>;
  close(): Promise<void>;
}

/**
 * Opens the snapshot on `url`: REPEATABLE READ. Not READ ONLY: a `unique` fake draws from a
 * sequence (privacy.fake_draw), which a read-only transaction may not advance; nothing else is
 * written.
 */
export async function openSourceSnapshot(url: string): Promise<SourceSnapshot> {
  const clients: pg.Client[] = [];
  const connect = async (): Promise<pg.Client> => {
    const client = await openClient(url, { applicationName: 'integritet copy' });
    clients.push(client);
    return client;
  };
  const main = await connect();
  await main.query('begin isolation level repeatable read');
  const { rows } = await main.query<{ snapshot: string }>('select pg_catalog.pg_export_snapshot() as snapshot');
  const snapshot = rows[0]?.snapshot;
  return {
    main,
    async reader() {
      const client = await connect();
      await client.query('begin isolation level repeatable read');
      await client.query(`set transaction snapshot ${client.escapeLiteral(snapshot ?? '')}`);
      return client;
    },
    async close() {
      await Promise.all(clients.map(async (client) => {
        await client.query('rollback').catch(() => undefined);
        await client.end().catch(() => undefined);
      }));
    },
  };
}
