import type {
  DocumentChange,
  KeybindingDeclaration,
  LogRecord,
  MenuItemDeclaration,
  PluginInfo,
  ProjectInfo,
  ViewDeclaration,
} from '@cairn/sdk/common';

/**
 * The RPC between the workbench (browser tab or Electron renderer) and the host: JSON-RPC 2.0
 * (vscode-jsonrpc on both sides) over a WebSocket or Electron IPC. Method names and payloads are
 * shared here so both sides agree.
 */
export const WorkbenchRpc = {
  /** () → WorkbenchState */
  state: 'workbench/state',
  /** (LayoutState) → void */
  saveLayout: 'workbench/saveLayout',
  /** ({ id }) → PluginInfo */
  enablePlugin: 'plugins/enable',
  disablePlugin: 'plugins/disable',
  /** ({ id, args }) → result */
  executeCommand: 'commands/execute',
  /** ({ id }) → void; activates the view's plugin */
  openView: 'views/open',
  /** ({ service, method, args, progressToken? }) → result */
  invokeService: 'service/invoke',
  /** ({ name, deviceName? }) → ProjectInfo */
  createProject: 'project/create',
  /** ({ projectKey, deviceName? }) → ProjectInfo */
  joinProject: 'project/join',
  /** ({ count, progressToken? }) → ProjectInfo: a project with seeded sample observations */
  loadSampleData: 'project/sample',
  /** () → LogRecord[] */
  logs: 'logs/list',

  // Host → workbench notifications.
  /** (WorkbenchState): plugins, views, commands or the project changed */
  changed: 'workbench/changed',
  /** (DocumentChange[]), batched */
  dataChanged: 'data/changed',
  /** (LogRecord) */
  log: 'log/record',
  /** (SyncActivity): a sync session started, progressed or ended */
  sync: 'sync/activity',
} as const;

export interface ProjectSummary {
  info: ProjectInfo;
  observations: number;
}

export interface WorkbenchPlugin extends PluginInfo {
  /** URL path of the plugin's workbench entry, when it has one. */
  browser: string | null;
}

export interface WorkbenchView extends ViewDeclaration {
  owner: string;
}

export interface WorkbenchCommand {
  id: string;
  title: string | null;
  category: string | null;
  owner: string;
}

export interface WorkbenchKeybinding extends KeybindingDeclaration {
  owner: string;
}

export interface LayoutState {
  /** The view shown in the side bar. */
  activeView: string | null;
  sidebarVisible: boolean;
  sidebarWidth: number;
  panelVisible: boolean;
  panelHeight: number;
  theme: 'system' | 'light' | 'dark';
}

export const defaultLayout: LayoutState = {
  activeView: null,
  sidebarVisible: true,
  sidebarWidth: 300,
  panelVisible: false,
  panelHeight: 200,
  theme: 'system',
};

export interface WorkbenchState {
  dataDir: string;
  project: ProjectSummary | null;
  plugins: WorkbenchPlugin[];
  views: WorkbenchView[];
  commands: WorkbenchCommand[];
  keybindings: WorkbenchKeybinding[];
  menus: Record<string, Array<MenuItemDeclaration & { owner: string }>>;
  layout: LayoutState;
}

/** What an RPC error carries besides its message: the stable Cairn code. */
export interface RpcErrorData {
  code: string;
}

export type { DocumentChange, LogRecord };
