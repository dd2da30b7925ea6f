import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CairnError, ErrorCodes } from '../common/errors.js';

/**
 * Writes a file so that readers see either the old or the new content, never a mix: write a temp
 * file beside it, fsync, rename over the target. `content` may be a stream (it is not held in
 * memory). Resolves with the number of bytes written.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w');
    let bytes = 0;
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) {
        await handle.writeFile(content);
        bytes = Buffer.byteLength(content);
      } else {
        for await (const chunk of content) {
          await handle.write(chunk);
          bytes += chunk.length;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return bytes;
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof CairnError) throw error;
    throw ioError(`Could not write ${path}`, error);
  }
}

/** A coded error for a failed file operation, with the system's reason (e.g. `EACCES`). */
export function ioError(what: string, error: unknown): CairnError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? `${code}: ${(error as Error).message}` : String(error);
  return new CairnError(ErrorCodes.IO, `${what} (${reason}). Check that the folder exists and is writable.`, { cause: error });
}
