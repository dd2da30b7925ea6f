import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { PluginContext, type ExportFormat, type ExportRequest, type PluginInfo } from '@cairn/sdk';
import { FormatRegistry } from '@cairn/core/node/formats/format-registry.js';
import { Hosts, logMessages, pluginSet, repoRoot, TempDirs } from './helpers.js';

const kmlFormat = join(repoRoot, 'plugins', 'observations', 'test', 'fixtures', 'kml-format');

function byId(plugins: PluginInfo[]): Record<string, PluginInfo> {
  return Object.fromEntries(plugins.map((plugin) => [plugin.id, plugin]));
}

async function expectCode(work: Promise<unknown>, code: string): Promise<Error> {
  try {
    await work;
  } catch (error) {
    expect((error as { code?: string }).code, (error as Error).message).to.equal(code);
    return error as Error;
  }
  throw new Error(`expected a rejection with ${code}`);
}

describe('plugin host', () => {
  const temp = new TempDirs();
  const hosts = new Hosts();
  afterEach(async () => {
    await hosts.cleanup();
    await temp.cleanup();
  });

  async function start(set: string, options: { dataDir?: string; activationTimeoutMs?: number } = {}) {
    const host = await hosts.start({
      dataDir: options.dataDir ?? (await temp.make()),
      builtinPluginsDir: pluginSet(set),
      ...(options.activationTimeoutMs !== undefined && { activationTimeoutMs: options.activationTimeoutMs }),
    });
    await host.plugins.activateStartup();
    return host;
  }

  describe('ordering by dependsOn', () => {
    it('activates dependencies before their dependents, whatever their names', async () => {
      const host = await start('order');
      const activations = logMessages(host).filter((message) => message.startsWith('activated '));
      expect(activations).to.have.length(4);
      const position = (id: string) => activations.indexOf(`activated ${id}`);
      expect(position('z-base')).to.be.lessThan(position('m-middle'));
      expect(position('m-middle')).to.be.lessThan(position('a-app'));
      expect(host.plugins.list().every((plugin) => plugin.state === 'active')).to.equal(true);
    });

    it('fails only the plugins of a dependency cycle and their dependents', async () => {
      const host = await start('cycle');
      const plugins = byId(host.plugins.list());
      expect(plugins['cycle-one']!.state).to.equal('failed');
      expect(plugins['cycle-one']!.error).to.equal("dependency cycle: 'cycle-one' → 'cycle-two' → 'cycle-one'");
      expect(plugins['cycle-two']!.state).to.equal('failed');
      expect(plugins['on-cycle']!.state).to.equal('failed');
      expect(plugins['on-cycle']!.error).to.match(/^depends on 'cycle-one', which cannot run \(dependency cycle/);
      expect(plugins.bystander!.state).to.equal('active');
      expect(await host.commands.execute('bystander.ping')).to.equal('pong');
      expect(logMessages(host).filter((message) => message.startsWith('activated'))).to.deep.equal([]);
    });

    it('fails only the plugins that miss a dependency', async () => {
      const host = await start('missing');
      const plugins = byId(host.plugins.list());
      expect(plugins['needs-ghost']!.state).to.equal('failed');
      expect(plugins['needs-ghost']!.error).to.equal("depends on 'ghost', which is not installed");
      expect(plugins['on-needs-ghost']!.error).to.equal(
        "depends on 'needs-ghost', which cannot run (depends on 'ghost', which is not installed)",
      );
      expect(plugins.bystander!.state).to.equal('active');
      await expectCode(host.plugins.activate('needs-ghost'), 'ERR_PLUGIN_FAILED');
    });
  });

  describe('malformed plugins', () => {
    it('marks each one failed with an error naming the file and the field, and loads the rest', async () => {
      const host = await start('manifests');
      const plugins = byId(host.plugins.list());
      const file = (id: string) => join(pluginSet('manifests'), id, 'package.json');
      expect(plugins['bad-json']!.error).to.match(new RegExp(`^${escape(file('bad-json'))}: not valid JSON`));
      expect(plugins['no-package-json']!.error).to.equal(
        `${file('no-package-json')}: not found; a plugin is a folder with a package.json`,
      );
      expect(plugins['unknown-field']!.error).to.equal(`${file('unknown-field')}: cairn.activationEvent is not a known field`);
      expect(plugins['bad-activation']!.error).to.equal(
        `${file('bad-activation')}: cairn.activationEvents[0] must be onStartup, onCommand:<id>, onView:<id>, onSyncTransport:<id>, onExportFormat:<id> or onImportFormat:<id>`,
      );
      expect(plugins['engine-mismatch']!.error).to.equal(
        `${file('engine-mismatch')}: cairn.engine needs SDK ^9.0.0, but this Cairn provides SDK 0.1.0; install a version of the plugin made for SDK 0.1.0`,
      );
      expect(plugins['entry-missing']!.error).to.match(/its entry file cairn\.main \(\.\/dist\/node\/index\.js\) does not exist/);
      for (const id of ['bad-json', 'no-package-json', 'unknown-field', 'bad-activation', 'engine-mismatch', 'entry-missing']) {
        expect(plugins[id]!.state, id).to.equal('failed');
      }
      expect(plugins.bystander!.state).to.equal('active');
      expect(await host.commands.execute('bystander.ping')).to.equal('pong');
    });
  });

  describe('activation', () => {
    it('contains a plugin whose activate throws; the others keep working', async () => {
      const host = await start('runtime');
      const plugins = byId(host.plugins.list());
      expect(plugins.thrower!.state).to.equal('failed');
      expect(plugins.thrower!.error).to.equal('cannot reach the widget service');
      expect(plugins['on-thrower']!.state).to.equal('failed');
      expect(plugins['on-thrower']!.error).to.equal("depends on 'thrower', which cannot run (cannot reach the widget service)");
      // What it registered before throwing is withdrawn.
      const error = await expectCode(host.commands.execute('thrower.run'), 'ERR_PLUGIN_FAILED');
      expect(error.message).to.equal(
        "Command 'thrower.run' is provided by plugin 'thrower', which failed: cannot reach the widget service",
      );
      expect(await host.commands.execute('bystander.ping')).to.equal('pong');
      expect(logMessages(host, 'core')).to.include("Plugin 'thrower' failed to activate: cannot reach the widget service");
    });

    it('activates a plugin lazily, on the first run of its command', async () => {
      const host = await start('runtime');
      expect(host.plugins.info('lazy').state).to.equal('inactive');
      expect(logMessages(host, 'lazy')).to.deep.equal([]);
      expect(await host.commands.execute('lazy.hello', ['Ada'])).to.equal('hello Ada');
      expect(host.plugins.info('lazy').state).to.equal('active');
      expect(logMessages(host, 'lazy')).to.deep.equal(['activated lazy']);
    });

    it('warns about an activation over 50 ms and records its time', async () => {
      const host = await start('runtime');
      const info = host.plugins.info('slow-activate');
      expect(info.state).to.equal('active');
      expect(info.activationMs).to.be.greaterThan(50);
      expect(logMessages(host, 'core').some((message) => /^Plugin 'slow-activate' took \d+ ms to activate \(over the 50 ms budget\)/.test(message))).to.equal(true);
      expect(host.plugins.info('bystander').activationMs).to.be.a('number');
    });

    it('fails an activate() that never finishes, after the time bound', async () => {
      const host = await start('stuck', { activationTimeoutMs: 300 });
      const info = host.plugins.info('hangs');
      expect(info.state).to.equal('failed');
      expect(info.error).to.equal('activate() did not finish within 0.3 s');
    });

    it('gives each plugin a child container and constructs each contributor on its own', async () => {
      const host = await start('runtime');
      expect(host.plugins.info('with-di').state).to.equal('active');
      // Greeter was injected with the plugin's own context, bound only in its child container.
      expect(await host.commands.execute('with-di.greet', ['Ada'])).to.equal('with-di greets Ada');
      expect(host.container.isBound(PluginContext)).to.equal(false);
      // The contributor whose constructor throws is skipped and reported; its neighbours loaded.
      expect(logMessages(host, 'with-di')).to.include(
        'Contributor BrokenCommands to cairn.CommandContribution could not be created and was skipped: broken contributor',
      );
      expect(host.syncTransports.list().find((transport) => transport.id === 'carrier-pigeon')).to.deep.include({
        owner: 'with-di',
        active: true,
      });
    });
  });

  describe('enable and disable', () => {
    it('takes effect at runtime: commands disappear and come back', async () => {
      const dataDir = await temp.make();
      const host = await start('runtime', { dataDir });
      expect(host.commands.list().map((command) => command.id)).to.include('lazy.hello');

      const disabled = await host.plugins.disable('lazy');
      expect(disabled).to.deep.include({ enabled: false, state: 'disabled' });
      expect(host.commands.list().map((command) => command.id)).not.to.include('lazy.hello');
      const error = await expectCode(host.commands.execute('lazy.hello'), 'ERR_PLUGIN_DISABLED');
      expect(error.message).to.equal(
        "Command 'lazy.hello' is provided by plugin 'lazy', which is disabled. Enable it with `cairn plugins enable lazy`.",
      );

      await host.plugins.enable('lazy');
      expect(await host.commands.execute('lazy.hello')).to.equal('hello world');
    });

    it('withdraws an active plugin’s registrations and transports when disabled', async () => {
      const host = await start('runtime');
      expect(await host.commands.execute('with-di.greet', ['x'])).to.equal('with-di greets x');
      await host.plugins.disable('with-di');
      expect(host.commands.list().map((command) => command.id)).not.to.include('with-di.greet');
      expect(host.syncTransports.list().map((transport) => transport.id)).not.to.include('carrier-pigeon');
      await expectCode(host.syncTransports.get('carrier-pigeon'), 'ERR_PLUGIN_DISABLED');
      await host.plugins.enable('with-di');
      expect((await host.syncTransports.get('carrier-pigeon')).title).to.equal('Carrier pigeon');
    });

    it('persists the choice in the data dir', async () => {
      const dataDir = await temp.make();
      const first = await start('runtime', { dataDir });
      await first.plugins.disable('bystander');
      await hosts.cleanup();
      const second = await start('runtime', { dataDir });
      expect(second.plugins.info('bystander')).to.deep.include({ enabled: false, state: 'disabled' });
      const stored = JSON.parse(await readFile(join(dataDir, 'plugins.json'), 'utf8')) as unknown;
      expect(stored).to.deep.equal({ version: 1, plugins: { bystander: { enabled: false } } });
    });

    it('stops the dependents of a disabled plugin, and restarts them when it is enabled again', async () => {
      const host = await start('order');
      await host.plugins.disable('z-base');
      expect(host.plugins.info('m-middle')).to.deep.include({
        state: 'failed',
        error: "depends on 'z-base', which is disabled; enable it with `cairn plugins enable z-base`",
      });
      expect(host.plugins.info('a-app').state).to.equal('failed');
      expect(host.plugins.info('b-independent').state).to.equal('active');
      await host.plugins.enable('z-base');
      for (const id of ['z-base', 'm-middle', 'a-app']) expect(host.plugins.info(id).state, id).to.equal('active');
    });

    it('gives a plugin that failed another chance when it is enabled again', async () => {
      const host = await start('runtime');
      expect(host.plugins.info('thrower').state).to.equal('failed');
      await host.plugins.disable('thrower');
      const info = await host.plugins.enable('thrower');
      // It fails again (its code did not change), but it was tried: the error is fresh.
      expect(info).to.deep.include({ state: 'failed', error: 'cannot reach the widget service' });
      expect(logMessages(host, 'core').filter((message) => message.startsWith("Plugin 'thrower' failed"))).to.have.length(2);
    });
  });

  describe('deactivation', () => {
    it('calls deactivate, then disposes ctx.subscriptions last-first', async () => {
      const host = await start('runtime');
      const storage = String(await host.commands.execute('lifecycle.storage'));
      await host.plugins.disable('lifecycle');
      const events = (await readFile(join(storage, 'events.log'), 'utf8')).trim().split('\n');
      expect(events).to.deep.equal([
        'activated',
        'deactivated',
        'disposed second subscription',
        'disposed first subscription',
      ]);
    });

    it('gives up on a deactivate() that never finishes, and still disposes the subscriptions', async () => {
      const host = await start('stuck', { activationTimeoutMs: 300 });
      await host.plugins.disable('stuck-deactivate');
      expect(host.plugins.info('stuck-deactivate').state).to.equal('disabled');
      expect(logMessages(host, 'core')).to.include("Plugin 'stuck-deactivate': deactivate() did not finish in time");
      const storage = join(host.config.dataDir, 'plugin-data', 'stuck-deactivate');
      expect(await readFile(join(storage, 'events.log'), 'utf8')).to.equal('disposed\n');
    });

    it('cannot be activated again while it is being disabled', async () => {
      const host = await start('stuck', { activationTimeoutMs: 300 });
      const disabling = host.plugins.disable('stuck-deactivate');
      // Its deactivate() hangs until the time bound: meanwhile something asks for it again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expectCode(host.plugins.activate('stuck-deactivate'), 'ERR_PLUGIN_DISABLED');
      await disabling;
      expect(host.plugins.info('stuck-deactivate')).to.deep.include({ enabled: false, state: 'disabled' });
    });

    it('deactivates every plugin when the host shuts down', async () => {
      const host = await start('runtime');
      const storage = String(await host.commands.execute('lifecycle.storage'));
      await hosts.cleanup();
      expect(await readFile(join(storage, 'events.log'), 'utf8')).to.contain('deactivated\n');
    });
  });

  describe('services of the context', () => {
    it('reads and validates contributed settings', async () => {
      const host = await start('runtime');
      expect(await host.commands.execute('configurable.read')).to.equal(3);
      await host.commands.execute('configurable.set', [5]);
      expect(await host.commands.execute('configurable.read')).to.equal(5);
      const error = await expectCode(host.commands.execute('configurable.set', [-1]), 'ERR_INVALID_INPUT');
      expect(error.message).to.equal("Setting 'configurable.retries' must be >= 0; got -1.");
      await expectCode(host.commands.execute('configurable.set', ['many']), 'ERR_INVALID_INPUT');
      const stored = JSON.parse(await readFile(join(host.config.dataDir, 'settings.json'), 'utf8')) as unknown;
      expect(stored).to.deep.equal({ 'configurable.retries': 5 });
    });

    it('answers ctx.project with ERR_NO_PROJECT while the data dir holds no project', async () => {
      const host = await start('runtime');
      const error = await expectCode(host.commands.execute('project-user.info'), 'ERR_NO_PROJECT');
      expect(error.message).to.contain('cairn init --name NAME');
    });

    it('activates a plugin when its view is opened', async () => {
      const host = await start('runtime');
      expect(host.views.list().map((view) => view.id)).to.include('views.list');
      expect(host.plugins.info('views').state).to.equal('inactive');
      expect((await host.views.open('views.list')).owner).to.equal('views');
      expect(host.plugins.info('views').state).to.equal('active');
      await host.plugins.disable('views');
      expect(host.views.list().map((view) => view.id)).not.to.include('views.list');
      await expectCode(host.views.open('views.list'), 'ERR_PLUGIN_DISABLED');
    });

    it('takes export formats written with one `extension`, as they once were, and refuses one without any', async () => {
      // The KML fixture still gives its export format `extension: 'kml'`.
      const host = await hosts.start({ dataDir: await temp.make(), builtinPluginsDir: null, developmentPlugins: [kmlFormat] });
      const formats = host.container.get(FormatRegistry);
      expect(formats.exportFormats()).to.deep.equal([{ id: 'kml', title: 'KML', extensions: ['kml'], owner: 'kml-format' }]);
      const kml = await formats.exportFormat('kml');
      expect(kml.extensions).to.deep.equal(['kml']);
      expect(formats.exportFormats()).to.deep.equal([{ id: 'kml', title: 'KML', extensions: ['kml'], owner: 'kml-format' }]);
      // Its own write(), called on the format as written.
      const request = { total: 0, pages: async function* () {}, progress: () => undefined } as unknown as ExportRequest;
      let written = '';
      for await (const chunk of kml.write(request)) written += Buffer.from(chunk).toString('utf8');
      expect(written).to.contain('<kml xmlns="http://www.opengis.net/kml/2.2">');

      const error = await expectCode(
        Promise.resolve().then(() => formats.registerExport('someone', { id: 'bare', title: 'Bare', write: async function* () {} } as unknown as ExportFormat)),
        'ERR_INVALID_INPUT',
      );
      expect(error.message).to.equal("Plugin 'someone' registered the export format 'bare' without its extensions, e.g. extensions: ['kml'].");
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
