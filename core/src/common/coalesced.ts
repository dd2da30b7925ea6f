/**
 * Work that runs one at a time and never misses a request: asked while it runs, it runs once more
 * after (however many times it was asked meanwhile), and every asker waits for that run's end.
 * For work that reads the latest state each time (index what is new in a log, seal keys to whoever
 * lacks them), so one more run covers every request that came during the last.
 */
export interface Coalesced {
  /** Runs the work, or asks the running one for one more round; resolves when no round is owed. */
  run(): Promise<void>;
  /** Resolves once nothing runs (rejections are the askers' to see). */
  settled(): Promise<void>;
}

/** `stopped`: checked between rounds — once true, an owed round is dropped. */
export function coalesced(work: () => Promise<void>, stopped: () => boolean = () => false): Coalesced {
  let running: Promise<void> | null = null;
  let again = false;
  return {
    run() {
      if (running !== null) {
        again = true;
        return running;
      }
      const current = (async () => {
        try {
          do {
            again = false;
            await work();
          } while (again && !stopped());
        } finally {
          running = null;
        }
      })();
      running = current;
      return current;
    },
    settled: () => (running ?? Promise.resolve()).catch(() => undefined),
  };
}
