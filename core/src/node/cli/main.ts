import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { ErrorCodes, errorMessage, isCairnError, type LogRecord } from '@cairn/sdk';
import { CairnHost, type HostOptions } from '../host.js';
import { isAtLeast } from '../log-service.js';
import type { ProgressEvent } from '../progress-service.js';
import { defaultDataDir } from '../paths.js';
import type { CliIo } from './cli-command.js';
import { buildProgram, readGlobalOptions } from './program.js';

export interface CliStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
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
   * The folder `cairn` was run from: `path` arguments are resolved against it. Default
   * `process.cwd()`.
   */
  cwd?: string;
}

/** Exit codes: 0 success, 1 an error, 2 a usage error. */
export const ExitCode = { ok: 0, error: 1, usage: 2 } as const;

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs one `cairn` command line and returns its exit code; never calls `process.exit`. */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const globals = readGlobalOptions(argv);
  const cwd = options.cwd ?? process.cwd();
  const io: CliIo = {
    json: globals.json,
    interactive: !globals.json && streams.stdout.isTTY === true,
    out: (text) => streams.stdout.write(text),
    err: (text) => streams.stderr.write(text),
  };
  const ownHost = options.host === undefined;
  let host: CairnHost | undefined = options.host;
  let stopLogging: (() => void) | undefined;
  try {
    if (host === undefined) {
      const dataDir = globals.dataDir ?? defaultDataDir(options.env ?? process.env);
      host = new CairnHost({ ...options.hostOptions, dataDir });
    }
    // With --json, stderr carries only the error object, so a program can parse it: log lines
    // (a slow plugin, a peer refused) are shown there only with --verbose.
    const minimum = globals.verbose ? 'debug' : 'warn';
    const subscription = host.logs.onDidLog((record) => {
      if (io.json && !globals.verbose) return;
      if (isAtLeast(record.level, minimum)) io.err(`${formatLog(record)}\n`);
    });
    // Long work draws a bar on the terminal, when a person is watching it.
    const progress = io.interactive ? host.progress.onDidProgress((event) => drawProgress(streams.stderr, event)) : null;
    stopLogging = () => {
      subscription.dispose();
      progress?.dispose();
    };
    if (ownHost) await host.start();

    const started = host;
    const program = buildProgram(started.cli.commands(), io, version, async (command, input) => {
      if (command.host === 'started') await started.plugins.activateStartup();
      const result = await command.run(input, io);
      if (command.output === 'none') return;
      if (io.json) io.out(`${JSON.stringify(result ?? null)}\n`);
      else io.out(`${command.format ? command.format(result) : JSON.stringify(result ?? null, null, 2)}\n`);
    }, cwd);
    if (argv.length === 0) {
      io.out(program.helpInformation());
      return ExitCode.ok;
    }
    await program.parseAsync([...argv], { from: 'user' });
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

function report(error: unknown, io: CliIo, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    const message =
      error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync'
        ? 'a subcommand is missing; see the list above'
        : error.message.replace(/^error: /, '');
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

/** One line, redrawn in place: `Syncing with x.cairnsync [#######.......] 52% 1200 to go`. */
function drawProgress(stream: CliStreams['stderr'], event: ProgressEvent): void {
  if (event.done) {
    stream.write('\r\x1b[2K');
    return;
  }
  const width = 24;
  const filled = event.percent === undefined ? 0 : Math.round((Math.max(0, Math.min(100, event.percent)) / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = event.percent === undefined ? '' : ` ${Math.round(event.percent)}%`;
  stream.write(`\r\x1b[2K${event.title} ${bar}${percent}${event.message ? ` ${event.message}` : ''}`);
}

function formatLog(record: LogRecord): string {
  const label = record.level === 'warn' ? 'warning' : record.level;
  return `[${record.source}] ${label}: ${record.message}`;
}
