import { CairnError, ErrorCodes } from '@cairn/sdk';

/**
 * Waits for `work` at most `ms` milliseconds; after that rejects with `ERR_TIMEOUT` and
 * `message`. The work itself is not stopped (a promise cannot be), only no longer awaited.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CairnError(ErrorCodes.TIMEOUT, message)), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
