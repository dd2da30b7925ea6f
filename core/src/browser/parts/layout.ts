import { defaultLayout, type LayoutState } from '../../common/workbench-protocol.js';
import type { Disposable } from '@cairn/sdk/browser';
import { h, listen } from '../dom.js';

/** The parts the layout arranges, each an element of the workbench's grid. */
export interface LayoutParts {
  activityBar: HTMLElement;
  sideBar: HTMLElement;
  editorArea: HTMLElement;
  panel: HTMLElement;
  statusBar: HTMLElement;
}

/**
 * The workbench's grid (activity bar, side bar, sash, editor area, panel, status bar) and the
 * layout state it shows: which view, the side bar's width, the panel, the theme, the open
 * editors. The state is saved (debounced) through `save`, per data dir.
 */
export class Layout {
  readonly root: HTMLElement;
  state: LayoutState = { ...defaultLayout };
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** The OS's light or dark preference, which the theme follows unless the user chose one. */
  private readonly systemTheme = window.matchMedia('(prefers-color-scheme: dark)');
  private readonly systemThemeListener: Disposable;

  constructor(
    private readonly parts: LayoutParts,
    private readonly save: (state: LayoutState) => Promise<unknown>,
    /** Called after every change the layout applied (the shell renders the view shown). */
    private readonly onDidApply: () => void,
  ) {
    const sash = h('div', { class: 'sash', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': 'Resize side bar', tabindex: '0' });
    this.root = h('div', { class: 'workbench' }, parts.activityBar, parts.sideBar, sash, parts.editorArea, parts.panel, parts.statusBar);
    this.wireSash(sash);
    this.systemThemeListener = listen(this.systemTheme, 'change', () => this.applyTheme());
  }

  restore(saved: Partial<LayoutState>): void {
    this.state = { ...defaultLayout, ...saved };
  }

  /** Changes the layout, shows it, and saves it. */
  update(change: Partial<LayoutState>): void {
    Object.assign(this.state, change);
    this.apply();
    this.persist();
  }

  apply(): void {
    const { root, state } = this;
    root.style.setProperty('--side-bar-width', `${state.sidebarWidth}px`);
    root.style.setProperty('--panel-height', `${state.panelHeight}px`);
    root.classList.toggle('side-bar-hidden', !state.sidebarVisible);
    root.classList.toggle('panel-hidden', !state.panelVisible);
    this.parts.sideBar.hidden = !state.sidebarVisible;
    this.parts.panel.hidden = !state.panelVisible;
    this.onDidApply();
  }

  applyTheme(): void {
    const system = this.systemTheme.matches ? 'dark' : 'light';
    document.documentElement.dataset.theme = this.state.theme === 'system' ? system : this.state.theme;
  }

  /** Saves the layout a little later: a drag of the sash or a burst of tab changes is one write. */
  persist(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.save(this.state).catch(() => undefined);
    }, 250);
  }

  /** Stops following the OS's theme. A save under way still happens. */
  dispose(): void {
    void this.systemThemeListener.dispose();
  }

  private wireSash(sash: HTMLElement): void {
    const resize = (width: number) => this.update({ sidebarWidth: Math.max(180, Math.min(800, Math.round(width))) });
    sash.addEventListener('pointerdown', (event) => {
      sash.setPointerCapture(event.pointerId);
      const move = (moveEvent: PointerEvent) => resize(moveEvent.clientX - this.parts.activityBar.getBoundingClientRect().width);
      const up = () => {
        sash.removeEventListener('pointermove', move);
        sash.removeEventListener('pointerup', up);
      };
      sash.addEventListener('pointermove', move);
      sash.addEventListener('pointerup', up);
    });
    sash.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft') resize(this.state.sidebarWidth - 20);
      if (event.key === 'ArrowRight') resize(this.state.sidebarWidth + 20);
    });
  }
}
