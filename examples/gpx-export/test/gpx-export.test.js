import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHost } from '@cairn/core/testing';
import { TempDirs } from '@cairn/sdk/testing';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

describe('GPX export plugin', function () {
  this.timeout(60_000);
  const temp = new TempDirs();
  let host;
  beforeEach(async () => {
    // The built-in plugins bring `cairn export` and `cairn obs`.
    host = await startTestHost({ plugins: [pluginDir], builtins: true, project: 'River survey' });
  });
  afterEach(async () => {
    await host.dispose();
    await temp.cleanup();
  });

  const cli = async (...args) => {
    const { exitCode, stdout, stderr } = await host.cli(...args, '--json');
    assert.equal(exitCode, 0, stderr);
    return JSON.parse(stdout);
  };

  it('writes the observations as waypoints, its container building the format on first use', async () => {
    await cli('obs', 'add', '--lat', '-3.46', '--lon', '-62.21', '--category', 'animal', '--notes', 'Tapir <tracks> & "more"');
    await cli('obs', 'add', '--lat', '-3.5', '--lon', '-62.3');
    assert.equal(host.plugin('gpx-export').state, 'inactive');

    const out = join(await temp.make('cairn-gpx-'), 'survey.gpx');
    assert.deepEqual(await cli('export', '--format', 'gpx', '--out', out), { file: out, format: 'gpx', observations: 2 });
    assert.equal(host.plugin('gpx-export').state, 'active');

    const gpx = await readFile(out, 'utf8');
    assert.match(gpx, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<gpx version="1.1" creator="Cairn"/);
    assert.match(gpx, /<metadata><name>River survey<\/name><\/metadata>/);
    assert.match(gpx, /<wpt lat="-3.46" lon="-62.21"><time>[^<]+Z<\/time><name>animal<\/name><desc>Tapir &lt;tracks&gt; &amp; &quot;more&quot;<\/desc><\/wpt>/);
    assert.match(gpx, /<wpt lat="-3.5" lon="-62.3"><time>[^<]+Z<\/time><name>Observation<\/name><\/wpt>/);
    assert.ok(gpx.endsWith('</gpx>\n'));
  });

  it('goes away with its plugin', async () => {
    await host.disable('gpx-export');
    const { exitCode, stderr } = await host.cli('export', '--format', 'gpx', '--out', join(await temp.make('cairn-gpx-'), 'x.gpx'));
    assert.equal(exitCode, 1);
    assert.match(stderr, /^error \[ERR_INVALID_INPUT\]: format: give one of csv, geojson, zip \(got 'gpx'\)/);
  });
});
