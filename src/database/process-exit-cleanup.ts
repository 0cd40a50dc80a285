import os from 'node:os';

const cleanups = new Set<() => void>();
let installed = false;

/**
 * Runs `cleanup` (synchronous: the event loop is gone by then) when the process exits, including on
 * SIGINT/SIGTERM/SIGHUP when nobody else handles them, so a crash or Ctrl-C leaves no server and no
 * temp dir behind. Returns a function that unregisters it, for the normal stop path.
 */
export function cleanUpOnExit(cleanup: () => void): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Exiting anyway; one failed cleanup must not stop the others.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // Our listener replaces the default "terminate"; keep that default when we are alone.
      if (process.listenerCount(signal) === 1) process.exit(128 + os.constants.signals[signal]);
    });
  }
}
