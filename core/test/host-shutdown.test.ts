import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ContainerModule, inject, injectable } from '@cairn/sdk/inversify';
import { CairnHost } from '@cairn/core';
import { bindService } from '@cairn/core/node/di/service-lifetimes.js';

/** What the services below did at shutdown, in order. */
let shutdowns: string[] = [];

@injectable()
class Archive {
  dispose(): void {
    shutdowns.push('archive');
  }
}

@injectable()
class Catalogue {
  constructor(@inject(Archive) readonly archive: Archive) {}

  dispose(): void {
    shutdowns.push('catalogue');
    throw new Error('the catalogue would not close');
  }
}

/** Made before the other two, so it goes after them. */
@injectable()
class Ledger {
  async dispose(): Promise<void> {
    shutdowns.push('ledger');
  }
}

describe('host shutdown', () => {
  let dataDir: string;
  beforeEach(async () => {
    shutdowns = [];
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-shutdown-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('disposes every service the container made, last made first, and then says what failed', async () => {
    const services = new ContainerModule(({ bind }) => {
      bindService(bind, Ledger);
      bindService(bind, Archive);
      bindService(bind, Catalogue);
    });
    const host = new CairnHost({ dataDir, builtinPluginsDir: null, modules: [services] });
    await host.start();
    host.container.get(Ledger);
    // Made with the archive it needs, which is therefore made first.
    host.container.get(Catalogue);

    let failure: unknown;
    await host.dispose().catch((error: unknown) => (failure = error));
    expect(shutdowns).to.deep.equal(['catalogue', 'archive', 'ledger']);
    expect((failure as Error).message).to.equal('the catalogue would not close');
    // The core's own services went too: the project service refuses to open a project now.
    await host.projects.open().then(
      () => expect.fail('the project opened after shutdown'),
      (error: { message: string }) => expect(error.message).to.equal('The host is shutting down.'),
    );
  });

  it('disposes nothing that was never made', async () => {
    const host = new CairnHost({ dataDir, builtinPluginsDir: null, modules: [new ContainerModule(({ bind }) => bindService(bind, Archive))] });
    await host.start();
    await host.dispose();
    expect(shutdowns).to.deep.equal([]);
  });
});
