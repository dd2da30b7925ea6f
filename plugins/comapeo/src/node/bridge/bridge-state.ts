import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { CairnError, ErrorCodes, ioError, writeFileAtomic } from '@cairn/sdk';

/**
 * What the last bridge left in step, per document: the Cairn version and the CoMapeo version that
 * said the same. It says which side changed since (so an edit on a phone whose clock runs late
 * still wins over a Cairn version it came after) and that a document missing from one side was
 * deleted there. It is only ever a hint: the documents say what is true (a Cairn id is its CoMapeo
 * twin's docId, or the twin carries it), so a state lost or stale from a crash costs a comparison,
 * never a document.
 */
export interface PairState {
  cairn: string;
  comapeo: string;
  /** The CoMapeo document's id. */
  twin: string;
}

export type BridgedKind = 'observation' | 'preset' | 'field' | 'track';

const STATE_FILE = 'bridge-state.json';

export class BridgeState {
  private constructor(
    private readonly path: string,
    private readonly pairs: Record<BridgedKind, Map<string, PairState>>,
  ) {}

  static async load(storagePath: string): Promise<BridgeState> {
    const path = join(storagePath, STATE_FILE);
    let stored: Partial<Record<BridgedKind, Record<string, PairState>>> = {};
    try {
      stored = JSON.parse(await readFile(path, 'utf8')) as typeof stored;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !(error instanceof SyntaxError)) throw ioError(`Could not read ${path}`, error);
      // A damaged state is as good as none: the next bridge compares every document.
    }
    const map = (kind: BridgedKind) => new Map(Object.entries(stored[kind] ?? {}));
    return new BridgeState(path, { observation: map('observation'), preset: map('preset'), field: map('field'), track: map('track') });
  }

  get(kind: BridgedKind, cairnId: string): PairState | undefined {
    return this.pairs[kind].get(cairnId);
  }

  set(kind: BridgedKind, cairnId: string, pair: PairState | null): void {
    if (pair === null) this.pairs[kind].delete(cairnId);
    else this.pairs[kind].set(cairnId, pair);
  }

  async save(): Promise<void> {
    const json = Object.fromEntries(Object.entries(this.pairs).map(([kind, pairs]) => [kind, Object.fromEntries(pairs)]));
    try {
      await writeFileAtomic(this.path, JSON.stringify(json));
    } catch (error) {
      throw error instanceof CairnError ? error : new CairnError(ErrorCodes.IO, `Could not write ${this.path}: ${(error as Error).message}`);
    }
  }
}
