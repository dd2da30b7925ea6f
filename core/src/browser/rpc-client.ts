import { CancellationTokenSource, ProgressType } from 'vscode-jsonrpc/browser';
import type { MessageConnection } from 'vscode-jsonrpc';
import { CairnError, ErrorCodes, type Disposable, type ErrorCode, type ProgressReport } from '@cairn/sdk/browser';
import { connectionOver, type FramedChannel } from '../common/rpc-transport.js';
import type { RpcErrorData } from '../common/workbench-protocol.js';

/** The bridge Electron's preload exposes (`window.cairnIpc`); absent in a browser tab. */
interface IpcBridge {
  send(channel: string, text: string): void;
  on(channel: string, listener: (text: string) => void): void;
}

const progressType = new ProgressType<ProgressReport>();

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (report: ProgressReport) => void;
}

/** The workbench's end of the RPC to the host. */
export class HostClient {
  private progressCounter = 0;
  private constructor(private readonly connection: MessageConnection) {}

  /** Over Electron IPC when the preload bridge is there, else a WebSocket to the serving host. */
  static async connect(): Promise<HostClient> {
    const bridge = (window as unknown as { cairnIpc?: IpcBridge }).cairnIpc;
    const channel = bridge ? ipcChannel(bridge) : await webSocketChannel(new URL('/rpc', window.location.href.replace(/^http/, 'ws')).href);
    const connection = connectionOver(channel);
    connection.listen();
    return new HostClient(connection);
  }

  async request<T>(method: string, params: object = {}, options: RequestOptions = {}): Promise<T> {
    const source = new CancellationTokenSource();
    const abort = () => source.cancel();
    options.signal?.addEventListener('abort', abort);
    let progress: { dispose(): void } | null = null;
    let payload: object = params;
    if (options.onProgress !== undefined) {
      this.progressCounter += 1;
      const progressToken = `progress-${this.progressCounter}`;
      progress = this.connection.onProgress(progressType, progressToken, options.onProgress);
      payload = { ...params, progressToken };
    }
    try {
      return (await this.connection.sendRequest(method, payload, source.token)) as T;
    } catch (error) {
      const data = (error as { data?: RpcErrorData }).data;
      throw new CairnError((data?.code as ErrorCode | undefined) ?? ErrorCodes.INTERNAL, (error as Error).message);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      progress?.dispose();
      source.dispose();
    }
  }

  /** Handles a notification from the host until the result is disposed. */
  onNotification<T>(method: string, handler: (params: T) => void): Disposable {
    return this.connection.onNotification(method, handler);
  }

  onClose(listener: () => void): Disposable {
    return this.connection.onClose(listener);
  }
}

function webSocketChannel(url: string): Promise<FramedChannel> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener('error', () => reject(new CairnError(ErrorCodes.DISCONNECTED, 'Could not reach the Cairn host.')), { once: true });
    socket.addEventListener(
      'open',
      () =>
        resolve({
          send: (text) => socket.send(text),
          onMessage: (listener) => socket.addEventListener('message', (event) => listener(String(event.data))),
          onClose: (listener) => socket.addEventListener('close', listener),
          close: () => socket.close(),
        }),
      { once: true },
    );
  });
}

function ipcChannel(bridge: IpcBridge): FramedChannel {
  return {
    send: (text) => bridge.send('cairn:rpc', text),
    onMessage: (listener) => bridge.on('cairn:rpc', listener),
    onClose: () => undefined,
    close: () => undefined,
  };
}
