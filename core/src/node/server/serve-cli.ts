import { spawn } from 'node:child_process';
import { inject, injectable } from '@cairn/sdk/inversify';
import type { CliCommand, CliContribution } from '../cli/cli-command.js';
import { CommandLineHost } from '../cli/command-line-host.js';
import { ProjectService } from '../project/project-service.js';
import { WorkbenchServerFactory } from './workbench-server-factory.js';

/** `cairn serve`: the workbench in a browser, served by this process until it is stopped. */
@injectable()
export class ServeCliContribution implements CliContribution {
  constructor(
    @inject(WorkbenchServerFactory) private readonly servers: WorkbenchServerFactory,
    @inject(CommandLineHost) private readonly commandLineHost: CommandLineHost,
    @inject(ProjectService) private readonly projects: ProjectService,
  ) {}

  commands(): CliCommand[] {
    return [
      {
        path: ['serve'],
        description: 'Serve the workbench on loopback and print its URL (with its token); runs until Ctrl+C',
        options: [
          { name: 'host', valueName: 'address', default: '127.0.0.1', description: 'a loopback address to listen on' },
          { name: 'port', type: 'number', valueName: 'port', description: 'the port (default: a free one)' },
          { name: 'no-open', type: 'boolean', description: 'do not open a browser' },
        ],
        host: 'started',
        exclusive: true,
        output: 'none',
        run: async ({ host, port, noOpen }, io) => {
          // Listening for Ctrl+C before the URL is out: a stop right after it is still clean.
          const stopped = untilStopped();
          const server = await this.servers();
          const url = await server.listen({ host: String(host), ...(port !== undefined && { port: port as number }) });
          // `cairn` commands for this data dir run here while it is open; listening before the URL
          // is out, so a command run as soon as it shows finds this process.
          const { listenForCli } = await import('../cli/host-listener.js');
          const cliListener = await listenForCli(this.commandLineHost, `the workbench at ${url} (\`cairn serve\`, process ${process.pid})`).catch(
            async (error: unknown) => {
              await server.close();
              throw error;
            },
          );
          io.out(io.json ? `${JSON.stringify({ url })}\n` : `Cairn workbench: ${url}\n`);
          // Open the project while the browser starts, so the first page does not wait for it.
          void this.projects.open().catch(() => undefined);
          if (noOpen !== true) openBrowser(url);
          await stopped;
          await cliListener?.close();
          await server.close();
          return undefined;
        },
      },
    ];
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Opens the default browser when there is a desktop to open it on; quietly does nothing otherwise. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser to open: the printed URL is enough.
  }
}
