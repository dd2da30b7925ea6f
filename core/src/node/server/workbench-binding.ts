import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { CancellationToken, ProgressType, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import { ContainerModule, inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  DisposableStore,
  ErrorCodes,
  errorMessage,
  isCairnError,
  toDisposable,
  type Disposable,
  type DocumentChange,
  type Logger,
  type ProgressReport,
} from '@cairn/sdk';
import {
  defaultLayout,
  WorkbenchRpc,
  type ChooseFileRequest,
  type FolderEntry,
  type FolderListing,
  type InviteCodeView,
  type LayoutState,
  type MemberAction,
  type ProjectSummary,
  type WorkbenchState,
} from '../../common/workbench-protocol.js';
import { ContributionTable, contributionPoints } from '../contributions/contribution-table.js';
import { CommandService } from '../commands/command-service.js';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';
import { HostConfig } from '../host-config.js';
import { LogService } from '../log-service.js';
import { PluginHost } from '../plugins/plugin-host.js';
import { ProgressService } from '../progress-service.js';
import { ProjectService } from '../project/project-service.js';
import { ServiceRegistry } from '../services/service-registry.js';
import { SyncTransportRegistry } from '../sync/sync-transport-registry.js';
import { ViewRegistry } from '../views/view-registry.js';

const progressType = new ProgressType<ProgressReport>();

/** What a window offers the host beyond the RPC: the system's file dialog, where there is one (the desktop app). */
export interface WorkbenchWindow {
  chooseFile?(request: ChooseFileRequest): Promise<string | null>;
}

/**
 * Serves workbench windows, each over its JSON-RPC connection (WebSocket or Electron IPC): answers
 * their requests with the host's services, and tells them when plugins, views or data change.
 */
@injectable()
export class WorkbenchBinding {
  private readonly log: Logger;
  private readonly layoutFile: string;
  private readonly keybindings: ContributionTable<'keybindings'>;
  private readonly menus: ContributionTable<'menus'>;

  constructor(
    @inject(HostConfig) private readonly config: HostConfig,
    @inject(PluginHost) private readonly plugins: PluginHost,
    @inject(CommandService) private readonly commands: CommandService,
    @inject(ViewRegistry) private readonly views: ViewRegistry,
    @inject(SyncTransportRegistry) private readonly transports: SyncTransportRegistry,
    @inject(ServiceRegistry) private readonly services: ServiceRegistry,
    @inject(ProjectService) private readonly projects: ProjectService,
    @inject(ProgressService) private readonly progress: ProgressService,
    @inject(LogService) private readonly logs: LogService,
  ) {
    this.log = logs.forSource('workbench');
    this.layoutFile = join(config.dataDir, 'workbench.json');
    this.keybindings = new ContributionTable(plugins, contributionPoints.keybindings);
    this.menus = new ContributionTable(plugins, contributionPoints.menus);
  }

  /** Serves one window over `connection` until the result is disposed. */
  connect(connection: MessageConnection, window: WorkbenchWindow = {}): Disposable {
    const { log, plugins, projects, services, transports } = this;
    const subscriptions = new DisposableStore();
    const handle = <P, R>(method: string, handler: (params: P, token: CancellationToken) => Promise<R> | R) => {
      connection.onRequest(method, async (params: P, token: CancellationToken) => {
        try {
          return await handler(params, token);
        } catch (error) {
          throw toResponseError(error, log);
        }
      });
    };

    // The layout is read once per window and kept as it saves it: state is sent on every change of
    // data, and the file need not be read each time.
    let layout: Promise<LayoutState> | null = null;
    const currentLayout = () =>
      (layout ??= readJsonFile(this.layoutFile)
        .catch(() => undefined)
        .then((stored) => ({ ...defaultLayout, ...(typeof stored === 'object' && stored !== null ? (stored as Partial<LayoutState>) : {}) })));
    const state = async () => this.state(await currentLayout(), window.chooseFile !== undefined);

    handle(WorkbenchRpc.state, () => state());
    handle(WorkbenchRpc.saveLayout, async (saved: LayoutState) => {
      const next = { ...defaultLayout, ...saved };
      await writeFileAtomic(this.layoutFile, `${JSON.stringify(next, null, 2)}\n`);
      layout = Promise.resolve(next);
    });
    handle(WorkbenchRpc.enablePlugin, ({ id }: { id: string }) => plugins.enable(String(id)));
    handle(WorkbenchRpc.disablePlugin, ({ id }: { id: string }) => plugins.disable(String(id)));
    handle(WorkbenchRpc.executeCommand, async ({ id, args }: { id: string; args?: unknown[] }) =>
      (await this.commands.execute(String(id), Array.isArray(args) ? args : [])) ?? null,
    );
    handle(WorkbenchRpc.openView, async ({ id }: { id: string }) => {
      await this.views.open(String(id));
    });
    handle(
      WorkbenchRpc.invokeService,
      async ({ service, method, args, progressToken }: { service: string; method: string; args?: unknown[]; progressToken?: string }, token) => {
        const controller = new AbortController();
        const cancelled = token.onCancellationRequested(() => controller.abort());
        try {
          const result = await services.invoke(String(service), String(method), Array.isArray(args) ? args : [], {
            signal: controller.signal,
            progress: (report) => {
              if (progressToken !== undefined) void connection.sendProgress(progressType, progressToken, report);
            },
          });
          return result ?? null;
        } finally {
          cancelled.dispose();
        }
      },
    );
    handle(WorkbenchRpc.createProject, async ({ name, deviceName }: { name: string; deviceName?: string }) => {
      const project = await projects.create({ name: String(name), ...(deviceName ? { deviceName: String(deviceName) } : {}) });
      return project.info();
    });
    handle(WorkbenchRpc.joinProject, async ({ projectKey, deviceName }: { projectKey: string; deviceName?: string }) => {
      const project = await projects.create({ join: String(projectKey), ...(deviceName ? { deviceName: String(deviceName) } : {}) });
      return project.info();
    });
    handle(WorkbenchRpc.joinByCode, async ({ code, deviceName, connect }: { code: string; deviceName?: string; connect?: string }, token) => {
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort());
      try {
        const { joinByCode } = await import('../sync/code-join.js');
        return await joinByCode(transports, projects, { code: String(code), timeoutMs: 120_000, connect: connect ? [String(connect)] : [], signal: controller.signal, ...(deviceName ? { deviceName: String(deviceName) } : {}) });
      } finally {
        cancelled.dispose();
      }
    });
    handle(WorkbenchRpc.inviteCode, async ({ role, expiresHours }: { role?: string; expiresHours?: number }): Promise<InviteCodeView> => {
      const invite = await projects.createInviteCode({ role, expiresHours });
      // The QR code library loads only when a code is made.
      const { toString } = await import('qrcode');
      return { ...invite, qr: await toString(invite.code, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) };
    });
    handle(WorkbenchRpc.loadSampleData, async ({ count, progressToken }: { count?: number; progressToken?: string }, token) => {
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort());
      try {
        const project = await projects.loadSampleData(
          Number(count ?? 2000),
          (done, total) => {
            if (progressToken === undefined) return;
            void connection.sendProgress(progressType, progressToken, { message: `${done} of ${total} observations`, percent: Math.round((done / total) * 100) });
          },
          controller.signal,
        );
        return project.info();
      } finally {
        cancelled.dispose();
      }
    });
    handle(WorkbenchRpc.members, async () => (await projects.open()).members.list());
    handle(WorkbenchRpc.memberAction, async (request: MemberAction) => {
      const members = (await projects.open()).members;
      switch (request?.action) {
        case 'admit':
          return members.admit(String(request.deviceId));
        case 'remove':
          return members.remove(String(request.deviceId));
        case 'role':
          return members.setRole(String(request.deviceId), String(request.role));
        case 'leave':
          return members.leave();
        default:
          throw new CairnError(ErrorCodes.INVALID_INPUT, 'action: give admit, role, remove or leave.');
      }
    });
    handle(WorkbenchRpc.logs, () => this.logs.list('info'));
    handle(WorkbenchRpc.activateTransports, async () => {
      await Promise.all(transports.list().map((transport) => transports.get(transport.id).catch(() => undefined)));
    });
    handle(WorkbenchRpc.listFolder, ({ path }: { path?: string }) => listFolder(path));
    handle(WorkbenchRpc.chooseFile, (request: ChooseFileRequest) => {
      if (window.chooseFile === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, 'This window has no system file dialog.');
      return window.chooseFile(request);
    });

    // Host → workbench: state changes (debounced: a sync or an enable can fire many at once) …
    let stateTimer: NodeJS.Timeout | null = null;
    const stateChanged = () => {
      if (stateTimer !== null) return;
      stateTimer = setTimeout(() => {
        stateTimer = null;
        void state()
          .then((current) => connection.sendNotification(WorkbenchRpc.changed, current))
          .catch((error: unknown) => log.warn(`Could not send the workbench state: ${errorMessage(error)}`));
      }, 60);
    };
    subscriptions.add(plugins.onDidChange(stateChanged));
    subscriptions.add(projects.onDidOpen(stateChanged));

    // … data changes, batched …
    let pending: DocumentChange[] = [];
    let dataTimer: NodeJS.Timeout | null = null;
    subscriptions.add(
      projects.onDidChange((change) => {
        pending.push(change);
        if (dataTimer !== null) return;
        dataTimer = setTimeout(() => {
          dataTimer = null;
          const changes = pending;
          pending = [];
          void connection.sendNotification(WorkbenchRpc.dataChanged, changes);
          stateChanged();
        }, 100);
      }),
    );

    // … sync sessions, whichever transport runs them (throttled per session) …
    const lastSent = new Map<number, number>();
    subscriptions.add(
      projects.onDidSync((activity) => {
        const now = Date.now();
        if (activity.state === 'running' && activity.progress !== null && now - (lastSent.get(activity.sessionId) ?? 0) < 200) return;
        lastSent.set(activity.sessionId, now);
        if (activity.state !== 'running') lastSent.delete(activity.sessionId);
        void connection.sendNotification(WorkbenchRpc.sync, activity);
      }),
    );

    // … long host work …
    subscriptions.add(this.progress.onDidProgress((event) => void connection.sendNotification(WorkbenchRpc.progress, event)));

    // … events of plugins' host services …
    subscriptions.add(services.onDidEmit((event) => void connection.sendNotification(WorkbenchRpc.serviceEvent, event)));

    // … and the log, for the Output panel.
    subscriptions.add(
      this.logs.onDidLog((record) => {
        if (record.level !== 'debug') void connection.sendNotification(WorkbenchRpc.log, record);
      }),
    );

    subscriptions.add(
      toDisposable(() => {
        if (stateTimer !== null) clearTimeout(stateTimer);
        if (dataTimer !== null) clearTimeout(dataTimer);
      }),
    );
    connection.listen();
    return subscriptions;
  }

  /** Everything the workbench needs to draw itself. */
  private async state(layout: LayoutState, nativeDialogs: boolean): Promise<WorkbenchState> {
    let project: ProjectSummary | null = null;
    try {
      const open = await this.projects.open();
      project = { info: open.info(), observations: open.countObservations() };
    } catch (error) {
      if (!isCairnError(error, ErrorCodes.NO_PROJECT)) throw error;
    }
    return {
      dataDir: this.config.dataDir,
      nativeDialogs,
      project,
      plugins: this.plugins.known().map((plugin) => ({
        ...plugin.info,
        browser: plugin.manifest?.browser ? `/plugins/${encodeURIComponent(plugin.id)}/${normalize(plugin.manifest.browser).replace(/^\.\//, '')}` : null,
      })),
      views: this.views.list(),
      transports: this.transports.list().map(({ id, title, owner }) => ({ id, title, owner })),
      commands: this.commands.list().map(({ id, title, category, owner }) => ({ id, title, category, owner })),
      keybindings: this.keybindings.declared(),
      menus: this.menus.declared().reduce<WorkbenchState['menus']>((menus, { menu, ...item }) => {
        (menus[menu] ??= []).push(item);
        return menus;
      }, {}),
      layout,
    };
  }
}

/** The binding of workbench windows, for a container that serves them (browser mode's server, the desktop app). */
export const workbenchWindowModule = new ContainerModule(({ bind }) => {
  bind(WorkbenchBinding).toSelf().inSingletonScope();
});

/** A folder of the host, for browser mode's file chooser: folders first, hidden entries left out. */
async function listFolder(requested: string | undefined): Promise<FolderListing> {
  const path = resolve(requested && requested.trim() ? requested : homedir());
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    throw new CairnError(ErrorCodes.IO, `Cannot open the folder ${path} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}).`);
  }
  const listed: FolderEntry[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) listed.push({ name: entry.name, kind: 'folder', size: 0 });
    else if (entry.isFile()) listed.push({ name: entry.name, kind: 'file', size: (await stat(join(path, entry.name)).catch(() => null))?.size ?? 0 });
  }
  listed.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = dirname(path);
  return { path, parent: parent === path ? null : parent, entries: listed };
}

function toResponseError(error: unknown, log: Logger): ResponseError<{ code: string }> {
  if (isCairnError(error)) return new ResponseError(1, error.message, { code: error.code });
  log.error(`A workbench request failed: ${errorMessage(error)}`);
  return new ResponseError(-32603, `Internal error: ${errorMessage(error)}`, { code: ErrorCodes.INTERNAL });
}
