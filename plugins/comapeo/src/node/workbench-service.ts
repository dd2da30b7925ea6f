import { errorReport, ErrorCodes, isCairnError, type PluginContext } from '@cairn/sdk';
import { COMAPEO_SERVICE, COMAPEO_STATE_EVENT, type ComapeoService, type ComapeoSyncResult, type ComapeoWorkbenchState, type InvitedRole } from '../common/protocol.js';
import type { ComapeoPlugin } from './comapeo-plugin.js';
import { addressIn, roleIn } from './input.js';

/** How long the workbench waits on a device that was just shown in reach. */
const WORKBENCH_TIMEOUT_MS = 120_000;

/**
 * The Sync view's CoMapeo section, served from the host: its state (pushed again whenever it
 * changes) and what its buttons do. The CoMapeo process starts when the user turns the section
 * on, not when the view opens.
 */
export function workbenchService(ctx: PluginContext, plugin: ComapeoPlugin): ComapeoService {
  let syncing = false;
  let lastSync: ComapeoWorkbenchState['lastSync'] = null;

  const state = async (): Promise<ComapeoWorkbenchState> => {
    const [link, hasCairnProject, deviceName] = await Promise.all([
      plugin.link(),
      ctx.project.info().then(
        () => true,
        (error: unknown) => (isCairnError(error, ErrorCodes.NO_PROJECT) ? false : Promise.reject(error)),
      ),
      plugin.deviceName(),
    ]);
    // On once this device is visible to CoMapeo devices (a command may have started CoMapeo's
    // side without making it visible: `create`, `status`).
    const visible = plugin.address !== null;
    const base: ComapeoWorkbenchState = {
      running: visible,
      hasCairnProject,
      deviceId: null,
      deviceName,
      address: plugin.address,
      project: link === null ? null : { projectId: link.comapeoProjectId },
      devices: [],
      invites: [],
      syncing,
      lastSync,
    };
    if (!visible) return base;
    const [status, reach] = await Promise.all([plugin.status(), plugin.reach()]);
    const roles = new Map((status.project?.members ?? []).map((member) => [member.deviceId, member.role]));
    const devices = await Promise.all(
      reach.devices
        .filter((device) => device.deviceId !== status.deviceId)
        .map(async (device) => ({ ...device, role: roles.get(device.deviceId) ?? null, lastSynced: await plugin.lastSyncs.get(device.deviceId) })),
    );
    return { ...base, deviceId: status.deviceId, deviceName: status.deviceName, project: status.project ?? base.project, devices, invites: reach.invites };
  };

  // Changes keep coming while the plugin closes (its CoMapeo process stopping): none is sent then.
  let live = true;
  const pushState = () => {
    if (!live) return;
    void state()
      .then((current) => live && ctx.services.emit(COMAPEO_SERVICE, COMAPEO_STATE_EVENT, current))
      .catch((error: unknown) => live && ctx.log.warn(`Could not tell the workbench the CoMapeo state: ${errorReport(error).message}`));
  };
  ctx.subscriptions.push({ dispose: () => void (live = false) }, plugin.onDidChange(pushState));

  return {
    state,
    async setRunning(on: boolean) {
      if (on) await plugin.reachable();
      else await plugin.stop();
      return state();
    },
    async connect(address: string) {
      await plugin.reachable([addressIn(String(address))]);
      return state();
    },
    async create(name: string | null) {
      await plugin.create(name === null || name === undefined ? null : String(name));
      return state();
    },
    async answerInvite(inviteId: string, accept: boolean) {
      if (accept) await plugin.join({ timeoutMs: WORKBENCH_TIMEOUT_MS, inviteId: String(inviteId) });
      else await plugin.decline(String(inviteId));
      return state();
    },
    invite(deviceId: string, role: InvitedRole) {
      return plugin.invite({ deviceId: String(deviceId), deviceName: null, role: roleIn(role), timeoutMs: WORKBENCH_TIMEOUT_MS });
    },
    async sync(deviceId: string | null): Promise<ComapeoSyncResult> {
      syncing = true;
      pushState();
      try {
        const result = await ctx.progress('Syncing with CoMapeo devices', () =>
          plugin.sync({ waitPeers: 1, timeoutMs: WORKBENCH_TIMEOUT_MS, deviceId: deviceId === null || deviceId === undefined ? null : String(deviceId) }),
        );
        lastSync = { result, error: null, at: new Date().toISOString() };
        return result;
      } catch (error) {
        lastSync = { result: null, error: errorReport(error), at: new Date().toISOString() };
        throw error;
      } finally {
        syncing = false;
        pushState();
      }
    },
  };
}
