import { Command, InvalidArgumentError } from 'commander';
import { startSweepWorker } from '../../worker/sweep-worker.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';

/** `integritet worker`: the long-running pg-boss worker that runs the scheduled sweeps. */
export function workerCommand(): Command {
  return withDatabaseUrl(new Command('worker'))
    .description('run scheduled retention sweeps (pg-boss): one job per policy, until SIGTERM or SIGINT')
    .option('--schema <schema>', "pg-boss's schema (the worker's login must own it)", 'integritet_boss')
    .option('--concurrency <jobs>', 'tables swept at once', count, 2)
    .option('--time-budget <seconds>', 'seconds per job before a follow-up job continues', count, 300)
    .option('--batch-size <rows>', 'rows per batch', count, 10_000)
    .option('--lock-budget <ms>', 'longest a transaction keeps taking quick batches (and holds their row locks)', count, 200)
    .addHelpText('after', `
Connect as a login that is a member of privacy_sweeper. Schedules follow each policy's cron
expression and time zone (privacy.set_retention); changes are picked up within five minutes.

Example:
  $ DATABASE_URL=postgres://sweeper@db/app integritet worker`)
    .action(async (options: { schema: string; concurrency: number; timeBudget: number; batchSize: number; lockBudget: number;
                              databaseUrl?: string }) => {
      const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
      // Signals are handled from the start: one while connecting gives up at once (a server that
      // accepts connections and never answers must not keep the worker from stopping).
      const starting = new AbortController();
      let stopWorker: ((signal: string) => void) | undefined;
      const onSignal = (signal: NodeJS.Signals) => (stopWorker ? stopWorker(signal) : starting.abort(signal));
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      let fatal: Error | undefined;
      let onFatal: (() => void) | undefined;
      const worker = await startSweepWorker({
        databaseUrl: databaseUrl(options), schema: options.schema, concurrency: options.concurrency,
        timeBudgetSeconds: options.timeBudget, batchSize: options.batchSize, lockBudgetMs: options.lockBudget, log,
        signal: starting.signal,
        onFatal: (error) => {
          fatal = error;
          onFatal?.();
        },
      });
      // The handlers are in place before the line that says the worker runs: a supervisor that
      // stops it as soon as it reads that line gets a graceful stop, not the default termination.
      const stopped = new Promise<void>((resolve) => {
        const stop = (why: string) => {
          log(`${why}: finishing running batches, then stopping`);
          worker.stop().then(resolve, (error: unknown) => {
            log(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = 1;
            resolve();
          });
        };
        stopWorker = stop;
        onFatal = () => stop('the database is gone');
        if (fatal) onFatal();
      });
      log(`worker started: ${worker.tables().length} tables scheduled (${worker.tables().join(', ') || 'none'})`);
      // When the first sweeps run: each table's cron expression, in its time zone.
      for (const s of worker.schedules()) log(`sweeps ${s.table} at cron '${s.cron}' (${s.timeZone}); the first at its next match`);
      await stopped;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const { done, failed } = worker.jobs();
      if (fatal) throw fatal;
      log(`worker stopped: ${done} ${done === 1 ? 'job' : 'jobs'} done, ${failed} failed since it started`);
    });
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}
