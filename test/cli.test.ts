import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { CairnHost, runCli } from '@cairn/core';
import { startCairn } from '@cairn/core/testing';
import { pluginSet, repoRoot, runCairn, runProcess, TempDirs } from './helpers.js';

const helloExample = join(repoRoot, 'examples', 'hello-plugin');

describe('cairn CLI', function () {
  // Each case starts a real process.
  this.timeout(60_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  describe('usage', () => {
    it('prints help and exits 0', async () => {
      const result = await runCairn(['--help']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain('Usage: cairn');
      expect(result.stdout).to.match(/plugins\s+List, enable, disable and install plugins/);
      const bare = await runCairn([], { env: { CAIRN_DATA_DIR: await temp.make() } });
      expect(bare.code).to.equal(0);
      expect(bare.stdout).to.contain('Usage: cairn');
    });

    it('prints help and exits 0 when given only global options, as with none', async () => {
      const dataDir = await temp.make();
      for (const args of [['--data-dir', dataDir], [`--data-dir=${dataDir}`, '--verbose'], ['--json', '--data-dir', dataDir]]) {
        const result = await runCairn(args);
        expect(result.code, `cairn ${args.join(' ')}: ${result.stderr}`).to.equal(0);
        expect(result.stdout).to.contain('Usage: cairn');
        expect(result.stderr).to.equal('');
      }
      // A flag without its value is still a usage error.
      const missing = await runCairn(['--data-dir']);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.equal("error [ERR_USAGE]: option '--data-dir <dir>' argument missing\n");
    });

    it('stops quietly when the reader of its output goes away (`cairn … | head`), with the status a closed pipe gives', async () => {
      const { child, done } = await startCairn(['--data-dir', await temp.make(), 'plugins', 'list'], { cwd: repoRoot });
      // Gone before anything is written: the first write finds the pipe closed (EPIPE).
      child.stdout!.destroy();
      const result = await done;
      expect(result.stderr).to.equal('');
      expect(result.code).to.equal(141);
    });

    it('exits 2 on a usage error, with a coded message', async () => {
      const dataDir = await temp.make();
      const unknown = await runCairn(['--data-dir', dataDir, 'frobnicate']);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.equal("error [ERR_USAGE]: unknown command 'frobnicate'\n");
      const option = await runCairn(['--data-dir', dataDir, 'plugins', 'list', '--colour']);
      expect(option.code).to.equal(2);
      expect(option.stderr).to.equal("error [ERR_USAGE]: unknown option '--colour'\n");
      const missing = await runCairn(['--data-dir', dataDir, 'plugins', 'enable', '--json']);
      expect(missing.code).to.equal(2);
      expect(JSON.parse(missing.stderr)).to.deep.equal({
        error: { code: 'ERR_USAGE', message: "missing required argument 'id'" },
      });
      expect(missing.stdout).to.equal('');
    });

    it('reads the data dir from --data-dir, else $CAIRN_DATA_DIR', async () => {
      const byFlag = await temp.make();
      const byEnv = await temp.make();
      expect((await runCairn(['plugins', 'install', helloExample, '--data-dir', byFlag])).code).to.equal(0);
      expect((await runCairn(['plugins', 'install', helloExample], { env: { CAIRN_DATA_DIR: byEnv } })).code).to.equal(0);
      for (const dataDir of [byFlag, byEnv]) {
        const list = await runCairn(['plugins', 'list', '--json', '--data-dir', dataDir]);
        const installed = (JSON.parse(list.stdout) as Array<{ id: string; source: string }>).filter((plugin) => plugin.source === 'installed');
        expect(installed.map((plugin) => plugin.id)).to.deep.equal(['hello']);
      }
    });

    it('refuses a data dir that is a file', async () => {
      const dir = await temp.make();
      const file = join(dir, 'not-a-folder');
      await writeFile(file, 'x');
      const result = await runCairn(['plugins', 'list', '--data-dir', file]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(`error [ERR_IO]: The data dir ${file} is not a folder. Give --data-dir a folder (it is created if missing).\n`);
    });
  });

  describe('plugins', () => {
    it('works through npx from the repository root, without a project', async () => {
      const dataDir = await temp.make();
      const result = await runProcess('npx', ['cairn', 'plugins', 'list', '--json', '--data-dir', dataDir]);
      expect(result.code, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.be.an('array');
    });

    it('installs from a folder disabled, enables, lists with state, disables', async () => {
      const dataDir = await temp.make();
      const cairn = (...args: string[]) => runCairn(['--data-dir', dataDir, ...args]);

      const installed = await cairn('plugins', 'install', helloExample, '--json');
      expect(installed.code, installed.stderr).to.equal(0);
      expect(JSON.parse(installed.stdout)).to.deep.include({
        id: 'hello',
        version: '1.0.0',
        enabled: false,
        state: 'disabled',
        source: 'installed',
        builtin: false,
        error: null,
        path: join(dataDir, 'plugins', 'hello'),
      });

      const disabledRun = await cairn('run', 'hello.greet', '"Ada"');
      expect(disabledRun.code).to.equal(1);
      expect(disabledRun.stderr).to.equal(
        "error [ERR_PLUGIN_DISABLED]: Command 'hello.greet' is provided by plugin 'hello', which is disabled. Enable it with `cairn plugins enable hello`.\n",
      );
      const disabledCli = await cairn('hello', 'Ada');
      expect(disabledCli.code).to.equal(1);
      expect(disabledCli.stderr).to.equal(
        "error [ERR_PLUGIN_DISABLED]: `cairn hello` is provided by plugin 'hello', which is disabled. Enable it with `cairn plugins enable hello`.\n",
      );

      const enabled = await cairn('plugins', 'enable', 'hello');
      expect(enabled.code).to.equal(0);
      expect(enabled.stdout).to.equal('hello: enabled (inactive)\n');

      const ran = await cairn('run', 'hello.greet', '{"name":"Ada"}', '--json');
      expect(ran.code, ran.stderr).to.equal(0);
      expect(JSON.parse(ran.stdout)).to.deep.equal({ greeting: 'Hello, Ada!', greetings: 1 });

      const listed = await cairn('plugins', 'list', '--json');
      expect((JSON.parse(listed.stdout) as Array<{ source: string }>).filter((plugin) => plugin.source === 'installed')).to.deep.equal([
        {
          id: 'hello',
          version: '1.0.0',
          displayName: 'Hello',
          enabled: true,
          state: 'inactive',
          builtin: false,
          source: 'installed',
          error: null,
          path: join(dataDir, 'plugins', 'hello'),
          activationMs: null,
        },
      ]);
      const table = await cairn('plugins', 'list');
      expect(table.stdout.split('\n')[0]).to.match(/^ID +VERSION +SOURCE +STATE +ERROR$/);
      expect(table.stdout).to.match(/\nhello +1\.0\.0 +installed +inactive\n/);
      expect(table.stdout).to.match(/\nsync-file +0\.1\.0 +builtin +inactive\n/);

      expect((await cairn('plugins', 'disable', 'hello')).code).to.equal(0);
      expect((await cairn('run', 'hello.greet')).code).to.equal(1);
    });

    it('refuses a malformed plugin at install, naming the file and the field', async () => {
      const dataDir = await temp.make();
      const broken = join(await temp.make(), 'broken');
      await cp(helloExample, broken, { recursive: true });
      const pkg = JSON.parse(await readFile(join(broken, 'package.json'), 'utf8')) as { cairn: Record<string, unknown> };
      delete pkg.cairn.engine;
      await writeFile(join(broken, 'package.json'), JSON.stringify(pkg));
      const result = await runCairn(['--data-dir', dataDir, 'plugins', 'install', broken]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(`error [ERR_INVALID_PLUGIN]: ${join(broken, 'package.json')}: cairn.engine is required\n`);
      const missing = await runCairn(['--data-dir', dataDir, 'plugins', 'install', join(broken, 'nope')]);
      expect(missing.stderr).to.equal(`error [ERR_NOT_FOUND]: There is no plugin folder at ${join(broken, 'nope')}.\n`);
      const file = await runCairn(['--data-dir', dataDir, 'plugins', 'install', join(broken, 'index.js')]);
      expect(file.stderr).to.contain('[ERR_INVALID_PLUGIN]');
      const after = JSON.parse((await runCairn(['--data-dir', dataDir, 'plugins', 'list', '--json'])).stdout) as Array<{ source: string }>;
      expect(after.filter((plugin) => plugin.source === 'installed'), 'nothing was installed').to.deep.equal([]);
    });

    it('contains a throwing plugin and a malformed one dropped into the data dir', async () => {
      const dataDir = await temp.make();
      await runCairn(['--data-dir', dataDir, 'plugins', 'install', join(pluginSet('runtime'), 'thrower')]);
      await runCairn(['--data-dir', dataDir, 'plugins', 'install', helloExample]);
      await runCairn(['--data-dir', dataDir, 'plugins', 'enable', 'hello']);
      await cp(join(pluginSet('manifests'), 'unknown-field'), join(dataDir, 'plugins', 'unknown-field'), { recursive: true });

      const enabled = await runCairn(['--data-dir', dataDir, 'plugins', 'enable', 'thrower', '--json']);
      expect(enabled.code).to.equal(0);
      expect(JSON.parse(enabled.stdout)).to.deep.include({ state: 'failed', error: 'cannot reach the widget service' });
      // The failure is in the JSON; with --json, stderr carries no log lines.
      expect(enabled.stderr).to.equal('');

      const list = await runCairn(['--data-dir', dataDir, 'plugins', 'list', '--json']);
      const plugins = (JSON.parse(list.stdout) as Array<{ id: string; state: string; error: string | null; source: string }>).filter(
        (plugin) => plugin.source === 'installed',
      );
      expect(plugins.map(({ id, state }) => [id, state])).to.deep.equal([
        ['hello', 'inactive'],
        ['thrower', 'failed'],
        ['unknown-field', 'disabled'],
      ]);
      expect(plugins[2]!.error).to.equal(
        `${join(dataDir, 'plugins', 'unknown-field', 'package.json')}: cairn.activationEvent is not a known field`,
      );
      const failedRun = await runCairn(['--data-dir', dataDir, 'run', 'thrower.run']);
      expect(failedRun.code).to.equal(1);
      expect(failedRun.stderr).to.contain(
        "error [ERR_PLUGIN_FAILED]: Command 'thrower.run' is provided by plugin 'thrower', which failed: cannot reach the widget service",
      );
      const stillWorks = await runCairn(['--data-dir', dataDir, 'run', 'hello.greet', '"Grace"', '--json']);
      expect(stillWorks.code).to.equal(0);
      expect(JSON.parse(stillWorks.stdout)).to.deep.include({ greeting: 'Hello, Grace!' });
    });

    it('reinstalling replaces the plugin and disables it again', async () => {
      const dataDir = await temp.make();
      const copy = join(await temp.make(), 'hello');
      await cp(helloExample, copy, { recursive: true });
      await runCairn(['--data-dir', dataDir, 'plugins', 'install', copy]);
      await runCairn(['--data-dir', dataDir, 'plugins', 'enable', 'hello']);
      const pkg = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as { version: string };
      pkg.version = '1.1.0';
      await writeFile(join(copy, 'package.json'), JSON.stringify(pkg));
      const again = await runCairn(['--data-dir', dataDir, 'plugins', 'install', copy, '--json']);
      expect(JSON.parse(again.stdout)).to.deep.include({ version: '1.1.0', enabled: false });
    });

    it('answers ERR_NOT_FOUND for an unknown plugin or command', async () => {
      const dataDir = await temp.make();
      const plugin = await runCairn(['--data-dir', dataDir, 'plugins', 'enable', 'nothing']);
      expect(plugin.code).to.equal(1);
      expect(plugin.stderr).to.equal("error [ERR_NOT_FOUND]: There is no plugin 'nothing'. `cairn plugins list` shows the plugins.\n");
      const command = await runCairn(['--data-dir', dataDir, 'run', 'no.such.command']);
      expect(command.stderr).to.equal("error [ERR_NOT_FOUND]: There is no command 'no.such.command'. `cairn commands` lists the commands.\n");
    });
  });

  describe('run', () => {
    it('hands JSON_ARG to the handler as its single argument and prints the result as JSON', async () => {
      const dataDir = await temp.make();
      const list = await runCairn(['--data-dir', dataDir, 'run', 'cairn.plugins.list']);
      expect(list.code).to.equal(0);
      const plugins = JSON.parse(list.stdout) as Array<{ id: string; builtin: boolean }>;
      expect(plugins.every((plugin) => plugin.builtin), 'only the built-in plugins').to.equal(true);
      expect(plugins.map((plugin) => plugin.id)).to.include('sync-file');
      const bad = await runCairn(['--data-dir', dataDir, 'run', 'cairn.plugins.enable', '{not json']);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/^error \[ERR_INVALID_INPUT\]: JSON_ARG is not valid JSON \(.*\)\. Quote it for your shell/);
      const wrongType = await runCairn(['--data-dir', dataDir, 'run', 'cairn.plugins.enable', '42']);
      expect(wrongType.stderr).to.equal(
        "error [ERR_INVALID_INPUT]: Expected the plugin id as a JSON string, e.g. '\"sync-file\"'; got 42.\n",
      );
    });

    it('lists the commands it can run', async () => {
      const dataDir = await temp.make();
      await runCairn(['--data-dir', dataDir, 'plugins', 'install', helloExample]);
      await runCairn(['--data-dir', dataDir, 'plugins', 'enable', 'hello']);
      const result = await runCairn(['--data-dir', dataDir, 'commands', '--json']);
      const ids = (JSON.parse(result.stdout) as Array<{ id: string; owner: string }>).map(({ id, owner }) => `${id} ${owner}`);
      expect(ids).to.include.members(['cairn.plugins.list core', 'hello.greet hello']);
    });
  });

  describe('log lines', () => {
    const temps = new TempDirs();
    after(() => temps.cleanup());

    async function cli(...args: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['--data-dir', await temps.make(), ...args], {
        hostOptions: { builtinPluginsDir: pluginSet('runtime') },
        streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
      });
      return { code, stdout, stderr };
    }

    it('go to stderr on a terminal, and not with --json, where stderr holds only the error object', async () => {
      const plain = await cli('run', 'no.such.command');
      expect(plain.stderr).to.match(/^\[core\] warning: Plugin 'slow-activate' took \d+ ms to activate/m);
      const json = await cli('run', 'no.such.command', '--json');
      expect(json.code).to.equal(1);
      expect(JSON.parse(json.stderr)).to.have.nested.property('error.code', 'ERR_NOT_FOUND');
      const verbose = await cli('run', 'no.such.command', '--json', '--verbose');
      expect(verbose.stderr).to.match(/warning: Plugin 'slow-activate' took/);
    });
  });

  describe('subcommands contributed by plugins', () => {
    let host: CairnHost;
    const temps = new TempDirs();
    before(async () => {
      host = new CairnHost({ dataDir: await temps.make(), builtinPluginsDir: pluginSet('cli') });
      await host.start();
    });
    after(async () => {
      await host.dispose();
      await temps.cleanup();
    });

    async function cli(...args: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(args, {
        host,
        streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
      });
      return { code, stdout, stderr };
    }

    it('maps arguments and options to one input object', async () => {
      const result = await cli('demo', 'echo', 'one', 'two', 'three', '--label', 'x', '--wait-peers', '3', '--connect', 'a:1', '--connect', 'b:2', '--dry-run', '--json');
      expect(result.stderr).to.equal('');
      expect(JSON.parse(result.stdout)).to.deep.equal({
        first: 'one',
        rest: ['two', 'three'],
        label: 'x',
        waitPeers: 3,
        connect: ['a:1', 'b:2'],
        dryRun: true,
      });
      const defaults = await cli('demo', 'echo', 'one', '--label', 'y', '--json');
      expect(JSON.parse(defaults.stdout)).to.deep.equal({ first: 'one', rest: [], label: 'y', waitPeers: 1 });
    });

    it('checks numbers and required options', async () => {
      const notANumber = await cli('demo', 'echo', 'one', '--label', 'x', '--wait-peers', 'many');
      expect(notANumber).to.deep.include({ code: 1, stderr: "error [ERR_INVALID_INPUT]: --wait-peers must be a number; got 'many'.\n" });
      const noLabel = await cli('demo', 'echo', 'one');
      expect(noLabel).to.deep.include({ code: 2, stderr: "error [ERR_USAGE]: required option '--label <value>' not specified\n" });
    });

    it('shows them in help while the plugin is enabled, and explains them once it is disabled', async () => {
      expect((await cli('demo', '--help')).stdout).to.contain('Echoes its parsed input');
      await host.plugins.disable('cli-demo');
      expect((await cli('demo', '--help')).stdout).not.to.contain('Echoes its parsed input');
      const disabled = await cli('demo', 'echo', 'anything', '--whatever');
      expect(disabled).to.deep.include({
        code: 1,
        stderr: "error [ERR_PLUGIN_DISABLED]: `cairn demo echo` is provided by plugin 'cli-demo', which is disabled. Enable it with `cairn plugins enable cli-demo`.\n",
      });
      await host.plugins.enable('cli-demo');
    });
  });
});

describe('the README plugin example', function () {
  this.timeout(60_000);
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it('is the code the README shows', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const code = await readFile(join(helloExample, 'index.js'), 'utf8');
    expect(readme).to.contain(code.trim());
    const manifest = (JSON.parse(await readFile(join(helloExample, 'package.json'), 'utf8')) as { cairn: unknown }).cairn;
    const shown = /```json\n(\{\n {2}"name": "cairn-plugin-hello"[\s\S]*?)\n```/.exec(readme);
    expect(shown, 'the README shows the package.json').to.not.equal(null);
    expect((JSON.parse(shown![1]!) as { cairn: unknown }).cairn).to.deep.equal(manifest);
  });

  it('written outside the project, installs, enables and runs through cairn run', async () => {
    // Outside the repository, `@cairn/sdk` can only resolve through the data dir's link to the host's SDK.
    const outside = join(await temp.make('cairn-author-'), 'my-plugin');
    await mkdir(outside);
    for (const file of ['package.json', 'index.js']) await cp(join(helloExample, file), join(outside, file));
    const dataDir = await temp.make();
    const cairn = (...args: string[]) => runCairn(['--data-dir', dataDir, ...args], { cwd: outside });
    expect((await cairn('plugins', 'install', outside)).code).to.equal(0);
    expect((await cairn('plugins', 'enable', 'hello')).code).to.equal(0);
    const result = await cairn('run', 'hello.greet', '"Ada"');
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ greeting: 'Hello, Ada!', greetings: 1 });
    const viaSubcommand = await cairn('hello', 'Grace', '--shout', '--json');
    expect(JSON.parse(viaSubcommand.stdout)).to.deep.equal({ greeting: 'HELLO, GRACE!', greetings: 1 });
  });
});
