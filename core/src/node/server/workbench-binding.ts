import { join, normalize } from 'node:path';
import { CancellationToken, ProgressType, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
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
import { generateObservations } from '../../common/sample-data.js';
import {
  defaultLayout,
  WorkbenchRpc,
  type LayoutState,
  type ProjectSummary,
  type WorkbenchState,
} from '../../common/workbench-protocol.js';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';
import type { CairnHost } from '../host.js';

/** Seed of the sample data, so every newcomer sees the same living workbench. */
const SAMPLE_SEED = 20_260_101;
const progressType = new ProgressType<ProgressReport>();

/**
 * Serves one workbench window over a JSON-RPC connection (WebSocket or Electron IPC): answers its
 * requests with the host's services, and tells it when plugins, views or data change.
 */
export function bindWorkbench(connection: MessageConnection, host: CairnHost): Disposable {
  const log = host.logs.forSource('workbench');
  const subscriptions = new DisposableStore();
  const layoutFile = join(host.config.dataDir, 'workbench.json');

  const handle = <P, R>(method: string, handler: (params: P, token: CancellationToken) => Promise<R> | R) => {
    connection.onRequest(method, async (params: P, token: CancellationToken) => {
      try {
        return await handler(params, token);
      } catch (error) {
        throw toResponseError(error, log);
      }
    });
  };

  const state = () => workbenchState(host, layoutFile);

  handle(WorkbenchRpc.state, () => state());
  handle(WorkbenchRpc.saveLayout, async (layout: LayoutState) => {
    await writeFileAtomic(layoutFile, `${JSON.stringify({ ...defaultLayout, ...layout }, null, 2)}\n`);
  });
  handle(WorkbenchRpc.enablePlugin, ({ id }: { id: string }) => host.plugins.enable(String(id)));
  handle(WorkbenchRpc.disablePlugin, ({ id }: { id: string }) => host.plugins.disable(String(id)));
  handle(WorkbenchRpc.executeCommand, async ({ id, args }: { id: string; args?: unknown[] }) =>
    (await host.commands.execute(String(id), Array.isArray(args) ? args : [])) ?? null,
  );
  handle(WorkbenchRpc.openView, async ({ id }: { id: string }) => {
    await host.views.open(String(id));
  });
  handle(
    WorkbenchRpc.invokeService,
    async ({ service, method, args, progressToken }: { service: string; method: string; args?: unknown[]; progressToken?: string }, token) => {
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort());
      try {
        const result = await host.services.invoke(String(service), String(method), Array.isArray(args) ? args : [], {
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
    const project = await host.projects.create({ name: String(name), ...(deviceName ? { deviceName: String(deviceName) } : {}) });
    return project.info();
  });
  handle(WorkbenchRpc.joinProject, async ({ projectKey, deviceName }: { projectKey: string; deviceName?: string }) => {
    const project = await host.projects.create({ join: String(projectKey), ...(deviceName ? { deviceName: String(deviceName) } : {}) });
    return project.info();
  });
  handle(WorkbenchRpc.loadSampleData, async ({ count, progressToken }: { count?: number; progressToken?: string }, token) => {
    const total = Math.max(1, Math.min(Number(count ?? 2000), 200_000));
    const project = await host.projects.open().catch((error: unknown) => {
      if ((error as CairnError).code !== ErrorCodes.NO_PROJECT) throw error;
      return host.projects.create({ name: 'Sample project' });
    });
    const batch = 1000;
    for (let offset = 0; offset < total; offset += batch) {
      if (token.isCancellationRequested) throw new CairnError(ErrorCodes.CANCELLED, 'Loading sample data was cancelled.');
      await project.createObservations(generateObservations(Math.min(batch, total - offset), SAMPLE_SEED + offset));
      if (progressToken !== undefined) {
        const done = Math.min(total, offset + batch);
        void connection.sendProgress(progressType, progressToken, {
          message: `${done} of ${total} observations`,
          percent: Math.round((done / total) * 100),
        });
      }
    }
    return project.info();
  });
  handle(WorkbenchRpc.logs, () => host.logs.list('info'));

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
  subscriptions.add(host.plugins.onDidChange(stateChanged));
  subscriptions.add(host.projects.onDidOpen(stateChanged));

  // … data changes, batched …
  let pending: DocumentChange[] = [];
  let dataTimer: NodeJS.Timeout | null = null;
  subscriptions.add(
    host.projects.onDidChange((change) => {
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
    host.projects.onDidSync((activity) => {
      const now = Date.now();
      if (activity.state === 'running' && activity.progress !== null && now - (lastSent.get(activity.sessionId) ?? 0) < 200) return;
      lastSent.set(activity.sessionId, now);
      if (activity.state !== 'running') lastSent.delete(activity.sessionId);
      void connection.sendNotification(WorkbenchRpc.sync, activity);
    }),
  );

  // … and the log, for the Output panel.
  subscriptions.add(
    host.logs.onDidLog((record) => {
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
export async function workbenchState(host: CairnHost, layoutFile: string): Promise<WorkbenchState> {
  let project: ProjectSummary | null = null;
  try {
    const open = await host.projects.open();
    project = { info: open.info(), observations: open.countObservations() };
  } catch (error) {
    if ((error as CairnError).code !== ErrorCodes.NO_PROJECT) throw error;
  }
  const known = host.plugins.known();
  const usable = known.filter((plugin) => plugin.usable && plugin.manifest !== null);
  const stored = await readJsonFile(layoutFile).catch(() => undefined);
  return {
    dataDir: host.config.dataDir,
    project,
    plugins: known.map((plugin) => ({
      ...plugin.info,
      browser: plugin.manifest?.browser ? `/plugins/${encodeURIComponent(plugin.id)}/${normalize(plugin.manifest.browser).replace(/^\.\//, '')}` : null,
    })),
    views: host.views.list(),
    commands: host.commands.list().map(({ id, title, category, owner }) => ({ id, title, category, owner })),
    keybindings: usable.flatMap((plugin) => (plugin.manifest!.contributes?.keybindings ?? []).map((binding) => ({ ...binding, owner: plugin.id }))),
    menus: usable.reduce<WorkbenchState['menus']>((menus, plugin) => {
      for (const [menu, items] of Object.entries(plugin.manifest!.contributes?.menus ?? {})) {
        menus[menu] = [...(menus[menu] ?? []), ...items.map((item) => ({ ...item, owner: plugin.id }))];
      }
      return menus;
    }, {}),
    layout: { ...defaultLayout, ...(typeof stored === 'object' && stored !== null ? (stored as Partial<LayoutState>) : {}) },
  };
}

function toResponseError(error: unknown, log: Logger): ResponseError<{ code: string }> {
  if (isCairnError(error)) return new ResponseError(1, error.message, { code: error.code });
  log.error(`A workbench request failed: ${errorMessage(error)}`);
  return new ResponseError(-32603, `Internal error: ${errorMessage(error)}`, { code: ErrorCodes.INTERNAL });
}
