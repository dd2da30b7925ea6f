import type { Disposable } from '@cairn/sdk/browser';
import { h, listen } from './dom.js';

/**
 * In browser mode every request carries the window's token in a cookie of its server's own (each
 * port its own name, so two workbenches in one browser keep theirs). When the cookie is gone
 * (cleared, or the browser restarted without it), the window's next module or resource would
 * fail one by one: this says so once, in one line, and what to do.
 */
export class SessionGuard {
  private lost = false;
  private checking: Promise<boolean> | null = null;
  private readonly served = window.location.protocol === 'http:' || window.location.protocol === 'https:';
  private readonly visibilityListener: Disposable;

  constructor(private readonly host: HTMLElement) {
    // A window shown again is checked: its cookie may have been cleared while it was out of sight.
    this.visibilityListener = listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.check();
    });
  }

  dispose(): void {
    void this.visibilityListener.dispose();
  }

  /** Whether the window may still load from its server; false (and said once) when it lost its cookie. */
  check(): Promise<boolean> {
    if (!this.served) return Promise.resolve(true);
    this.checking ??= fetch('/session', { cache: 'no-store', credentials: 'same-origin' })
      .then((response) => {
        if (response.status === 403) this.say();
        return response.status !== 403;
      })
      // The server is unreachable: the connection's own message says so.
      .catch(() => true)
      .finally(() => (this.checking = null));
    return this.checking;
  }

  private say(): void {
    if (this.lost) return;
    this.lost = true;
    this.host.prepend(
      h(
        'div',
        { class: 'session-lost', role: 'alert' },
        'This window lost its access to the Cairn host (its cookie is gone): open the workbench again with the URL `cairn serve` printed.',
      ),
    );
  }
}
