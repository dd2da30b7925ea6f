import { expect } from 'chai';
import type { SyncPeerResult } from '@cairn/sdk';
import { Hosts, pluginSet, TempDirs } from './helpers.js';
import type { CairnHost } from '@cairn/core';
import { runCli } from '@cairn/core';

async function cli(host: CairnHost, ...args: string[]): Promise<unknown> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--json'], {
    host,
    streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
  });
  if (code !== 0) throw new Error(`cairn ${args.join(' ')} failed: ${stderr}`);
  return JSON.parse(stdout) as unknown;
}

describe('a sync transport plugin (SDK only) over raw TCP', function () {
  this.timeout(60_000);
  const temp = new TempDirs();
  const hosts = new Hosts();
  afterEach(async () => {
    await hosts.cleanup();
    await temp.cleanup();
  });

  it('syncs two data dirs through ctx.sync.replicate', async () => {
    const a = await hosts.start({ dataDir: await temp.make(), builtinPluginsDir: pluginSet('transport') });
    const b = await hosts.start({ dataDir: await temp.make(), builtinPluginsDir: pluginSet('transport') });
    const { projectKey } = (await cli(a, 'init', '--name', 'Over TCP', '--device-name', 'alpha')) as { projectKey: string };
    await cli(b, 'init', '--join', projectKey, '--device-name', 'beta');
    const { id } = (await cli(a, 'obs', 'add', '--lat', '1', '--lon', '2', '--notes', 'from alpha')) as { id: string };
    await cli(b, 'obs', 'add', '--lat', '3', '--lon', '4', '--notes', 'from beta');

    const { port } = await a.commands.execute<{ port: number }>('tcp-sync.listen');
    const transport = await b.syncTransports.get('tcp');
    expect(b.plugins.info('tcp-sync').state).to.equal('active');
    const progress: unknown[] = [];
    const results: SyncPeerResult[] = await transport.sync({ target: `127.0.0.1:${port}`, onProgress: (p) => progress.push(p) });
    expect(results).to.have.length(1);
    expect(results[0]).to.deep.include({ result: 'ok' });
    expect(results[0]!.peer).to.deep.include({ deviceName: 'alpha' });
    expect(results[0]!.summary!.received.observations).to.equal(1);
    expect(results[0]!.summary!.sent.observations).to.equal(1);
    expect(progress.length).to.be.greaterThan(0);

    const listB = (await cli(b, 'obs', 'list')) as Array<{ notes: string }>;
    expect(listB.map((o) => o.notes).sort()).to.deep.equal(['from alpha', 'from beta']);
    const fromA = (await cli(b, 'obs', 'get', id)) as { notes: string };
    expect(fromA.notes).to.equal('from alpha');
    // The listener side has B's observation once its session is done too.
    for (let attempt = 0; attempt < 50 && ((await cli(a, 'project')) as { observations: number }).observations < 2; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(((await cli(a, 'project')) as { observations: number }).observations).to.equal(2);
    expect(((await cli(b, 'project')) as { projectName: string }).projectName).to.equal('Over TCP');
  });

  it('goes away with its plugin', async () => {
    const host = await hosts.start({ dataDir: await temp.make(), builtinPluginsDir: pluginSet('transport') });
    expect(host.syncTransports.list().map((transport) => transport.id)).to.deep.equal(['tcp']);
    await host.plugins.disable('tcp-sync');
    expect(host.syncTransports.list()).to.deep.equal([]);
  });
});
