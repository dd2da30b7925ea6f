import type { CliArgumentDeclaration, CliOptionDeclaration } from '@cairn/sdk';

/**
 * Exit codes: 0 success, 1 an error, 2 a usage error; 141 (128 + SIGPIPE, what a shell reports
 * for `seq 1 1000000 | head`) when the reader of the output went away.
 */
export const ExitCode = { ok: 0, error: 1, usage: 2, outputClosed: 141 } as const;

export interface CliStreams {
  /** `columns`: the width of the terminal, when stdout is one (help is wrapped and a progress bar cut to it). */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

/** Where a command writes: results to stdout, diagnostics to stderr. */
export interface CliIo {
  /** `--json`: results as one JSON value on stdout, errors as JSON on stderr. */
  readonly json: boolean;
  /** A person is watching (stdout is a terminal and not `--json`): progress bars are welcome. */
  readonly interactive: boolean;
  /** The width of the terminal stdout goes to, when it is one. */
  readonly columns?: number;
  out(text: string): void;
  err(text: string): void;
}

/**
 * One `cairn` subcommand. The core contributes its own (`plugins`, `run`, and those of the data
 * layer); plugins declare theirs in `contributes.cli`.
 */
export interface CliCommand {
  /** The words after `cairn`, e.g. `['plugins', 'list']`. */
  path: string[];
  description: string;
  arguments?: CliArgumentDeclaration[];
  options?: CliOptionDeclaration[];
  /**
   * `bare`: plugins are discovered but none is activated (managing plugins must work even when
   * one misbehaves). `started`: the startup plugins are activated first, as in the workbench.
   */
  host: 'bare' | 'started';
  /** Receives the parsed arguments and options by camelCase name; the result is printed. */
  run(input: Record<string, unknown>, io: CliIo): Promise<unknown>;
  /**
   * The command is the life of its host (`cairn serve`): it cannot run inside a host that another
   * process keeps open, so when it reaches one from a `cairn` client it is refused with `ERR_BUSY`.
   * Every other command runs there as it would in a host of its own.
   */
  exclusive?: boolean;
  /** `none` for a command that writes for itself (a server printing its URL); default `result`. */
  output?: 'result' | 'none';
  /** Renders the result for people; without it, the result is printed as JSON. */
  format?(result: unknown): string;
  /** The plugin that contributes the command; absent for the core's. */
  plugin?: string;
  /** Listed in help? Commands of disabled plugins are not, though they still explain themselves. */
  hidden?: boolean;
}

/** Extension point for the core's CLI commands (plugins declare theirs in the manifest). */
export const CliContribution = Symbol.for('cairn.core.CliContribution');
export interface CliContribution {
  commands(): CliCommand[];
}

/** Descriptions of the command groups, for `cairn --help`. */
export const cliGroupDescriptions: Record<string, string> = {
  plugins: 'List, enable, disable and install plugins',
  sync: 'Sync this project with other devices',
  obs: 'Add, list, edit and delete observations',
  presets: 'Manage categories',
  tracks: 'The tracks phones recorded',
  basemap: 'Manage offline basemaps',
  comapeo: 'Join CoMapeo projects and sync with CoMapeo phones',
};
