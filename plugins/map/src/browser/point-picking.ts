import type { PickingInfo } from '@deck.gl/core';
import { formatDateTime, h, type Remote } from '@cairn/sdk/browser';
import type { MapPoint, MapService } from '../common/protocol.js';
import type { MapPoints } from './point-data.js';

/**
 * Hover and click on the points: which point the pointer is on (a dense map draws a thinned
 * subset, so the layer's index is mapped back), its tooltip — category and place at once, notes and
 * date once the host has said them — and each point's details, asked of the host once per set.
 */
export class PointPicker {
  /** The point the tooltip is for; −1 for none. */
  private hovered = -1;
  /** By set and index: the workbench holds no object per point, only those looked at. */
  private readonly details = new Map<string, MapPoint | null>();

  constructor(
    private readonly points: MapPoints,
    private readonly service: Remote<MapService>,
    private readonly tooltip: HTMLElement,
  ) {}

  /** The point shown under the pointer, or null when it is on none. */
  picked(info: PickingInfo): number | null {
    if (info.layer?.id !== 'points' || info.index < 0) return null;
    return this.points.shownIndex(info.index);
  }

  /** A point shown, as the host has it (id, notes, date). */
  async pointAt(index: number): Promise<MapPoint | null> {
    const points = this.points.shown;
    if (points === null) return null;
    const loadedIndex = this.points.loadedIndex(index);
    const key = `${points.header.snapshot}:${loadedIndex}`;
    if (!this.details.has(key)) this.details.set(key, await this.service.point(points.header.snapshot, loadedIndex));
    return this.details.get(key) ?? null;
  }

  /** Shows the tooltip of the point under the pointer, or hides it off the points. */
  async hover(info: PickingInfo): Promise<void> {
    const points = this.points.shown;
    const index = this.picked(info);
    if (index === null || points === null) {
      this.hovered = -1;
      this.tooltip.hidden = true;
      return;
    }
    this.hovered = index;
    const category = points.header.categories[points.categories[index]!]!;
    const [lon, lat] = [points.positions[index * 2]!, points.positions[index * 2 + 1]!];
    this.tooltip.replaceChildren(h('strong', {}, category.name), h('div', { class: 'map-meta' }, `${lat.toFixed(5)}, ${lon.toFixed(5)}`));
    this.tooltip.style.left = `${info.x + 12}px`;
    this.tooltip.style.top = `${info.y + 12}px`;
    this.tooltip.hidden = false;
    const point = await this.pointAt(index).catch(() => null);
    // The pointer may have moved on while the host answered.
    if (point === null || this.hovered !== index) return;
    this.tooltip.append(h('div', {}, point.notes || '(no notes)'), h('div', { class: 'map-meta' }, `${formatDateTime(point.createdAt)} · click to open`));
  }

  /** The data changed: the details asked so far may be out of date. */
  forget(): void {
    this.details.clear();
  }
}
