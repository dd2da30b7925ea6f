import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CairnError, ErrorCodes, errorMessage, isCairnError, type LogRecord } from '@cairn/sdk/common';
import { isAtLeast } from '../log-service.js';
import type { ProgressEvent } from '../progress-service.js';
import { ExitCode, type CliIo, type CliStreams } from './cli-command.js';
import type { CommandLineHost } from './command-line-host.js';
import { buildProgram, namesNoCommand, readGlobalOptions } from './program.js';

export interface CommandLineOptions {
  streams?: CliStreams;
  /**
   * The folder `cairn` was run from: `path` arguments are resolved against it. Default
   * `process.cwd()`.
   */
  cwd?: string;
  /**
   * Set when the command came from another `cairn` process through this host's socket: commands
   * that cannot share the host (`cairn serve`) are refused with `ERR_BUSY` naming
   * `hostDescription`, and only the command's own log lines and progress reach the streams (not
   * those of the workbench, nor of another client's command).
   */
  fromClient?: { hostDescription: string };
  /**
   * For a host made for this one command line: started before it, disposed after it, while its
   * log lines still reach the streams (a plugin slow to deactivate says so).
   */
  lifecycle?: { start(): Promise<void>; dispose(): Promise<void> };
}

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Marks the work of one command from a client, so that its log lines and progress go to that client only. */
const clientCommand = new AsyncLocalStorage<symbol>();

/** Runs one `cairn` command line in `host` and returns its exit code; never calls `process.exit`. */
export async function runCommandLine(argv: readonly string[], host: CommandLineHost, options: CommandLineOptions = {}): Promise<number> {
  const { io, verbose } = commandLineIo(argv, options.streams);
  const cwd = options.cwd ?? process.cwd();
  const ownWork = options.fromClient === undefined ? null : Symbol('cairn client command');
  const isOwnWork = () => ownWork === null || clientCommand.getStore() === ownWork;
  // With --json, stderr carries only the error object, so a program can parse it: log lines
  // (a slow plugin, a peer refused) are shown there only with --verbose.
  const minimum = verbose ? 'debug' : 'warn';
  const logging = host.logs.onDidLog((record) => {
    if (io.json && !verbose) return;
    if (isAtLeast(record.level, minimum) && isOwnWork()) io.err(`${formatLog(record)}\n`);
  });
  // Long work draws a bar on the terminal, when a person is watching it.
  const progress = io.interactive
    ? host.progress.onDidProgress((event) => {
        if (isOwnWork()) drawProgress(io, event, io.columns);
      })
    : null;
  try {
    await options.lifecycle?.start();
    const run = async () => {
      const program = buildProgram(
        host.cli.commands(),
        io,
        version,
        async (command, input) => {
          if (command.exclusive && options.fromClient !== undefined) {
            throw new CairnError(
              ErrorCodes.BUSY,
              `The data dir ${host.config.dataDir} is open in ${options.fromClient.hostDescription}; \`cairn ${command.path.join(' ')}\` cannot run beside it. Use that one, or stop it and run the command again.`,
            );
          }
          if (command.host === 'started') await host.plugins.activateStartup();
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
    await (ownWork === null ? run() : clientCommand.run(ownWork, run));
    return ExitCode.ok;
  } catch (error) {
    return report(error, io, verbose);
  } finally {
    await options.lifecycle?.dispose().catch((error: unknown) => io.err(`warning: shutting down: ${errorMessage(error)}\n`));
    logging.dispose();
    progress?.dispose();
  }
}

/** Says why a command line could not run before it reached a host, as `runCommandLine` would. */
export function reportCommandLineError(argv: readonly string[], streams: CliStreams | undefined, error: unknown): number {
  const { io, verbose } = commandLineIo(argv, streams);
  return report(error, io, verbose);
}

function commandLineIo(argv: readonly string[], streams: CliStreams = { stdout: process.stdout, stderr: process.stderr }): { io: CliIo; verbose: boolean } {
  const globals = readGlobalOptions(argv);
  const io: CliIo = {
    json: globals.json,
    interactive: !globals.json && streams.stdout.isTTY === true,
    ...(streams.stdout.isTTY === true && streams.stdout.columns !== undefined && { columns: streams.stdout.columns }),
    out: (text) => streams.stdout.write(text),
    err: (text) => streams.stderr.write(text),
  };
  return { io, verbose: globals.verbose };
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
function drawProgress(io: CliIo, event: ProgressEvent, columns: number | undefined): void {
  if (event.done) {
    io.err('\r\x1b[2K');
    return;
  }
  const width = 24;
  const filled = event.percent === undefined ? 0 : Math.round((Math.max(0, Math.min(100, event.percent)) / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = event.percent === undefined ? '' : ` ${Math.round(event.percent)}%`;
  const line = `${event.title} ${bar}${percent}${event.message ? ` ${event.message}` : ''}`;
  // A line that wraps cannot be redrawn in place: the next one would start below it.
  const fitted = columns !== undefined && columns > 1 ? line.slice(0, columns - 1) : line;
  io.err(`\r\x1b[2K${fitted}`);
}

function formatLog(record: LogRecord): string {
  const label = record.level === 'warn' ? 'warning' : record.level;
  return `[${record.source}] ${label}: ${record.message}`;
}
