import { CairnError, ErrorCodes, type ProgressReport } from '@cairn/sdk/browser';
import type { Notifications, ProgressHandle } from './notifications.js';
import type { StatusBar } from './parts/status-bar.js';

/** Long host work started elsewhere (a command, another window, the command line). */
export interface HostProgress extends ProgressReport {
  id: number;
  title: string;
  done: boolean;
}

/** Progress of long work: a notification with a bar (and Cancel), and the title in the status bar. */
export class ProgressReporter {
  private readonly hostWork = new Map<number, ProgressHandle>();

  constructor(
    private readonly notifications: Notifications,
    private readonly statusBar: StatusBar,
  ) {}

  /** Runs `task` with progress until it settles; cancelling it rejects with `ERR_CANCELLED`. */
  async run<T>(title: string, task: (report: (progress: ProgressReport) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const toast = this.notifications.progress(title, () => controller.abort());
    this.statusBar.setProgress(title);
    toast.report(undefined, undefined);
    try {
      return await task((progress) => {
        toast.report(progress.message, progress.percent);
        this.statusBar.setProgress(title, progress.percent);
      }, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        this.notifications.show('info', `${title}: cancelled.`);
        throw new CairnError(ErrorCodes.CANCELLED, `${title} was cancelled.`);
      }
      throw error;
    } finally {
      toast.done();
      this.statusBar.setProgress(null);
    }
  }

  /** Work the host reports: a progress notification until it is done. */
  host(event: HostProgress): void {
    let toast = this.hostWork.get(event.id);
    if (event.done) {
      toast?.done();
      this.hostWork.delete(event.id);
      return;
    }
    if (toast === undefined) {
      toast = this.notifications.progress(event.title);
      this.hostWork.set(event.id, toast);
    }
    toast.report(event.message, event.percent);
  }
}
