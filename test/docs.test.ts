import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Application } from 'typedoc';
import { repoRoot, TempDirs } from './helpers.js';

describe('SDK reference (npm run docs)', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  after(() => temp.cleanup());

  it('builds with TypeDoc, without warnings, and documents the stable surface', async () => {
    const out = await temp.make('cairn-docs-');
    const app = await Application.bootstrapWithPlugins({
      options: join(repoRoot, 'sdk', 'typedoc.json'),
      out,
      logLevel: 'Warn',
    });
    const project = await app.convert();
    expect(project, 'TypeDoc converted the SDK').to.not.equal(undefined);
    await app.generateDocs(project!, out);
    expect(app.logger.hasWarnings() || app.logger.hasErrors()).to.equal(false);
    const interfaces = await readdir(join(out, 'interfaces'));
    for (const name of ['PluginContext', 'CommandsApi', 'ObservationsApi', 'SyncApi', 'SyncSession', 'TestHost']) {
      expect(interfaces.some((file) => file.endsWith(`.${name}.html`)), name).to.equal(true);
    }
    const context = await readFile(join(out, 'interfaces', interfaces.find((file) => file.endsWith('.PluginContext.html'))!), 'utf8');
    expect(context).to.contain('storagePath');
  });
});
