import type { PluginManifest } from '@cairn/sdk/common';

/**
 * The activation events a plugin answers to: the ones it lists, plus those implied by what it
 * contributes (running one of its commands or CLI subcommands, opening one of its views, using
 * one of its sync transports), so authors need not repeat every id.
 */
export function activationEventsOf(manifest: PluginManifest): Set<string> {
  const events = new Set<string>(manifest.activationEvents ?? []);
  const contributes = manifest.contributes ?? {};
  for (const command of contributes.commands ?? []) events.add(`onCommand:${command.id}`);
  for (const cli of contributes.cli ?? []) events.add(`onCommand:${cli.run}`);
  for (const view of contributes.views ?? []) events.add(`onView:${view.id}`);
  for (const transport of contributes.syncTransports ?? []) events.add(`onSyncTransport:${transport.id}`);
  for (const format of contributes.exportFormats ?? []) events.add(`onExportFormat:${format.id}`);
  for (const format of contributes.importFormats ?? []) events.add(`onImportFormat:${format.id}`);
  return events;
}
