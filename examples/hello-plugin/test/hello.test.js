import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startTestHost } from '@cairn/core/testing';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

describe('hello plugin', () => {
  let host;
  beforeEach(async () => {
    host = await startTestHost({ plugins: [pluginDir] });
  });
  afterEach(() => host.dispose());

  it('greets through its command', async () => {
    assert.deepEqual(await host.execute('hello.greet', { name: 'Ada' }), { greeting: 'Hello, Ada!', greetings: 1 });
    assert.equal(host.plugin('hello').state, 'active');
  });

  it('greets through its cairn subcommand', async () => {
    const { exitCode, stdout } = await host.cli('hello', 'Grace', '--shout', '--json');
    assert.equal(exitCode, 0);
    assert.deepEqual(JSON.parse(stdout), { greeting: 'HELLO, GRACE!', greetings: 1 });
  });

  it('rejects an empty name with a coded error', async () => {
    await assert.rejects(host.execute('hello.greet', { name: ' ' }), { code: 'ERR_INVALID_INPUT' });
  });

  it('goes away when disabled', async () => {
    await host.disable('hello');
    assert.ok(!host.commands().includes('hello.greet'));
    await assert.rejects(host.execute('hello.greet', 'Ada'), { code: 'ERR_PLUGIN_DISABLED' });
  });
});

describe('hello plugin with a project', () => {
  it('runs with a project in its data dir', async () => {
    const host = await startTestHost({ plugins: [pluginDir], project: 'Sample survey' });
    try {
      await assert.rejects(host.execute('hello.greet', { name: '' }), { code: 'ERR_INVALID_INPUT' });
      const { exitCode, stdout } = await host.cli('project', '--json');
      assert.equal(exitCode, 0);
      assert.equal(JSON.parse(stdout).projectName, 'Sample survey');
    } finally {
      await host.dispose();
    }
  });
});
