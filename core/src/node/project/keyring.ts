import type { CurrentDocument } from './project-index.js';
import { openSealed, type EpochKeyValue } from './epoch-keys.js';

/**
 * The epoch keys this device can open: read from the project's `epochKey` documents (a
 * coordinator makes one at each removal; any member may seal it to another), each opened with
 * this device's own key. The latest one is the key new data is sealed with; without any, new
 * data is sealed with the project key alone, as before the first removal.
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private latest: { id: string; key: Buffer } | null = null;

  constructor(
    private readonly selfId: string,
    private readonly signer: () => { publicKey: Buffer; secretKey: Buffer },
  ) {}

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  /** Every epoch key held, by the id of its document. */
  all(): Array<{ id: string; key: Buffer }> {
    return [...this.keys].map(([id, key]) => ({ id, key }));
  }

  /** The key new data is sealed with, if the project has had a removal. */
  get current(): { id: string; key: Buffer } | null {
    return this.latest;
  }

  /** Opens the keys sealed to this device that it does not hold yet; true if it gained one. */
  update(documents: ReadonlyArray<CurrentDocument<'epochKey'>>): boolean {
    let gained = false;
    // Oldest first: the last one opened is the newest epoch this device belongs to.
    const ordered = [...documents].sort((a, b) => (a.version.createdAt === b.version.createdAt ? (a.version.docId < b.version.docId ? -1 : 1) : a.version.createdAt < b.version.createdAt ? -1 : 1));
    for (const { version } of ordered) {
      const id = version.docId;
      // A key's id is written into every block it seals: 16 bytes, as `newId` makes them.
      if (!/^[0-9a-f]{32}$/.test(id)) continue;
      let key = this.keys.get(id);
      if (key === undefined) {
        const sealed = (version.value as EpochKeyValue | null)?.sealed?.[this.selfId];
        const opened = typeof sealed === 'string' ? openSealed(this.signer(), sealed) : null;
        if (opened === null) continue;
        key = opened;
        this.keys.set(id, key);
        gained = true;
      }
      this.latest = { id, key };
    }
    return gained;
  }
}
