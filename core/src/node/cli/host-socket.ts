import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, realpath } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCodes } from '@cairn/sdk/common';

/**
 * Where a running host (`cairn serve`, the desktop app) takes `cairn` commands for its data dir:
 * a Unix domain socket in a folder only this user can open, or on Windows a named pipe.
 */
export interface HostSocket {
  /** The socket (or pipe) path. */
  path: string;
  /** The private folder that holds it; null for a Windows named pipe. */
  folder: string | null;
}

/**
 * `sun_path` holds 104 (macOS, BSD) to 108 (Linux) bytes with its terminating NUL; data dirs in
 * temporary folders make long paths, so the socket is named by a hash, and a folder that would
 * still be too long gives way to /tmp.
 */
const maxSocketPathBytes = 100;

/**
 * The socket of the host that serves `dataDir`, or null when `dataDir` does not exist (then no
 * host can be running for it). Named by a hash of the data dir's real path, so every spelling of
 * it (relative, through a symlink) meets the same host.
 */
export async function hostSocketFor(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<HostSocket | null> {
  const real = await realpath(dataDir).catch(() => null);
  if (real === null) return null;
  return hostSocketForRealPath(real, env);
}

export function hostSocketForRealPath(realDataDir: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): HostSocket {
  // Windows paths are case-insensitive: C:\Data and c:\data are one data dir.
  const key = platform === 'win32' ? realDataDir.toLowerCase() : realDataDir;
  const name = hash(key);
  if (platform === 'win32') return { path: `\\\\.\\pipe\\cairn-${hash(userInfo().username).slice(0, 8)}-${name}`, folder: null };
  const uid = process.getuid?.() ?? 0;
  const folder = env.XDG_RUNTIME_DIR?.startsWith('/') ? join(env.XDG_RUNTIME_DIR, 'cairn') : join(tmpdir(), `cairn-${uid}`);
  const path = join(folder, `${name}.sock`);
  if (Buffer.byteLength(path) <= maxSocketPathBytes) return { path, folder };
  const short = join('/tmp', `cairn-${uid}`);
  return { path: join(short, `${name}.sock`), folder: short };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Why `folder` is not private to this user (null when it is): it must be a real folder (not a
 * symlink another user could point elsewhere), owned by this user, and closed to everyone else.
 * A client never connects through a folder that is not, so a socket another user planted there
 * never sees a command line.
 */
export async function privateFolderProblem(folder: string): Promise<string | null> {
  const info = await lstat(folder).catch(() => null);
  if (info === null) return `${folder} does not exist`;
  if (!info.isDirectory()) return `${folder} is not a folder`;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${folder} belongs to another user (uid ${info.uid})`;
  if ((info.mode & 0o077) !== 0) return `${folder} can be opened by other users (mode ${(info.mode & 0o777).toString(8)})`;
  return null;
}

/** Creates the socket folder (mode 0700) or tightens this user's own; refuses one that is not private. */
export async function preparePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const info = await lstat(folder);
  if (info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o077) !== 0) await chmod(folder, 0o700);
  const problem = await privateFolderProblem(folder);
  if (problem !== null) {
    throw new CairnError(
      ErrorCodes.IO,
      `${problem}: remove it (or set $XDG_RUNTIME_DIR to a folder only you can open) and start again`,
    );
  }
}
