import { isAbsolute, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CairnError, ErrorCodes, type CliOptionDeclaration } from '@cairn/sdk/common';
import { camelCase } from '../../common/strings.js';
import { dataDirArgument } from '../paths.js';
import { cliGroupDescriptions, type CliCommand, type CliIo } from './cli-command.js';

/** The options every command accepts. */
export interface GlobalOptions {
  dataDir?: string;
  json: boolean;
  verbose: boolean;
}

/**
 * Reads the global options before the command tree exists: the data dir decides which plugins,
 * and so which commands, there are.
 */
export function readGlobalOptions(argv: readonly string[]): GlobalOptions {
  const options: GlobalOptions = { json: false, verbose: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') break;
    if (arg === '--json') options.json = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--data-dir') index += 1;
  }
  const dataDir = dataDirArgument(argv);
  if (dataDir !== undefined) options.dataDir = dataDir;
  return options;
}

/** Whether a command line names no command, only global options (`cairn --data-dir d`) or nothing: help is shown then. */
export function namesNoCommand(argv: readonly string[]): boolean {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--json' || arg === '--verbose' || arg.startsWith('--data-dir=')) continue;
    // Without its value, `--data-dir` is a usage error for the parser to report.
    if (arg === '--data-dir' && index + 1 < argv.length) {
      index += 1;
      continue;
    }
    return false;
  }
  return true;
}

export type RunCommand = (command: CliCommand, input: Record<string, unknown>) => Promise<void>;

/**
 * Builds the commander program for a set of commands. Errors surface as thrown `CommanderError`s.
 * `cwd` is the working directory of the `cairn` the user ran: `path` values are resolved against it.
 */
export function buildProgram(commands: readonly CliCommand[], io: CliIo, version: string, run: RunCommand, cwd: string): Command {
  const program = new Command('cairn')
    .description('Cairn: an offline-first workbench for field observations')
    .version(version, '-V, --version')
    .option('--data-dir <dir>', 'the data dir (default: $CAIRN_DATA_DIR, else the OS app-data folder)')
    .option('--json', 'print results as JSON on stdout, errors as JSON on stderr')
    .option('--verbose', 'log details to stderr');
  configure(program, io);

  const groups = new Map<string, Command>();
  const parentOf = (path: readonly string[]): Command => {
    let parent = program;
    for (let depth = 0; depth < path.length - 1; depth += 1) {
      const key = path.slice(0, depth + 1).join(' ');
      let group = groups.get(key);
      if (group === undefined) {
        const word = path[depth]!;
        group = parent.command(word).description(cliGroupDescriptions[key] ?? `${word} commands`);
        configure(group, io);
        groups.set(key, group);
      }
      parent = group;
    }
    return parent;
  };

  // A command that is also a group (`cairn members`, `cairn members remove`) comes before its
  // subcommands, so they find it as their parent.
  const ordered = [...commands].sort((a, b) => a.path.length - b.path.length);
  for (const command of ordered) {
    const leaf = parentOf(command.path).command(command.path.at(-1)!, { hidden: command.hidden === true });
    groups.set(command.path.join(' '), leaf);
    configure(leaf, io);
    leaf.description(command.description);
    if (command.hidden) {
      // Unusable (its plugin is disabled or failed): accept anything, so the user learns why it cannot run.
      leaf.allowUnknownOption().allowExcessArguments();
    } else {
      for (const argument of command.arguments ?? []) {
        const name = `${argument.name}${argument.variadic ? '...' : ''}`;
        leaf.argument(argument.required === false ? `[${name}]` : `<${name}>`, argument.description ?? '');
      }
      for (const declared of command.options ?? []) leaf.addOption(toOption(declared));
    }
    leaf.action(async () => {
      await run(command, command.hidden ? {} : inputOf(command, leaf, cwd));
    });
  }
  return program;
}

function configure(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
      // The terminal of the `cairn` the user ran, which need not be this process's (a running
      // workbench runs commands for other processes): help reads the same wherever it runs.
      getOutHelpWidth: () => io.columns ?? 80,
      getErrHelpWidth: () => io.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      // Reported by the caller in Cairn's own `error [CODE]: message` form.
      outputError: () => undefined,
    });
}

function toOption(declared: CliOptionDeclaration): Option {
  const type = declared.type ?? 'string';
  const flags = type === 'boolean' ? `--${declared.name}` : `--${declared.name} <${declared.valueName ?? declared.type ?? 'value'}>`;
  const option = new Option(flags, declared.description ?? '');
  if (declared.repeatable && type !== 'boolean') {
    option.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), value]);
  }
  if (declared.required) option.makeOptionMandatory();
  if (declared.default !== undefined) option.default(declared.default);
  return option;
}

/** The handler's input: arguments and options by camelCase name, numbers checked, paths absolute. */
function inputOf(command: CliCommand, leaf: Command, cwd: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  (command.arguments ?? []).forEach((argument, index) => {
    const value = leaf.processedArgs[index] as unknown;
    if (value !== undefined) input[camelCase(argument.name)] = argument.type === 'path' ? toPaths(value, cwd) : value;
  });
  const values = leaf.opts<Record<string, unknown>>();
  for (const declared of command.options ?? []) {
    const key = camelCase(declared.name);
    // Commander reads `--no-open` as `open: false`.
    const negated = declared.type === 'boolean' && declared.name.startsWith('no-');
    const value = negated ? (values[camelCase(declared.name.slice(3))] === false ? true : undefined) : values[key];
    if (value === undefined) continue;
    input[key] = declared.type === 'number' ? toNumbers(declared.name, value) : declared.type === 'path' ? toPaths(value, cwd) : value;
  }
  return input;
}

/**
 * A `path` value made absolute against the invoking cwd, which is not the host's when the command
 * runs in an open workbench. URLs (`https://…`) and blank values are left for the handler to judge.
 */
function toPaths(value: unknown, cwd: string): unknown {
  const absolute = (raw: unknown): unknown =>
    typeof raw !== 'string' || raw.trim() === '' || isAbsolute(raw) || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw : resolve(cwd, raw);
  return Array.isArray(value) ? value.map(absolute) : absolute(value);
}

function toNumbers(name: string, value: unknown): number | number[] {
  const parse = (raw: unknown): number => {
    const number = typeof raw === 'number' ? raw : Number(raw);
    if (typeof raw === 'string' && raw.trim() === '') throw notANumber(name, raw);
    if (!Number.isFinite(number)) throw notANumber(name, raw);
    return number;
  };
  return Array.isArray(value) ? value.map(parse) : parse(value);
}

function notANumber(name: string, raw: unknown): CairnError {
  return new CairnError(ErrorCodes.INVALID_INPUT, `--${name} must be a number; got '${String(raw)}'.`);
}
