import { h } from './dom.js';

export type NotificationLevel = 'info' | 'success' | 'warn' | 'error';

export interface ProgressHandle {
  report(message: string | undefined, percent: number | undefined): void;
  done(): void;
}

/** How long a notification of information or success stays, unless the pointer or the focus is on it. */
const FADE_MS = 6000;

const icons: Record<NotificationLevel, string> = { info: 'i', success: '✓', warn: '!', error: '×' };

/**
 * Toasts in the corner: errors are announced at once (`role="alert"`) and stay until closed, as
 * do warnings; information and success are announced politely and fade by themselves.
 */
export class Notifications {
  private readonly region: HTMLDivElement;

  constructor(host: HTMLElement) {
    this.region = h('div', { class: 'notifications', role: 'region', 'aria-label': 'Notifications' });
    host.append(this.region);
  }

  show(level: NotificationLevel, message: string): HTMLElement {
    const close = h('button', { class: 'notification-close', 'aria-label': 'Close notification', title: 'Close' }, '×');
    const toast = h(
      'div',
      { class: `notification notification-${level}`, role: level === 'error' ? 'alert' : 'status' },
      h('span', { class: 'notification-icon', 'aria-hidden': 'true' }, icons[level]),
      h('span', { class: 'notification-message' }, message),
      close,
    );
    close.addEventListener('click', () => toast.remove());
    this.region.append(toast);
    if (level === 'info' || level === 'success') this.fade(toast);
    return toast;
  }

  /** Removes the toast after a while; not while it is pointed at or focused (someone is reading it). */
  private fade(toast: HTMLElement): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        toast.classList.add('fading');
        setTimeout(() => toast.remove(), 300);
      }, FADE_MS);
    };
    const hold = () => clearTimeout(timer);
    toast.addEventListener('pointerenter', hold);
    toast.addEventListener('focusin', hold);
    toast.addEventListener('pointerleave', start);
    toast.addEventListener('focusout', start);
    start();
  }

  /** A notification with a progress bar, until `done()`; with a Cancel button when `cancel` is given. */
  progress(title: string, cancel?: () => void): ProgressHandle {
    const bar = h('div', { class: 'progress-bar', role: 'progressbar', 'aria-label': title, 'aria-valuemin': '0', 'aria-valuemax': '100' });
    const detail = h('span', { class: 'notification-detail' });
    const toast = h(
      'div',
      { class: 'notification notification-progress', role: 'status' },
      h('span', { class: 'notification-message' }, title, ' ', detail),
      h('div', { class: 'progress-track' }, bar),
    );
    if (cancel !== undefined) {
      const button = h('button', { class: 'secondary', 'aria-label': `Cancel ${title}` }, 'Cancel');
      button.addEventListener('click', () => {
        button.disabled = true;
        cancel();
      });
      toast.append(button);
    }
    this.region.append(toast);
    return {
      report: (message, percent) => {
        if (message !== undefined) detail.textContent = message;
        if (percent !== undefined) {
          bar.classList.remove('indeterminate');
          bar.style.width = `${Math.max(0, Math.min(100, percent))}%`;
          bar.setAttribute('aria-valuenow', String(Math.round(percent)));
        } else {
          bar.classList.add('indeterminate');
        }
      },
      done: () => toast.remove(),
    };
  }
}
