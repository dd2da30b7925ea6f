import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the data dir is when `--data-dir` is not given: `$CAIRN_DATA_DIR`, else the OS's
 * folder for application data.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.CAIRN_DATA_DIR) return resolve(env.CAIRN_DATA_DIR);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Cairn');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Cairn');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'cairn');
}
