import { h } from './dom.js';

export type NotificationLevel = 'info' | 'warn' | 'error';

export interface ProgressHandle {
  report(message: string | undefined, percent: number | undefined): void;
  done(): void;
}

/**
 * Toasts in the corner: errors are announced at once (`role="alert"`), the rest politely. Info
 * goes away by itself; warnings and errors stay until closed.
 */
export class Notifications {
  private readonly region: HTMLDivElement;

  constructor(host: HTMLElement) {
    this.region = h('div', { class: 'notifications', 'aria-label': 'Notifications' });
    host.append(this.region);
  }

  show(level: NotificationLevel, message: string): HTMLElement {
    const close = h('button', { class: 'notification-close', 'aria-label': 'Close notification', title: 'Close' }, '×');
    const toast = h(
      'div',
      { class: `notification notification-${level}`, role: level === 'error' ? 'alert' : 'status' },
      h('span', { class: 'notification-icon', 'aria-hidden': 'true' }, level === 'error' ? '×' : level === 'warn' ? '!' : 'i'),
      h('span', { class: 'notification-message' }, message),
      close,
    );
    close.addEventListener('click', () => toast.remove());
    this.region.append(toast);
    if (level === 'info') setTimeout(() => toast.remove(), 6000);
    return toast;
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
