// The `cairn` entry. The SDK's light entry, and the host only once it is needed: a command that a
// running workbench takes loads little more than a socket.
import type { HostOptions } from '../host.js';
import { dataDirFromArgs } from '../paths.js';
import { ExitCode } from './cli-command.js';
import type { CommandLineHost } from './command-line-host.js';
import type { CommandLineOptions } from './command-line.js';
import { runInRunningHost } from './host-client.js';

export interface CliOptions extends Pick<CommandLineOptions, 'streams' | 'cwd' | 'fromClient'> {
  env?: NodeJS.ProcessEnv;
  /** Run inside this host instead of creating one (the SDK's test host does). */
  host?: CommandLineHost;
  /** For a host the CLI creates. */
  hostOptions?: Partial<HostOptions>;
  /**
   * Without a `host`, the command is handed to the host of a workbench that has the data dir open
   * (`cairn serve`, the desktop app), when one does; false runs it here regardless.
   */
  useRunningHost?: boolean;
}

/**
 * Runs one `cairn` command line and returns its exit code; never calls `process.exit`. It runs in
 * the host given, else in the workbench that has the data dir open, else in a host of its own.
 */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const { streams, cwd = process.cwd(), fromClient } = options;
  if (options.host !== undefined) {
    const { runCommandLine } = await import('./command-line.js');
    return runCommandLine(argv, options.host, { cwd, ...(streams && { streams }), ...(fromClient && { fromClient }) });
  }
  try {
    const env = options.env ?? process.env;
    const dataDir = dataDirFromArgs(argv, env, cwd);
    // A workbench that has the data dir open runs the command (a connect attempt, before any
    // host is built here: quick when there is none, quicker still when there is one).
    if (options.useRunningHost !== false) {
      const exitCode = await runInRunningHost({ argv, cwd, dataDir, streams: streams ?? { stdout: process.stdout, stderr: process.stderr }, env });
      if (exitCode !== null) return exitCode;
    }
    const [{ CairnHost }, { runCommandLine }] = await Promise.all([import('../host.js'), import('./command-line.js')]);
    const host = new CairnHost({ ...options.hostOptions, dataDir });
    return await runCommandLine(argv, host, { cwd, ...(streams && { streams }), lifecycle: host });
  } catch (error) {
    const { reportCommandLineError } = await import('./command-line.js');
    return reportCommandLineError(argv, streams, error);
  }
}

/**
 * For the `cairn` process: once the reader of its output is gone (`cairn obs list | head`), it
 * stops at once and quietly, as programs a closed pipe stops do, instead of failing on the next
 * write with a stack trace. Other failures of the streams are left to surface.
 */
export function stopWhenOutputCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(ExitCode.outputClosed);
    });
  }
}
