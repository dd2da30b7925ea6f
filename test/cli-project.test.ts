import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCairn, TempDirs } from './helpers.js';

describe('cairn init, project and obs', function () {
  this.timeout(120_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('creates a project and works with observations, as DESIGN §7 shows', async () => {
    const dataDir = await temp.make();
    const cairn = async (...args: string[]) => {
      const result = await runCairn(['--data-dir', dataDir, ...args]);
      if (result.code !== 0) throw new Error(`cairn ${args.join(' ')}: ${result.stderr}`);
      return args.includes('--json') ? (JSON.parse(result.stdout) as unknown) : result.stdout;
    };

    const noProject = await runCairn(['--data-dir', dataDir, 'obs', 'list']);
    expect(noProject.code).to.equal(1);
    expect(noProject.stderr).to.equal(
      `error [ERR_NO_PROJECT]: There is no project in ${dataDir}. Create one with \`cairn init --name NAME\`, or join one with \`cairn init --join PROJECT_KEY\`.\n`,
    );

    const created = (await cairn('init', '--name', 'River survey', '--device-name', 'laptop', '--json')) as Record<string, string>;
    expect(Object.keys(created)).to.deep.equal(['projectKey', 'projectName', 'deviceId', 'deviceName']);
    expect(created).to.deep.include({ projectName: 'River survey', deviceName: 'laptop' });
    const again = await runCairn(['--data-dir', dataDir, 'init', '--name', 'Another']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('error [ERR_INVALID_INPUT]: ');
    expect(again.stderr).to.contain('already holds a project');

    const photo = join(await temp.make(), 'tapir.jpg');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, index) => index % 256));
    await writeFile(photo, bytes);
    const added = (await cairn('obs', 'add', '--lat', '-3.46', '--lon', '-62.21', '--category', 'animal', '--notes', 'Tapir tracks',
      '--tag', 'count=2', '--tag', 'weather=dry', '--photo', photo, '--json')) as { id: string; version: string };
    expect(Object.keys(added)).to.deep.equal(['id', 'version']);
    await cairn('obs', 'add', '--lat', '10', '--lon', '10', '--notes', 'Far away', '--json');

    const observation = (await cairn('obs', 'get', added.id, '--json')) as Record<string, unknown>;
    expect(Object.keys(observation)).to.deep.equal([
      'id', 'version', 'lat', 'lon', 'category', 'notes', 'tags', 'attachments', 'createdAt', 'updatedAt', 'createdBy', 'forks',
    ]);
    expect(observation).to.deep.include({ lat: -3.46, lon: -62.21, category: 'animal', notes: 'Tapir tracks', tags: { count: '2', weather: 'dry' }, forks: [], createdBy: created.deviceId });
    expect(observation.attachments).to.deep.equal([
      { name: 'tapir.jpg', hash: (observation.attachments as Array<{ hash: string }>)[0]!.hash, mimeType: 'image/jpeg', size: 70_000 },
    ]);

    const inBox = (await cairn('obs', 'list', '--bbox', '-63,-4,-62,-3', '--json')) as Array<{ id: string }>;
    expect(inBox.map((o) => o.id)).to.deep.equal([added.id]);
    expect(((await cairn('obs', 'list', '--text', 'tapir', '--category', 'animal', '--limit', '5', '--json')) as unknown[]).length).to.equal(1);
    expect(((await cairn('obs', 'list', '--json')) as unknown[]).length).to.equal(2);
    expect(await cairn('obs', 'list', '--category', 'plant')).to.equal('No observations.\n');
    expect(await cairn('obs', 'list', '--limit', '1')).to.match(/^ID +CREATED +CATEGORY +LAT +LON +NOTES\n[0-9a-f]{32} /);

    const edited = (await cairn('obs', 'edit', added.id, '--notes', 'Tapir tracks, fresh', '--untag', 'weather', '--tag', 'count=3', '--json')) as Record<string, unknown>;
    expect(edited).to.deep.include({ notes: 'Tapir tracks, fresh', tags: { count: '3' } });
    expect(edited.version).not.to.equal(added.version);

    const out = join(await temp.make(), 'copy.jpg');
    const extracted = (await cairn('obs', 'attachment', added.id, 'tapir.jpg', '--out', out, '--json')) as { bytes: number };
    expect(extracted.bytes).to.equal(70_000);
    expect((await readFile(out)).equals(bytes)).to.equal(true);

    expect(await cairn('obs', 'delete', added.id, '--json')).to.deep.equal({ id: added.id, deleted: true });
    const gone = await runCairn(['--data-dir', dataDir, 'obs', 'get', added.id]);
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.match(/^error \[ERR_NOT_FOUND\]: There is no observation/);

    const project = (await cairn('project', '--json')) as Record<string, unknown>;
    expect(project).to.deep.equal({ ...created, observations: 1 });
  });

  it('rejects bad input with a coded error and leaves nothing behind', async () => {
    const dataDir = await temp.make();
    const cairn = (...args: string[]) => runCairn(['--data-dir', dataDir, ...args]);
    expect((await cairn('init', '--join', 'abc')).stderr).to.match(/^error \[ERR_INVALID_INPUT\]: PROJECT_KEY must be 64 hexadecimal characters/);
    expect((await cairn('init')).stderr).to.equal('error [ERR_INVALID_INPUT]: Give either a name for a new project (--name) or the key of one to join (--join).\n');
    expect((await cairn('init', '--name', 'Checks')).code).to.equal(0);
    const cases: Array<[string[], string]> = [
      [['obs', 'add', '--lat', '95', '--lon', '0'], 'error [ERR_INVALID_INPUT]: Invalid observation: lat must be at most 90.\n'],
      [['obs', 'add', '--lat', 'north', '--lon', '0'], "error [ERR_INVALID_INPUT]: --lat must be a number; got 'north'.\n"],
      [['obs', 'add', '--lat', '1', '--lon', '0', '--tag', 'novalue'], "error [ERR_INVALID_INPUT]: --tag must be KEY=VALUE; got 'novalue'.\n"],
      [['obs', 'add', '--lat', '1', '--lon', '0', '--photo', '/no/such/photo.jpg'], 'error [ERR_INVALID_INPUT]: Invalid attachments[0]: there is no file at /no/such/photo.jpg.\n'],
      [['obs', 'list', '--bbox', '1,2,3'], "error [ERR_INVALID_INPUT]: --bbox must be four numbers WEST,SOUTH,EAST,NORTH; got '1,2,3'.\n"],
      [['obs', 'list', '--limit', '-1'], 'error [ERR_INVALID_INPUT]: --limit must be a whole number ≥ 0; got -1.\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await cairn(...args);
      expect(result, args.join(' ')).to.deep.include({ code: 1, stderr });
    }
    const usage = await cairn('obs', 'add', '--lat', '1');
    expect(usage).to.deep.include({ code: 2, stderr: "error [ERR_USAGE]: required option '--lon <degrees>' not specified\n" });
    expect(JSON.parse((await cairn('project', '--json')).stdout)).to.deep.include({ observations: 0 });
  });

  it('joins a project by its key', async () => {
    const first = await temp.make();
    const second = await temp.make();
    const { projectKey } = JSON.parse((await runCairn(['--data-dir', first, 'init', '--name', 'Shared', '--json'])).stdout) as { projectKey: string };
    const joined = JSON.parse((await runCairn(['--data-dir', second, 'init', '--join', projectKey, '--device-name', 'tablet', '--json'])).stdout) as Record<string, unknown>;
    expect(joined).to.deep.include({ projectKey, projectName: null, deviceName: 'tablet' });
  });
});
