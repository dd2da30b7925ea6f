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

/** The value of `--data-dir DIR` or `--data-dir=DIR` in a command line, as given; options after `--` are not read. */
export function dataDirArgument(argv: readonly string[]): string | undefined {
  let given: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') break;
    if (arg === '--data-dir' && index + 1 < argv.length) given = argv[++index];
    else if (arg.startsWith('--data-dir=')) given = arg.slice('--data-dir='.length);
  }
  return given;
}

/**
 * The data dir a command line asks for, absolute: `--data-dir DIR` (relative to `cwd`, the folder
 * the user ran it from, which a running host that serves the command does not share), else
 * {@link defaultDataDir}.
 */
export function dataDirFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const given = dataDirArgument(argv);
  return given === undefined ? defaultDataDir(env) : resolve(cwd, given);
}
