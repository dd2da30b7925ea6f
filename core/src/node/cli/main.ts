import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
// The SDK's light entry, and the host only once it is needed: a command that a running
// workbench takes loads little more than a socket.
import { CairnError, ErrorCodes, errorMessage, isCairnError, type LogRecord } from '@cairn/sdk/common';
import type { CairnHost, HostOptions } from '../host.js';
import type { ProgressEvent } from '../progress-service.js';
import { dataDirFromArgs } from '../paths.js';
import type { CliIo } from './cli-command.js';
import { runInRunningHost } from './host-client.js';
import { buildProgram, namesNoCommand, readGlobalOptions } from './program.js';

export interface CliStreams {
  /** `columns`: the width of the terminal, when stdout is one (help is wrapped and a progress bar cut to it). */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

export interface CliOptions {
  streams?: CliStreams;
  env?: NodeJS.ProcessEnv;
  /** Run inside this host instead of creating one (the SDK's test host does). */
  host?: CairnHost;
  /** For a host the CLI creates. */
  hostOptions?: Partial<HostOptions>;
  /**
   * The folder `cairn` was run from: `path` arguments and a relative `--data-dir` are resolved
   * against it. Default `process.cwd()`.
   */
  cwd?: string;
  /**
   * Without a `host`, the command is handed to the host of a workbench that has the data dir open
   * (`cairn serve`, the desktop app), when one does; false runs it here regardless.
   */
  useRunningHost?: boolean;
  /**
   * Set when the command came from another `cairn` process through this host's socket: commands
   * that cannot share the host (`cairn serve`) are refused with `ERR_BUSY` naming
   * `hostDescription`, and only the command's own log lines and progress reach the streams (not
   * those of the workbench, nor of another client's command).
   */
  fromClient?: { hostDescription: string };
}

/**
 * Exit codes: 0 success, 1 an error, 2 a usage error; 141 (128 + SIGPIPE, what a shell reports
 * for `seq 1 1000000 | head`) when the reader of the output went away.
 */
export const ExitCode = { ok: 0, error: 1, usage: 2, outputClosed: 141 } as const;

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Marks the work of one command from a client, so that its log lines and progress go to that client only. */
const clientCommand = new AsyncLocalStorage<symbol>();

/** Runs one `cairn` command line and returns its exit code; never calls `process.exit`. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const globals = readGlobalOptions(argv);
  const cwd = options.cwd ?? process.cwd();
  const io: CliIo = {
    json: globals.json,
    interactive: !globals.json && streams.stdout.isTTY === true,
    ...(streams.stdout.isTTY === true && streams.stdout.columns !== undefined && { columns: streams.stdout.columns }),
    out: (text) => streams.stdout.write(text),
    err: (text) => streams.stderr.write(text),
  };
  const ownHost = options.host === undefined;
  let host: CairnHost | undefined = options.host;
  let stopLogging: (() => void) | undefined;
  const ownWork = options.fromClient === undefined ? null : Symbol('cairn client command');
  const isOwnWork = () => ownWork === null || clientCommand.getStore() === ownWork;
  try {
    if (host === undefined) {
      const dataDir = dataDirFromArgs(argv, options.env ?? process.env, cwd);
      // A workbench that has the data dir open runs the command (a connect attempt, before any
      // host is built here: quick when there is none, quicker still when there is one).
      if (options.useRunningHost !== false) {
        const exitCode = await runInRunningHost({ argv, cwd, dataDir, streams, env: options.env ?? process.env });
        if (exitCode !== null) return exitCode;
      }
      const { CairnHost } = await import('../host.js');
      host = new CairnHost({ ...options.hostOptions, dataDir });
    }
    const { isAtLeast } = await import('../log-service.js');
    // With --json, stderr carries only the error object, so a program can parse it: log lines
    // (a slow plugin, a peer refused) are shown there only with --verbose.
    const minimum = globals.verbose ? 'debug' : 'warn';
    const subscription = host.logs.onDidLog((record) => {
      if (io.json && !globals.verbose) return;
      if (isAtLeast(record.level, minimum) && isOwnWork()) io.err(`${formatLog(record)}\n`);
    });
    // Long work draws a bar on the terminal, when a person is watching it.
    const progress = io.interactive
      ? host.progress.onDidProgress((event) => {
          if (isOwnWork()) drawProgress(streams.stderr, event, io.columns);
        })
      : null;
    stopLogging = () => {
      subscription.dispose();
      progress?.dispose();
    };
    if (ownHost) await host.start();

    const started = host;
    const runCommandLine = async () => {
      const program = buildProgram(
        started.cli.commands(),
        io,
        version,
        async (command, input) => {
          if (command.exclusive && options.fromClient !== undefined) {
            throw new CairnError(
              ErrorCodes.BUSY,
              `The data dir ${started.config.dataDir} is open in ${options.fromClient.hostDescription}; \`cairn ${command.path.join(' ')}\` cannot run beside it. Use that one, or stop it and run the command again.`,
            );
          }
          if (command.host === 'started') await started.plugins.activateStartup();
          const result = await command.run(input, io);
          if (command.output === 'none') return;
          if (io.json) io.out(`${JSON.stringify(result ?? null)}\n`);
          else io.out(`${command.format ? command.format(result) : JSON.stringify(result ?? null, null, 2)}\n`);
        },
        cwd,
      );
      if (namesNoCommand(argv)) io.out(program.helpInformation());
      else await program.parseAsync([...argv], { from: 'user' });
    };
    await (ownWork === null ? runCommandLine() : clientCommand.run(ownWork, runCommandLine));
    return ExitCode.ok;
  } catch (error) {
    return report(error, io, globals.verbose);
  } finally {
    if (ownHost && host !== undefined) {
      await host.dispose().catch((error: unknown) => io.err(`warning: shutting down: ${errorMessage(error)}\n`));
    }
    stopLogging?.();
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

function report(error: unknown, io: CliIo, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    const message =
      error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync'
        ? 'a subcommand is missing; see the list above'
        : // Commander writes its own "error: " before the problem; ours is printed by printError.
          error.message.replace(/^error: /, '');
    printError(io, ErrorCodes.USAGE, message);
    return ExitCode.usage;
  }
  if (isCairnError(error)) {
    printError(io, error.code, error.message);
    return ExitCode.error;
  }
  // Not a user error: a bug. Keep the trace out of the user's way unless asked for.
  printError(io, ErrorCodes.INTERNAL, `${errorMessage(error)} (this is a bug; run again with --verbose for details)`);
  if (verbose && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return ExitCode.error;
}

function printError(io: CliIo, code: string, message: string): void {
  if (io.json) io.err(`${JSON.stringify({ error: { code, message } })}\n`);
  else io.err(`error [${code}]: ${message}\n`);
}

/** One line, redrawn in place: `Syncing with x.cairnsync [#######.......] 52% 1200 to go`, cut to the terminal's width. */
function drawProgress(stream: CliStreams['stderr'], event: ProgressEvent, columns: number | undefined): void {
  if (event.done) {
    stream.write('\r\x1b[2K');
    return;
  }
  const width = 24;
  const filled = event.percent === undefined ? 0 : Math.round((Math.max(0, Math.min(100, event.percent)) / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = event.percent === undefined ? '' : ` ${Math.round(event.percent)}%`;
  const line = `${event.title} ${bar}${percent}${event.message ? ` ${event.message}` : ''}`;
  // A line that wraps cannot be redrawn in place: the next one would start below it.
  const fitted = columns !== undefined && columns > 1 ? line.slice(0, columns - 1) : line;
  stream.write(`\r\x1b[2K${fitted}`);
}

function formatLog(record: LogRecord): string {
  const label = record.level === 'warn' ? 'warning' : record.level;
  return `[${record.source}] ${label}: ${record.message}`;
}
