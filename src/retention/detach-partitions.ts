import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';

// Whole expired partitions leave their partitioned table by ALTER TABLE … DETACH PARTITION …
// CONCURRENTLY: SHARE UPDATE EXCLUSIVE on the parent, never ACCESS EXCLUSIVE, so the application
// reads and writes on meanwhile. PostgreSQL runs it only outside a transaction block, so the SQL
// side hands the partitions over (sql/336-partition-detach.sql) and this runs the statement.

/** Options of `detachExpiredPartitions`. */
export interface DetachOptions {
  /** lock_timeout of each attempt, in ms (default 1000): how long it may wait for a lock or for the readers of the parent. */
  lockTimeoutMs?: number;
  /** Attempts per partition (default 6), the pause doubling from `retryDelayMs` (default 250 ms). */
  attempts?: number;
  retryDelayMs?: number;
  /** Stops retrying (the partition is left for the next run). */
  signal?: AbortSignal;
  deadline?: number;
}

/** What became of one handed-over partition. */
export interface DetachedPartition {
  partition: string;
  /** `drop_partition` / `detach_partition`; `attached_again` when rows that must stay arrived; `busy` when left for a later run. */
  action: 'drop_partition' | 'detach_partition' | 'attached_again' | 'busy';
  rows: number;
}

interface Handed {
  partition_name: string;
  parent: string;
  state: 'attached' | 'detach_pending' | 'detached';
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Detaches, concurrently, the expired partitions of `table` (every table with a delete policy when
 * left out) that `privacy.partitions_to_detach` hands over, on `client` outside any transaction;
 * finishes a detach an earlier run left pending (FINALIZE); then has each retired
 * (`privacy.retire_detached_partition`: checked again, dropped, in the ledger). A partition whose
 * locks stay taken is left for the next run.
 */
export async function detachExpiredPartitions(client: pg.ClientBase, table: string | undefined,
                                              options: DetachOptions = {}): Promise<DetachedPartition[]> {
  let handed: Handed[];
  try {
    handed = (await client.query<Handed>('select partition_name, parent, state from privacy.partitions_to_detach($1)', [table ?? null])).rows;
  } catch (error) {
    // A login granted privacy.sweep() alone, not the hand-over: the sweep retires whole expired
    // partitions itself, inside its transaction, as it did before partitions were detached.
    if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return [];
    throw toPrivacyError(error);
  }
  const results: DetachedPartition[] = [];
  for (const partition of handed) {
    const detached = partition.state === 'detached' || await detach(client, partition, options);
    if (!detached) {
      results.push({ partition: partition.partition_name, action: 'busy', rows: 0 });
      continue;
    }
    try {
      const { rows } = await client.query<{ action: DetachedPartition['action']; row_count: string }>(
        'select action, row_count from privacy.retire_detached_partition($1)', [partition.partition_name]);
      results.push({ partition: partition.partition_name, action: rows[0]!.action, rows: Number(rows[0]!.row_count) });
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw toPrivacyError(error);
      results.push({ partition: partition.partition_name, action: 'busy', rows: 0 });
    }
  }
  return results;
}

/** DETACH … CONCURRENTLY (or FINALIZE, after an interrupted one), retried with backoff; false when its locks stayed taken. */
async function detach(client: pg.ClientBase, partition: Handed, options: DetachOptions): Promise<boolean> {
  const attempts = options.attempts ?? 6;
  let pending = partition.state === 'detach_pending';
  for (let attempt = 1; ; attempt++) {
    await client.query(`set lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 1000))}`);
    try {
      await client.query(`alter table ${partition.parent} detach partition ${partition.partition_name} ${pending ? 'finalize' : 'concurrently'}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE && code !== QUERY_CANCELED) throw toPrivacyError(error);
      // Timed out waiting for the parent's readers after the first of its two transactions: the
      // partition is now pending detach, and only FINALIZE completes it.
      pending = pending || await isDetachPending(client, partition.partition_name);
    } finally {
      await client.query('reset lock_timeout').catch(() => undefined);
    }
    if (attempt >= attempts || options.signal?.aborted || Date.now() >= (options.deadline ?? Infinity)) return false;
    await sleep((options.retryDelayMs ?? 250) * 2 ** (attempt - 1));
  }
}

async function isDetachPending(client: pg.ClientBase, partition: string): Promise<boolean> {
  const { rows } = await client.query<{ pending: boolean }>(
    'select inhdetachpending as pending from pg_catalog.pg_inherits where inhrelid = to_regclass($1)', [partition]);
  return rows[0]?.pending === true;
}
