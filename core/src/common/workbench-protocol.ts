import type {
  DocumentChange,
  InviteCode,
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
  /** ({ code, deviceName?, connect? }) → JoinResult: joins by an invite code, through a coordinator in reach (cancellable) */
  joinByCode: 'project/joinByCode',
  /** ({ role, expiresHours }) → InviteCodeView: a one-time invite code, with its QR code (coordinators) */
  inviteCode: 'members/inviteCode',
  /** ({ count, progressToken? }) → ProjectInfo: a project with seeded sample observations */
  loadSampleData: 'project/sample',
  /** () → LogRecord[] */
  logs: 'logs/list',
  /** () → void: activates the plugins that contribute sync transports (the Sync view is open) */
  activateTransports: 'sync/activateTransports',
  /** () → Member[]: the project's devices with their role and status */
  members: 'members/list',
  /** (MemberAction) → Member: what a coordinator (or, to leave, any member) does with one */
  memberAction: 'members/act',
  /** ({ path? }) → FolderListing: the host's folders, for the file chooser of browser mode */
  listFolder: 'files/list',
  /** (ChooseFileRequest) → string | null: the system's file dialog (desktop app only) */
  chooseFile: 'dialogs/chooseFile',

  // Host → workbench notifications.
  /** (WorkbenchState): plugins, views, commands or the project changed */
  changed: 'workbench/changed',
  /** (DocumentChange[]), batched */
  dataChanged: 'data/changed',
  /** (LogRecord) */
  log: 'log/record',
  /** (SyncActivity): a sync session started, progressed or ended */
  sync: 'sync/activity',
  /** ({ id, title, message?, percent?, done }): long host work, from wherever it was started */
  progress: 'progress/activity',
  /** (ServiceEvent): a plugin's host service told its workbench side something */
  serviceEvent: 'service/event',
} as const;

/** What the Members view asks the host to do, as `cairn members admit|role|remove|leave` do. */
export type MemberAction =
  | { action: 'admit' | 'remove'; deviceId: string }
  | { action: 'role'; deviceId: string; role: string }
  | { action: 'leave' };

/** A new invite code as the Members view shows it. */
export interface InviteCodeView extends InviteCode {
  /** The code as a QR code, an SVG document. */
  qr: string;
}

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

/** An editor tab to open again after a reload: the command that opens it. */
export interface SavedEditor {
  id: string;
  title: string;
  restore: { command: string; args?: unknown[] };
}

export interface LayoutState {
  /** The view shown in the side bar. */
  activeView: string | null;
  sidebarVisible: boolean;
  sidebarWidth: number;
  panelVisible: boolean;
  panelHeight: number;
  theme: 'system' | 'light' | 'dark';
  /** The editor tabs open, in order, and the active one, restored when the window opens again. */
  editors: SavedEditor[];
  activeEditor: string | null;
}

export const defaultLayout: LayoutState = {
  activeView: null,
  sidebarVisible: true,
  sidebarWidth: 300,
  panelVisible: false,
  panelHeight: 200,
  theme: 'system',
  editors: [],
  activeEditor: null,
};

export interface FolderEntry {
  name: string;
  kind: 'folder' | 'file';
  size: number;
}

export interface FolderListing {
  path: string;
  /** Null at the root. */
  parent: string | null;
  entries: FolderEntry[];
}

export interface ChooseFileRequest {
  title: string;
  mode: 'open' | 'save';
  extensions?: string[];
  defaultName?: string;
  /** A folder may be chosen too (`open` mode). */
  folders?: boolean;
  /** The folder to start in. */
  folder?: string;
}

export interface WorkbenchState {
  dataDir: string;
  /** The host can show the system's file dialogs (the desktop app). */
  nativeDialogs: boolean;
  project: ProjectSummary | null;
  plugins: WorkbenchPlugin[];
  views: WorkbenchView[];
  /** The ways to sync that enabled plugins offer (declared, or registered). */
  transports: Array<{ id: string; title: string; owner: string }>;
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
