import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, type PluginInfo } from '@cairn/sdk';
import { activationEventsOf } from '../../common/activation-events.js';
import { CommandService, type CommandInfo } from '../commands/command-service.js';
import { PluginHost } from '../plugins/plugin-host.js';
import type { CliCommand, CliContribution } from './cli-command.js';
import { table } from './format.js';

/** `cairn plugins …`, `cairn run` and `cairn commands`: the CLI of the shell itself. */
@injectable()
export class CoreCliContribution implements CliContribution {
  constructor(
    @inject(PluginHost) private readonly plugins: PluginHost,
    @inject(CommandService) private readonly commandService: CommandService,
  ) {}

  commands(): CliCommand[] {
    const plugins = this.plugins;
    const pluginId = [{ name: 'id', description: 'the plugin id (see `cairn plugins list`)' }];
    return [
      {
        path: ['plugins', 'list'],
        description: 'List the plugins with their state (startup plugins are activated to report it)',
        host: 'started',
        run: async () => plugins.list(),
        format: (result) => formatPlugins(result as PluginInfo[]),
      },
      {
        path: ['plugins', 'enable'],
        description: 'Enable a plugin (a startup plugin is activated at once, to show that it works)',
        arguments: pluginId,
        host: 'bare',
        run: async ({ id }) => {
          const info = await plugins.enable(String(id));
          const manifest = plugins.known().find((plugin) => plugin.id === info.id)?.manifest;
          if (info.state !== 'failed' && manifest && activationEventsOf(manifest).has('onStartup')) {
            await plugins.activate(info.id).catch(() => undefined);
          }
          return plugins.info(info.id);
        },
        format: (result) => formatPluginChange(result as PluginInfo),
      },
      {
        path: ['plugins', 'disable'],
        description: 'Disable a plugin: its commands, views and sync transports go away',
        arguments: pluginId,
        host: 'bare',
        run: async ({ id }) => plugins.disable(String(id)),
        format: (result) => formatPluginChange(result as PluginInfo),
      },
      {
        path: ['plugins', 'install'],
        description: 'Install a plugin from a folder into the data dir; it starts disabled',
        arguments: [{ name: 'path', type: 'path', description: "the plugin's folder (holding its package.json)" }],
        host: 'bare',
        run: async ({ path }) => plugins.install(String(path)),
        format: (result) => {
          const info = result as PluginInfo;
          return `Installed ${info.id} ${info.version} into ${info.path}.\nIt is disabled until you enable it: cairn plugins enable ${info.id}`;
        },
      },
      {
        path: ['run'],
        description: 'Run a command by id; JSON_ARG, one JSON value, is its single argument',
        arguments: [
          { name: 'command-id', description: 'e.g. cairn.plugins.list (see `cairn commands`)' },
          { name: 'json-arg', description: 'a JSON value, e.g. \'{"name":"Ada"}\'', required: false },
        ],
        host: 'started',
        run: async ({ commandId, jsonArg }) => {
          const args = jsonArg === undefined ? [] : [parseJsonArgument(String(jsonArg))];
          return (await this.commandService.execute(String(commandId), args)) ?? null;
        },
      },
      {
        path: ['commands'],
        description: 'List the commands that `cairn run` can run',
        host: 'started',
        run: async () => this.commandService.list(),
        format: (result) =>
          table(
            ['ID', 'TITLE', 'PROVIDED BY'],
            (result as CommandInfo[]).map((command) => [command.id, command.title ?? '', command.owner]),
          ),
      },
    ];
  }
}

function parseJsonArgument(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CairnError(
      ErrorCodes.INVALID_INPUT,
      `JSON_ARG is not valid JSON (${(error as Error).message}). Quote it for your shell, e.g. '{"name":"Ada"}' or '"text"'.`,
    );
  }
}

function formatPlugins(plugins: PluginInfo[]): string {
  if (plugins.length === 0) return 'No plugins.';
  return table(
    ['ID', 'VERSION', 'SOURCE', 'STATE', 'ERROR'],
    plugins.map((plugin) => [plugin.id, plugin.version, plugin.source, plugin.state, plugin.error ?? '']),
  );
}

function formatPluginChange(plugin: PluginInfo): string {
  const line = `${plugin.id}: ${plugin.enabled ? 'enabled' : 'disabled'} (${plugin.state})`;
  return plugin.error ? `${line}\n${plugin.error}` : line;
}
