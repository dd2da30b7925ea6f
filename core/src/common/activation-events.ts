import type { PluginContributions, PluginManifest } from '@cairn/sdk/common';

/**
 * The kinds of contribution a plugin is activated for, each with its activation event's prefix:
 * asking for one by id (running a command, opening a view, syncing with a transport, exporting or
 * importing with a format) fires `<prefix>:<id>`. The manifest schema, the implied events below and
 * the host's contribution tables all read this list, so a new kind of contribution is a line here.
 */
export const activatingContributions = {
  commands: 'onCommand',
  views: 'onView',
  syncTransports: 'onSyncTransport',
  exportFormats: 'onExportFormat',
  importFormats: 'onImportFormat',
} as const satisfies Partial<Record<keyof PluginContributions, `on${string}`>>;

export type ActivatingContributionKey = keyof typeof activatingContributions;

/**
 * The activation events a plugin answers to: the ones it lists, plus those implied by what it
 * contributes (running one of its commands or CLI subcommands, opening one of its views, using
 * one of its sync transports or formats), so authors need not repeat every id.
 */
export function activationEventsOf(manifest: PluginManifest): Set<string> {
  const events = new Set<string>(manifest.activationEvents ?? []);
  const contributes = manifest.contributes ?? {};
  for (const [key, prefix] of Object.entries(activatingContributions) as Array<[ActivatingContributionKey, string]>) {
    for (const declared of contributes[key] ?? []) events.add(`${prefix}:${declared.id}`);
  }
  for (const cli of contributes.cli ?? []) events.add(`onCommand:${cli.run}`);
  return events;
}
