import type { PluginContext } from '@cairn/sdk';
import type { ComapeoDoc, ComapeoSyncResult, DocWrite } from '../../common/protocol.js';
import type { ComapeoProcess } from '../comapeo-process.js';
import type { BridgeState } from './bridge-state.js';

/** What one bridge run brought into Cairn and sent to CoMapeo. */
export type BridgeCounts = Pick<ComapeoSyncResult, 'received' | 'sent'>;

/** What each part of a bridge run works with. */
export interface BridgeIo {
  ctx: PluginContext;
  comapeo: ComapeoProcess;
  projectId: string;
  state: BridgeState;
  /** A folder of the plugin's storage for attachments on their way from one side to the other. */
  transferDir: string;
  counts: BridgeCounts;
}

/** Writes to CoMapeo in batches: one call over the channel per batch, not per document. */
export async function writeComapeo(io: BridgeIo, writes: DocWrite[]): Promise<ComapeoDoc[]> {
  const written: ComapeoDoc[] = [];
  for (let at = 0; at < writes.length; at += 500) {
    written.push(...(await io.comapeo.call('writeDocs', { projectId: io.projectId, writes: writes.slice(at, at + 500) })));
  }
  return written;
}

export function emptyCounts(): BridgeCounts {
  return { received: { observations: 0, attachments: 0, categories: 0, tracks: 0 }, sent: { observations: 0, attachments: 0, categories: 0, tracks: 0 } };
}
