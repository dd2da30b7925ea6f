/**
 * The plugin manifest: the `cairn` field of a plugin's `package.json`. The host validates it
 * against a JSON schema before loading anything; see the README's "Writing a plugin".
 */

/**
 * When the host activates a plugin. A plugin that contributes commands is also activated when
 * one of them is run, without listing `onCommand:` for each.
 */
export type ActivationEvent =
  | 'onStartup'
  | `onCommand:${string}`
  | `onView:${string}`
  | `onSyncTransport:${string}`
  | `onExportFormat:${string}`
  | `onImportFormat:${string}`;

export interface CommandDeclaration {
  /** Unique id, by convention `<plugin id>.<name>`. */
  id: string;
  /** Shown in the command palette. */
  title: string;
  /** Groups commands in the palette ("Observations: Export…"). */
  category?: string;
}

export interface ViewDeclaration {
  id: string;
  name: string;
  /**
   * Views live in the side bar, the only place there is for them (a plugin opens editors with the
   * workbench's `editors.open`; the bottom panel holds the Output). Manifests may say so.
   */
  location?: 'sidebar';
  /** An icon id or a path inside the plugin. */
  icon?: string;
  /** Its place in the activity bar: lower comes first (default 100; the core's Sync and Plugins come after every plugin's). */
  order?: number;
}

export interface CliArgumentDeclaration {
  /** Becomes the key of the handler's input object (dashes become camelCase). */
  name: string;
  description?: string;
  /** Required unless set to false. */
  required?: boolean;
  /** Collects the rest of the words into an array; only the last argument may be variadic. */
  variadic?: boolean;
  /**
   * `path`: a file or folder, given relative to where `cairn` was run; the handler gets it
   * absolute (see {@link CliValueType}). Default `string`.
   */
  type?: 'string' | 'path';
}

/**
 * What a CLI value is. `path` values are resolved against the working directory of the `cairn`
 * process the user ran, so the handler gets an absolute path even when the command runs in a
 * workbench that is already open (whose own working directory is elsewhere). A value that is a
 * URL (`https://…`, any `scheme://`) is passed on unchanged, so one argument can take a file or a
 * URL. Declare every file or folder a command reads or writes as a `path`.
 */
export type CliValueType = 'string' | 'number' | 'boolean' | 'path';

export interface CliOptionDeclaration {
  /** Long name without dashes: `wait-peers` is given as `--wait-peers` and read as `waitPeers`. */
  name: string;
  /** `boolean` options are flags; the others take a value; `path`, see {@link CliValueType}. Default `string`. */
  type?: CliValueType;
  /** The option may be given several times; the handler gets an array. */
  repeatable?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  description?: string;
  /** Name of the value in help (`--timeout <seconds>`). */
  valueName?: string;
}

/**
 * A `cairn` subcommand provided by a plugin. It runs the command `run` with one argument: an
 * object holding the parsed arguments and options. The result is printed as JSON.
 */
export interface CliDeclaration {
  /** The words after `cairn`, e.g. `"sync file"`. */
  command: string;
  /** Id of the command to run. */
  run: string;
  description: string;
  arguments?: CliArgumentDeclaration[];
  options?: CliOptionDeclaration[];
  /**
   * `result` (default): what the command returns is printed when it ends. `events`: for a command
   * that runs long (a server, say): it gets a {@link CliEvents} as its second argument and prints
   * one JSON line per event as they happen; what it returns is not printed.
   */
  output?: 'result' | 'events';
}

/** What a command declared with `output: "events"` prints through: one JSON object per line, on stdout. */
export interface CliEvents {
  emit(event: Record<string, unknown>): void;
}

export interface ConfigurationPropertyDeclaration {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  default?: unknown;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

export interface ConfigurationDeclaration {
  title?: string;
  /** Keys by convention `<plugin id>.<name>`. */
  properties: Record<string, ConfigurationPropertyDeclaration>;
}

export interface SyncTransportDeclaration {
  id: string;
  title: string;
  description?: string;
}

/** A file format the plugin writes (`exportFormats`) or reads (`importFormats`). */
export interface FormatDeclaration {
  id: string;
  title: string;
  /** File extensions without the dot, e.g. `["kml"]`. */
  extensions: string[];
}

export interface KeybindingDeclaration {
  command: string;
  /** e.g. `ctrl+shift+e`; `ctrl` is ⌘ on macOS. */
  key: string;
  /** The key on macOS, when it differs (there `cmd` is ⌘, as `ctrl` is). */
  mac?: string;
  /** `view == <view id>`: the key works only while that view is shown in the side bar. */
  when?: string;
}

/** A button beside a view's title, which runs a command (titled as the command is). */
export interface MenuItemDeclaration {
  command: string;
  /** Buttons of one group stand together; groups come in the order of their names, buttons without one last. */
  group?: string;
  /** `view == <view id>`: the button is on that view's title only; without it, on every view's. */
  when?: string;
}

/** The menus plugins can add to: `view/title`, the buttons beside a view's title. */
export interface MenuDeclarations {
  'view/title'?: MenuItemDeclaration[];
}

export interface PluginContributions {
  commands?: CommandDeclaration[];
  views?: ViewDeclaration[];
  cli?: CliDeclaration[];
  configuration?: ConfigurationDeclaration;
  syncTransports?: SyncTransportDeclaration[];
  exportFormats?: FormatDeclaration[];
  importFormats?: FormatDeclaration[];
  keybindings?: KeybindingDeclaration[];
  menus?: MenuDeclarations;
}

export interface PluginManifest {
  /** Unique id: lowercase letters, digits, `-`, `.` and `_`. */
  id: string;
  displayName: string;
  description?: string;
  /** Semver range of the SDK this plugin was written against, e.g. `^0.1.0`. */
  engine: string;
  /** The host (Node) entry, an ES module relative to the package folder. */
  main?: string;
  /** The workbench (browser) entry. */
  browser?: string;
  activationEvents?: ActivationEvent[];
  /** Ids of plugins that must be active before this one. */
  dependsOn?: string[];
  contributes?: PluginContributions;
}

/** The parts of a plugin's `package.json` the host reads. */
export interface PluginPackageJson {
  name: string;
  version: string;
  description?: string;
  cairn: PluginManifest;
}
