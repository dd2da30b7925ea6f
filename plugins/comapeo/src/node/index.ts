import { hostname } from 'node:os';
import { join } from 'node:path';
import { CairnError, ErrorCodes, isCairnError, type PluginContext } from '@cairn/sdk';
import type { ComapeoStatus } from '../common/protocol.js';
import type { ComapeoProcess } from './comapeo-process.js';
import { linkIn, rootKeyIn, saveLink } from './identity.js';

/**
 * Activated by its commands only: the CoMapeo process starts on the first command that needs it,
 * never with the host, and goes with the plugin.
 */
export function activate(ctx: PluginContext): void {
  let comapeo: Promise<ComapeoProcess> | null = null;
  const comapeoProcess = (): Promise<ComapeoProcess> =>
    (comapeo ??= (async () => {
      const { ComapeoProcess } = await import('./comapeo-process.js');
      return new ComapeoProcess({ rootKey: await rootKeyIn(ctx.storagePath), storageDir: join(ctx.storagePath, 'comapeo'), deviceName: await deviceName(), log: ctx.log });
    })());
  ctx.subscriptions.push({ dispose: async () => (comapeo === null ? undefined : (await comapeo.catch(() => null))?.close()) });

  /** The Cairn device's name, which CoMapeo devices are shown; the computer's name before a project exists. */
  const deviceName = async (): Promise<string> => {
    try {
      return (await ctx.project.info()).deviceName;
    } catch (error) {
      if (isCairnError(error, ErrorCodes.NO_PROJECT)) return hostname() || 'Cairn';
      throw error;
    }
  };

  const status = async (): Promise<ComapeoStatus> => {
    const link = await linkIn(ctx.storagePath);
    const reply = await (await comapeoProcess()).call('status', { projectId: link?.comapeoProjectId ?? null });
    return { ...reply, deviceName: reply.deviceName ?? (await deviceName()) };
  };

  ctx.subscriptions.push(
    // `cairn comapeo status`.
    ctx.commands.register('comapeo.status', status),
    // `cairn comapeo create [--name NAME]`.
    ctx.commands.register('comapeo.create', async (input: { name?: unknown } = {}) => {
      const info = await ctx.project.info(); // ERR_NO_PROJECT when there is none to link
      const existing = await linkIn(ctx.storagePath);
      if (existing !== null) {
        throw new CairnError(
          ErrorCodes.INVALID_INPUT,
          `This project is already linked with the CoMapeo project ${existing.comapeoProjectId}; \`cairn comapeo status\` shows it.`,
        );
      }
      const name = input.name === undefined ? (info.projectName ?? 'Cairn project') : String(input.name).trim();
      if (name === '') throw new CairnError(ErrorCodes.INVALID_INPUT, 'name: give the CoMapeo project a name, e.g. --name "River watch".');
      const { projectId } = await (await comapeoProcess()).call('createProject', { name });
      await saveLink(ctx.storagePath, { comapeoProjectId: projectId, cairnProjectKey: info.projectKey });
      return (await status()).project;
    }),
  );
}
