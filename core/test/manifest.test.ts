import { expect } from 'chai';
import { engineProblem, manifestProblems } from '@cairn/core/node/plugins/manifest.js';

function validPackage(): Record<string, unknown> {
  return {
    name: 'cairn-plugin-example',
    version: '1.2.3',
    cairn: {
      id: 'example',
      displayName: 'Example',
      engine: '^0.1.0',
      main: './index.js',
      activationEvents: ['onStartup', 'onCommand:example.run'],
      dependsOn: ['other'],
      contributes: {
        commands: [{ id: 'example.run', title: 'Run' }],
        views: [{ id: 'example.view', name: 'Example', location: 'sidebar' }],
        cli: [
          {
            command: 'example run',
            run: 'example.run',
            description: 'Runs it',
            arguments: [{ name: 'target', type: 'path' }, { name: 'rest', variadic: true, required: false }],
            options: [{ name: 'wait-peers', type: 'number', default: 1 }, { name: 'out', type: 'path' }],
          },
        ],
        configuration: { properties: { 'example.level': { type: 'integer', default: 1 } } },
        syncTransports: [{ id: 'example', title: 'Example transport' }],
        exportFormats: [{ id: 'kml', title: 'KML', extensions: ['kml'] }],
        importFormats: [{ id: 'kml', title: 'KML', extensions: ['kml', 'kmz'] }],
        keybindings: [{ command: 'example.run', key: 'ctrl+e', mac: 'cmd+shift+e', when: 'view == example.view' }],
        menus: { 'view/title': [{ command: 'example.run', group: 'navigation', when: 'view == example.view' }] },
      },
    },
  };
}

function without(path: string): Record<string, unknown> {
  const pkg = validPackage();
  const parts = path.split('.');
  let target = pkg as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  delete target[parts.at(-1)!];
  return pkg;
}

describe('plugin manifest validation', () => {
  it('accepts a complete manifest', () => {
    expect(manifestProblems(validPackage())).to.deep.equal([]);
  });

  for (const field of ['name', 'version', 'cairn', 'cairn.id', 'cairn.displayName', 'cairn.engine']) {
    it(`names the missing required field ${field}`, () => {
      expect(manifestProblems(without(field))).to.deep.equal([`${field} is required`]);
    });
  }

  it('requires an entry file: cairn.main or cairn.browser', () => {
    expect(manifestProblems(without('cairn.main'))).to.deep.equal([
      'cairn.main or cairn.browser is required (the entry file of the plugin)',
    ]);
    const browserOnly = without('cairn.main');
    (browserOnly.cairn as Record<string, unknown>).browser = './browser.js';
    expect(manifestProblems(browserOnly)).to.deep.equal([]);
  });

  it('names the field of a nested error, with its index', () => {
    const pkg = validPackage();
    const cairn = pkg.cairn as { contributes: { commands: Array<Record<string, unknown>> } };
    delete cairn.contributes.commands[0]!.title;
    expect(manifestProblems(pkg)).to.deep.equal(['cairn.contributes.commands[0].title is required']);
  });

  it('rejects unknown fields, which are usually typos', () => {
    const pkg = validPackage();
    (pkg.cairn as Record<string, unknown>).activationEvent = ['onStartup'];
    expect(manifestProblems(pkg)).to.deep.equal(['cairn.activationEvent is not a known field']);
  });

  it('explains a bad id, activation event and CLI command', () => {
    const pkg = validPackage();
    const cairn = pkg.cairn as Record<string, unknown> & { contributes: { cli: Array<Record<string, unknown>> } };
    cairn.id = 'Has Spaces';
    cairn.activationEvents = ['onBoot'];
    cairn.contributes.cli[0]!.command = 'Sync  File';
    expect(manifestProblems(pkg)).to.have.members([
      "cairn.id must be lowercase letters, digits, '.', '-' and '_', starting with a letter or digit",
      'cairn.activationEvents[0] must be onStartup, onCommand:<id>, onView:<id>, onSyncTransport:<id>, onExportFormat:<id> or onImportFormat:<id>',
      "cairn.contributes.cli[0].command must be lowercase words separated by single spaces, e.g. 'sync file'",
    ]);
  });

  it('reports wrong types and enums', () => {
    const pkg = validPackage();
    const cairn = pkg.cairn as Record<string, unknown> & {
      contributes: { views: Array<Record<string, unknown>>; cli: Array<{ arguments: Array<Record<string, unknown>> }> };
    };
    cairn.dependsOn = 'other';
    cairn.contributes.views[0]!.location = 'ceiling';
    cairn.contributes.cli[0]!.arguments[0]!.type = 'number';
    expect(manifestProblems(pkg)).to.have.members([
      'cairn.dependsOn must be an array',
      'cairn.contributes.views[0].location must be one of "sidebar"',
      'cairn.contributes.cli[0].arguments[0].type must be one of "string", "path"',
    ]);
  });

  it('refuses what the workbench would not do: views elsewhere than the side bar, other menus, conditions it cannot tell', () => {
    const pkg = validPackage();
    const contributes = (pkg.cairn as { contributes: Record<string, unknown> }).contributes as {
      views: Array<Record<string, unknown>>;
      keybindings: Array<Record<string, unknown>>;
      menus: Record<string, Array<Record<string, unknown>>>;
    };
    contributes.views[0]!.location = 'panel';
    contributes.keybindings[0]!.when = 'editorFocus';
    contributes.menus['view/title']![0]!.when = 'view == example.view && view == other';
    contributes.menus['observation/context'] = [{ command: 'example.run' }];
    expect(manifestProblems(pkg)).to.have.members([
      'cairn.contributes.views[0].location must be one of "sidebar"',
      "cairn.contributes.keybindings[0].when must be 'view == <view id>', the one condition the workbench knows",
      "cairn.contributes.menus.view/title[0].when must be 'view == <view id>', the one condition the workbench knows",
      'cairn.contributes.menus.observation/context is not a known field',
    ]);
  });

  it('checks versions, ranges, entry paths, duplicates and variadic arguments', () => {
    const pkg = validPackage();
    pkg.version = 'one';
    const cairn = pkg.cairn as Record<string, unknown> & {
      contributes: { commands: unknown[]; cli: Array<{ arguments: Array<Record<string, unknown>> }> };
    };
    cairn.engine = 'soon';
    cairn.main = '../outside.js';
    cairn.contributes.commands.push({ id: 'example.run', title: 'Again' });
    cairn.contributes.cli[0]!.arguments[0]!.variadic = true;
    expect(manifestProblems(pkg)).to.have.members([
      "version 'one' is not a semver version",
      `cairn.engine 'soon' is not a semver range (write e.g. "^0.1.0")`,
      "cairn.main '../outside.js' must be a relative path inside the plugin folder",
      "cairn.contributes.commands declares 'example.run' twice",
      'cairn.contributes.cli[0].arguments[0] is variadic but not the last argument',
    ]);
  });

  it('checks declared export and import formats: ids once each, extensions given without a dot', () => {
    const contributes = (pkg: Record<string, unknown>) => (pkg.cairn as { contributes: Record<string, Array<Record<string, unknown>>> }).contributes;
    const twice = validPackage();
    contributes(twice).exportFormats!.push({ id: 'kml', title: 'KML again', extensions: ['kml'] });
    expect(manifestProblems(twice)).to.deep.equal(["cairn.contributes.exportFormats declares 'kml' twice"]);
    const malformed = validPackage();
    contributes(malformed).importFormats![0]!.extensions = ['.kml'];
    contributes(malformed).importFormats!.push({ id: 'gpx', title: 'GPX' });
    expect(manifestProblems(malformed)).to.have.members([
      "cairn.contributes.importFormats[0].extensions[0] must be an extension without its dot, e.g. 'kml'",
      'cairn.contributes.importFormats[1].extensions is required',
    ]);
  });

  it('checks the engine range against the SDK version', () => {
    expect(engineProblem('^0.1.0')).to.equal(null);
    expect(engineProblem('>=0.1.0 <1')).to.equal(null);
    expect(engineProblem('^9.0.0')).to.equal(
      'needs SDK ^9.0.0, but this Cairn provides SDK 0.1.0; install a version of the plugin made for SDK 0.1.0',
    );
  });
});
