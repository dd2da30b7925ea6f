import type { DeviceInfo, DeviceType, ProjectSettings } from '@cairn/sdk';
import { checkSettingsPatch } from './project-checks.js';
import type { ProjectStore } from './project-store.js';

/** The project's one settings document. */
const SETTINGS_ID = 'settings';

const defaultSettings: ProjectSettings = { name: null, description: null, color: null, defaultPresets: [], configMetadata: null };

/**
 * The documents of a project that are not observations, categories or fields: its settings (one
 * document, whose every edit settles concurrent ones) and each device's name and type (one
 * document per device, written by that device).
 */
export class SettingsAndDevices {
  constructor(private readonly store: ProjectStore) {}

  settings(): ProjectSettings {
    const current = this.store.index.current('projectSettings', SETTINGS_ID);
    return current === null || current.deleted ? { ...defaultSettings } : { ...defaultSettings, ...current.version.value };
  }

  async updateSettings(patch: Partial<ProjectSettings>): Promise<ProjectSettings> {
    const checked = checkSettingsPatch(patch);
    await this.store.write(() => {
      const current = this.store.index.current('projectSettings', SETTINGS_ID);
      const now = new Date().toISOString();
      return [
        {
          type: 'projectSettings',
          docId: SETTINGS_ID,
          // Settings edits always settle concurrent ones: there is one set of settings.
          links: this.store.index.heads('projectSettings', SETTINGS_ID),
          createdAt: current?.version.createdAt ?? now,
          createdBy: current?.version.createdBy ?? this.store.deviceId,
          updatedAt: now,
          deleted: false,
          value: { ...this.settings(), ...checked },
        },
      ];
    });
    return this.settings();
  }

  /** Every device whose data this device holds, itself included, with the name each gave itself. */
  devices(): DeviceInfo[] {
    const infos = new Map(this.store.index.list('deviceInfo').map(({ version }) => [version.docId, version.value!]));
    return this.store.allDevices().map((device) => {
      const info = infos.get(device.record.deviceId);
      return {
        deviceId: device.record.deviceId,
        name: info?.name ?? 'Unknown device',
        deviceType: info?.deviceType ?? 'desktop',
        self: device.own,
      };
    });
  }

  /** Records this device's name and type in the project, so other devices can show them; nothing is written when they are the same. */
  async recordThisDevice(wanted: { name: string; deviceType: DeviceType }): Promise<void> {
    const id = this.store.deviceId;
    const current = this.store.index.current('deviceInfo', id);
    if (current !== null && !current.deleted && JSON.stringify(current.version.value) === JSON.stringify(wanted)) return;
    // A device removed from the project (or not admitted yet) writes nothing: it would be ignored.
    if (this.store.roster.roleAt(id, this.store.own.docs.length) === null) return;
    await this.store.write(() => {
      const now = new Date().toISOString();
      return [
        {
          type: 'deviceInfo',
          docId: id,
          links: this.store.index.heads('deviceInfo', id),
          createdAt: current?.version.createdAt ?? now,
          createdBy: id,
          updatedAt: now,
          deleted: false,
          value: wanted,
        },
      ];
    });
  }
}
