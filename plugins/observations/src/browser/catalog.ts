import { Emitter, h, type BrowserPluginContext, type DeviceInfo, type Field, type Preset, type Remote } from '@cairn/sdk/browser';
import type { ObservationsService } from '../common/protocol.js';

/**
 * The categories, fields and devices the list and forms show, kept in the window and refreshed
 * when one of them changes on the host (an import, a sync).
 */
export class Catalog {
  presets: Preset[] = [];
  fields: Field[] = [];
  devices: DeviceInfo[] = [];
  private readonly byId = new Map<string, Preset>();
  private readonly deviceNames = new Map<string, string>();
  private readonly onDidChangeEmitter = new Emitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  private loading: Promise<void> | null = null;

  constructor(
    ctx: BrowserPluginContext,
    private readonly service: Remote<ObservationsService>,
  ) {
    ctx.subscriptions.push(
      ctx.events.onDidChangeData((changes) => {
        if (changes.some((change) => change.type === 'preset' || change.type === 'field' || change.type === 'deviceInfo')) void this.refresh();
      }),
      this.onDidChangeEmitter,
    );
  }

  ready(): Promise<void> {
    return (this.loading ??= this.refresh());
  }

  async refresh(): Promise<void> {
    const [categories, devices] = await Promise.all([this.service.categories(), this.service.devices()]);
    this.presets = [...categories.presets].sort((a, b) => (a.sort ?? 1e9) - (b.sort ?? 1e9) || a.name.localeCompare(b.name));
    this.fields = categories.fields;
    this.devices = devices;
    this.byId.clear();
    for (const preset of this.presets) this.byId.set(preset.id, preset);
    this.deviceNames.clear();
    for (const device of devices) this.deviceNames.set(device.deviceId, device.name);
    this.onDidChangeEmitter.fire();
  }

  preset(id: string | null): Preset | null {
    return id === null ? null : (this.byId.get(id) ?? null);
  }

  /** A category's name, or its id when this device does not know it (yet). */
  categoryName(id: string | null): string {
    if (id === null) return '';
    return this.byId.get(id)?.name ?? id;
  }

  deviceName(id: string): string {
    return this.deviceNames.get(id) ?? id.slice(0, 8);
  }

  /**
   * The category's icon. The SVG comes from a configuration file, so it is shown as an image
   * (where scripts in it cannot run), never inserted as markup.
   */
  icon(id: string | null, size = 16): HTMLElement {
    const preset = this.preset(id);
    if (preset?.iconSvg) {
      return h('img', { class: 'obs-icon', alt: '', width: size, height: size, src: `data:image/svg+xml;base64,${utf8Base64(preset.iconSvg)}` });
    }
    return h('span', { class: 'obs-icon obs-icon-dot', 'aria-hidden': 'true', style: `background:${preset?.color ?? 'var(--fg-muted)'};width:${size / 2}px;height:${size / 2}px` });
  }
}

function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}
