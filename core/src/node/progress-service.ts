import { injectable } from '@cairn/sdk/inversify';
import { Emitter, type ProgressReport } from '@cairn/sdk';

export interface ProgressEvent extends ProgressReport {
  id: number;
  title: string;
  done: boolean;
}

/**
 * Long host work in progress (a sync, an import): whoever shows it listens — the CLI draws a bar
 * on the terminal, the workbench a notification.
 */
@injectable()
export class ProgressService {
  private counter = 0;
  private readonly onDidProgressEmitter = new Emitter<ProgressEvent>();
  readonly onDidProgress = this.onDidProgressEmitter.event;

  async run<T>(title: string, task: (report: (progress: ProgressReport) => void) => Promise<T>): Promise<T> {
    this.counter += 1;
    const id = this.counter;
    this.onDidProgressEmitter.fire({ id, title, done: false });
    try {
      return await task((progress) => this.onDidProgressEmitter.fire({ id, title, ...progress, done: false }));
    } finally {
      this.onDidProgressEmitter.fire({ id, title, done: true });
    }
  }

  dispose(): void {
    this.onDidProgressEmitter.dispose();
  }
}
