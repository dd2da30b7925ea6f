import { categoryColors, Emitter, h, NO_CATEGORY_COLOR, type BrowserPluginContext, type DeviceInfo, type Field, type Preset, type Remote } from '@cairn/sdk/browser';
import { inFormOrder } from '../common/forms.js';
import type { ObservationsService } from '../common/protocol.js';

/**
 * The categories, fields and devices the list and forms show, kept in the window and refreshed
 * when one of them changes on the host (an import, a sync); and how many observations each
 * category has, asked once for the side bar, the list's filter and the colours alike (on a
 * million observations the count is the costly part).
 */
export class Catalog {
  presets: Preset[] = [];
  fields: Field[] = [];
  devices: DeviceInfo[] = [];
  private readonly byId = new Map<string, Preset>();
  /** Every category's colour, the same as the map's (the presets' own, distinct ones for the rest). */
  private colors = new Map<string, string>();
  /** Observations per category (null: none), categories in use without a preset included. */
  counts = new Map<string | null, number>();
  private countsTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly deviceNames = new Map<string, string>();
  private readonly onDidChangeEmitter = new Emitter<void>();
  /** The categories, fields, devices or colours changed. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly onDidChangeCountsEmitter = new Emitter<void>();
  /** The counts per category changed (observations were added, edited, deleted). */
  readonly onDidChangeCounts = this.onDidChangeCountsEmitter.event;
  private loading: Promise<void> | null = null;

  constructor(
    ctx: BrowserPluginContext,
    private readonly service: Remote<ObservationsService>,
  ) {
    ctx.subscriptions.push(
      ctx.events.onDidChangeData((changes) => {
        if (changes.some((change) => change.type === 'preset' || change.type === 'field' || change.type === 'deviceInfo')) void this.refresh();
        else if (changes.some((change) => change.type === 'observation')) this.refreshCounts();
      }),
      ctx.events.onDidChangeProject(() => void this.refresh()),
      this.onDidChangeEmitter,
      this.onDidChangeCountsEmitter,
      { dispose: () => clearTimeout(this.countsTimer) },
    );
  }

  /** Loaded once; a load that failed (no project yet, say) is tried again by the next caller. */
  ready(): Promise<void> {
    this.loading ??= this.refresh().catch((error: unknown) => {
      this.loading = null;
      throw error;
    });
    return this.loading;
  }

  async refresh(): Promise<void> {
    const [categories, devices, counts] = await Promise.all([this.service.categories(), this.service.devices(), this.service.categoryCounts({})]);
    this.counts = new Map(counts.map((entry) => [entry.category, entry.count]));
    this.presets = [...categories.presets].sort(inFormOrder);
    this.fields = categories.fields;
    this.devices = devices;
    this.byId.clear();
    for (const preset of this.presets) this.byId.set(preset.id, preset);
    this.deviceNames.clear();
    for (const device of devices) this.deviceNames.set(device.deviceId, device.name);
    this.colors = categoryColors([...this.presets, ...this.inUse().map((id) => ({ id }))]);
    this.onDidChangeEmitter.fire();
    this.onDidChangeCountsEmitter.fire();
  }

  /** The categories observations use (with a preset or not). */
  inUse(): string[] {
    return [...this.counts.keys()].filter((id): id is string => id !== null);
  }

  /** Observations changed: counted again (a little later while they keep changing); a category that came into use takes a colour. */
  private refreshCounts(): void {
    clearTimeout(this.countsTimer);
    this.countsTimer = setTimeout(() => {
      void this.service.categoryCounts({}).then((counts) => {
        this.counts = new Map(counts.map((entry) => [entry.category, entry.count]));
        if (!this.inUse().every((id) => this.colors.has(id))) {
          this.colors = categoryColors([...this.presets, ...this.inUse().map((id) => ({ id }))]);
          this.onDidChangeEmitter.fire();
        }
        this.onDidChangeCountsEmitter.fire();
      }, () => undefined);
    }, 300);
  }

  /** The category's colour (`#rrggbb`), as the map draws it. */
  color(id: string | null): string {
    return id === null ? NO_CATEGORY_COLOR : (this.colors.get(id) ?? NO_CATEGORY_COLOR);
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
    const color = this.color(id);
    if (preset?.iconSvg) {
      // On a light disc ringed in the category's colour, as on the map: a dark icon stays visible on a dark theme.
      return h(
        'span',
        { class: 'obs-icon obs-icon-disc', 'aria-hidden': 'true', style: `border-color:${color};width:${size}px;height:${size}px` },
        h('img', { alt: '', width: size - 4, height: size - 4, src: `data:image/svg+xml;base64,${utf8Base64(preset.iconSvg)}` }),
      );
    }
    return h('span', { class: 'obs-icon obs-icon-dot', 'aria-hidden': 'true', style: `background:${color};width:${size / 2}px;height:${size / 2}px` });
  }
}

function utf8Base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}
