import { expect } from 'chai';
import { activationEventsOf } from '@cairn/core/common/activation-events.js';
import { camelCase } from '@cairn/core/common/strings.js';
import { table } from '@cairn/core/node/cli/format.js';
import { readGlobalOptions } from '@cairn/core/node/cli/program.js';
import { dataDirFromArgs, defaultDataDir } from '@cairn/core/node/paths.js';

describe('CLI building blocks', () => {
  it('reads the global options wherever they are, up to --', () => {
    expect(readGlobalOptions(['plugins', 'list', '--json', '--data-dir', '/d'])).to.deep.equal({
      json: true,
      verbose: false,
      dataDir: '/d',
    });
    expect(readGlobalOptions(['--data-dir=/e', 'run', 'x', '--verbose'])).to.deep.equal({
      json: false,
      verbose: true,
      dataDir: '/e',
    });
    expect(readGlobalOptions(['run', 'x', '--', '--json'])).to.deep.equal({ json: false, verbose: false });
  });

  it('turns option names into input keys', () => {
    expect(camelCase('wait-peers')).to.equal('waitPeers');
    expect(camelCase('name')).to.equal('name');
    expect(camelCase('device_name')).to.equal('deviceName');
  });

  it('aligns tables for people', () => {
    expect(table(['ID', 'STATE'], [['hello', 'active'], ['x', 'failed']])).to.equal(
      'ID     STATE\nhello  active\nx      failed',
    );
  });

  it('derives activation events from contributions', () => {
    const events = activationEventsOf({
      id: 'p',
      displayName: 'P',
      engine: '^0.1.0',
      main: './index.js',
      activationEvents: ['onStartup'],
      contributes: {
        commands: [{ id: 'p.run', title: 'Run' }],
        cli: [{ command: 'p go', run: 'p.go', description: 'Go' }],
        views: [{ id: 'p.view', name: 'View' }],
        syncTransports: [{ id: 'p-sync', title: 'Sync' }],
      },
    });
    expect([...events].sort()).to.deep.equal(
      ['onCommand:p.go', 'onCommand:p.run', 'onStartup', 'onSyncTransport:p-sync', 'onView:p.view'].sort(),
    );
  });

  it('finds the data dir: $CAIRN_DATA_DIR, else the OS app-data folder', () => {
    expect(defaultDataDir({ CAIRN_DATA_DIR: '/data/cairn' }, 'linux', '/home/u')).to.equal('/data/cairn');
    expect(defaultDataDir({}, 'linux', '/home/u')).to.equal('/home/u/.local/share/cairn');
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).to.equal('/x/cairn');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).to.equal('/Users/u/Library/Application Support/Cairn');
    // --data-dir is relative to where the user is, wherever the command then runs.
    expect(dataDirFromArgs(['project', '--data-dir', 'd'], {}, '/home/u/work')).to.equal('/home/u/work/d');
    expect(dataDirFromArgs(['--data-dir=/abs', 'project'], {}, '/home/u')).to.equal('/abs');
    expect(dataDirFromArgs(['run', 'x', '--', '--data-dir', 'y'], { CAIRN_DATA_DIR: '/env' }, '/home/u')).to.equal('/env');
  });
});
