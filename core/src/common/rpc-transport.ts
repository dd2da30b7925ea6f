import {
  AbstractMessageReader,
  AbstractMessageWriter,
  createMessageConnection,
  type DataCallback,
  type Disposable as RpcDisposable,
  type Message,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc';

/**
 * A message-framed channel: one JSON-RPC message per frame (a WebSocket text frame, an Electron
 * IPC message). The same connection code serves both.
 */
export interface FramedChannel {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

class FramedReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | null = null;

  constructor(channel: FramedChannel) {
    super();
    channel.onMessage((text) => {
      try {
        this.callback?.(JSON.parse(text) as Message);
      } catch (error) {
        this.fireError(error);
      }
    });
    channel.onClose(() => this.fireClose());
  }

  listen(callback: DataCallback): RpcDisposable {
    this.callback = callback;
    return { dispose: () => (this.callback = null) };
  }
}

class FramedWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly channel: FramedChannel) {
    super();
  }

  async write(message: Message): Promise<void> {
    try {
      this.channel.send(JSON.stringify(message));
    } catch (error) {
      this.fireError(error, message, 1);
    }
  }

  end(): void {
    this.channel.close();
  }
}

export function connectionOver(channel: FramedChannel): MessageConnection {
  return createMessageConnection(new FramedReader(channel), new FramedWriter(channel));
}
