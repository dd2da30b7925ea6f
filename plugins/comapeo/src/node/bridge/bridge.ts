import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginContext } from '@cairn/sdk';
import type { ComapeoProcess } from '../comapeo-process.js';
import { emptyCounts, type BridgeCounts } from './bridge-io.js';
import { BridgeState } from './bridge-state.js';
import { bridgeCategories } from './categories.js';
import { bridgeObservations } from './observations.js';
import { bridgeTracks } from './tracks.js';

/**
 * Brings the CoMapeo project and the Cairn project to say the same: fields, then categories (which
 * name fields), then observations (which name categories), then tracks (which name both). A crash at any point leaves each
 * document whole on both sides; the next run compares again and finishes the work.
 */
export async function bridgeProject(ctx: PluginContext, comapeo: ComapeoProcess, projectId: string): Promise<BridgeCounts> {
  const transferDir = join(ctx.storagePath, 'transfer');
  await rm(transferDir, { recursive: true, force: true }); // what a crashed run left on its way
  await mkdir(transferDir, { recursive: true });
  const io = { ctx, comapeo, projectId, state: await BridgeState.load(ctx.storagePath), transferDir, counts: emptyCounts() };
  try {
    let started = performance.now();
    const docs = await comapeo.call('readDocs', { projectId });
    const lap = (what: string) => {
      ctx.log.debug(`Bridge: ${what} in ${Math.round(performance.now() - started)} ms.`);
      started = performance.now();
    };
    lap(`read ${docs.observations.length} CoMapeo observations`);
    const categories = await bridgeCategories(io, docs);
    lap('categories and fields');
    const observations = await bridgeObservations(io, categories, docs.observations);
    lap('observations');
    await bridgeTracks(io, categories, observations, docs.tracks);
    lap(`${docs.tracks.length} CoMapeo tracks`);
    await io.state.save();
    return io.counts;
  } finally {
    await rm(transferDir, { recursive: true, force: true });
  }
}
