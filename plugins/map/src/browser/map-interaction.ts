import { listen, type Disposable } from '@cairn/sdk/browser';

/** What the keyboard, the zoom buttons and Shift+drag ask of the map they are on. */
export interface MapNavigation {
  /** Moves the map's centre by so many pixels. */
  pan(dx: number, dy: number): void;
  /** Zooms in (a positive step) or out. */
  zoom(by: number): void;
  fitToData(): void;
  /** Lists the observations in a box of the surface (pixels from its top left). */
  listBox(left: number, top: number, right: number, bottom: number): void;
}

/** Pixels an arrow key pans by (Shift: three times as far). */
const PAN_STEP = 100;
/** A drag shorter than this either way is no box. */
const MIN_BOX_PIXELS = 4;

/**
 * The map's own interaction, beside deck.gl's drag and scroll: the keyboard on the focused
 * surface (arrows pan, + and − zoom, 0 fits), the zoom buttons, and Shift+drag to draw a box and
 * list what is in it. Every listener it adds goes when it is disposed.
 */
export class MapInteraction implements Disposable {
  private readonly listeners: Disposable[];
  /** Where a Shift+drag started, in pixels of the surface; null when none is under way. */
  private dragStart: { x: number; y: number } | null = null;

  constructor(
    private readonly surface: HTMLElement,
    /** The box drawn while dragging. */
    private readonly box: HTMLElement,
    buttons: { zoomIn: HTMLElement; zoomOut: HTMLElement; fit: HTMLElement },
    private readonly navigation: MapNavigation,
  ) {
    // Taken on the way down to deck.gl's canvas, so that a Shift+drag draws a box instead of panning.
    this.listeners = [
      listen(surface, 'pointerdown', (event) => this.startBox(event), true),
      listen(surface, 'pointermove', (event) => this.growBox(event), true),
      listen(surface, 'pointerup', (event) => this.endBox(event), true),
      listen(surface, 'keydown', (event) => this.onKey(event)),
      listen(buttons.zoomIn, 'click', () => navigation.zoom(1)),
      listen(buttons.zoomOut, 'click', () => navigation.zoom(-1)),
      listen(buttons.fit, 'click', () => navigation.fitToData()),
    ];
  }

  dispose(): void {
    for (const listener of this.listeners.splice(0)) void listener.dispose();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.target !== this.surface || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = PAN_STEP * (event.shiftKey ? 3 : 1);
    const { navigation } = this;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => navigation.pan(-step, 0),
      ArrowRight: () => navigation.pan(step, 0),
      ArrowUp: () => navigation.pan(0, -step),
      ArrowDown: () => navigation.pan(0, step),
      '+': () => navigation.zoom(1),
      '=': () => navigation.zoom(1),
      '-': () => navigation.zoom(-1),
      _: () => navigation.zoom(-1),
      '0': () => navigation.fitToData(),
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  }

  /** The pointer's place on the surface. */
  private local(event: PointerEvent): { x: number; y: number } {
    const rect = this.surface.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private startBox(event: PointerEvent): void {
    if (!event.shiftKey || event.button !== 0) return;
    this.dragStart = this.local(event);
    this.surface.setPointerCapture(event.pointerId);
    event.stopPropagation();
  }

  private growBox(event: PointerEvent): void {
    const start = this.dragStart;
    if (start === null) return;
    const at = this.local(event);
    Object.assign(this.box.style, {
      left: `${Math.min(at.x, start.x)}px`,
      top: `${Math.min(at.y, start.y)}px`,
      width: `${Math.abs(at.x - start.x)}px`,
      height: `${Math.abs(at.y - start.y)}px`,
    });
    this.box.hidden = false;
    event.stopPropagation();
  }

  private endBox(event: PointerEvent): void {
    const start = this.dragStart;
    if (start === null) return;
    const end = this.local(event);
    this.dragStart = null;
    this.box.hidden = true;
    event.stopPropagation();
    if (Math.abs(end.x - start.x) < MIN_BOX_PIXELS || Math.abs(end.y - start.y) < MIN_BOX_PIXELS) return;
    this.navigation.listBox(Math.min(start.x, end.x), Math.min(start.y, end.y), Math.max(start.x, end.x), Math.max(start.y, end.y));
  }
}
