import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CairnError, Emitter, ErrorCodes, isCairnError, type Logger } from '@cairn/sdk';
import type { FromManager, ManagerMethod, ManagerMethods, ToManager } from '../common/protocol.js';

/** How long the process may take to start (its import alone is about a second) or to close. */
const START_LIMIT_MS = 60_000;
const CLOSE_LIMIT_MS = 10_000;

const entry = fileURLToPath(new URL('./manager/manager-process.js', import.meta.url));

export interface ComapeoProcessOptions {
  /** This device's CoMapeo root key (16 bytes, hex): it never leaves the plugin's storage but to this process. */
  rootKey: string;
  /** Where the process keeps CoMapeo's own stores. */
  storageDir: string;
  deviceName: string;
  log: Logger;
}

/**
 * The CoMapeo process as the plugin sees it: started on first use, called by method, closed with
 * the plugin. If it dies, what was waiting on it fails with a message that says to run again, and
 * the next call starts a new one.
 */
export class ComapeoProcess {
  private child: ChildProcess | null = null;
  private starting: Promise<string> | null = null;
  private nextId = 1;
  /** Closed for good: a call that got hold of this process before it closed must not start a new one. */
  private closed = false;
  private readonly pending = new Map<number, { resolve(result: unknown): void; reject(error: CairnError): void }>();
  private readonly onDidChangeReachEmitter = new Emitter<void>();
  /** The devices in reach or the invites changed (ask `reach` for them). */
  readonly onDidChangeReach = this.onDidChangeReachEmitter.event;
  private readonly onDidStopEmitter = new Emitter<void>();
  /** The process ended, on purpose or not. */
  readonly onDidStop = this.onDidStopEmitter.event;

  constructor(private readonly options: ComapeoProcessOptions) {}

  async call<M extends ManagerMethod>(method: M, params: ManagerMethods[M]['params']): Promise<ManagerMethods[M]['result']> {
    await this.start();
    const child = this.child!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      child.send({ type: 'call', id, method, params } satisfies ToManager);
    });
  }

  private start(): Promise<string> {
    if (this.closed) {
      // It would outlive its plugin (and the data dir it works in): the caller's work ends here.
      return Promise.reject(new CairnError(ErrorCodes.CANCELLED, 'The CoMapeo process was closed (the plugin stopped, or its device was hidden): run the command again.'));
    }
    this.starting ??= new Promise<string>((resolve, reject) => {
      const child = fork(entry, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
      this.child = child;
      const limit = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new CairnError(ErrorCodes.TIMEOUT, `CoMapeo did not start within ${START_LIMIT_MS / 1000} s. Run the command again.`));
      }, START_LIMIT_MS);
      let errorText = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => {
        errorText = (errorText + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim() !== '') this.options.log.debug(`CoMapeo: ${line}`);
      });
      child.on('message', (message: FromManager) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(limit);
            resolve(message.deviceId);
            return;
          case 'failed':
            clearTimeout(limit);
            reject(asCairnError(message.error, 'CoMapeo could not start'));
            return;
          case 'reply': {
            const waiting = this.pending.get(message.id);
            this.pending.delete(message.id);
            if ('error' in message) waiting?.reject(asCairnError(message.error, 'CoMapeo'));
            else waiting?.resolve(message.result);
            return;
          }
          case 'reach':
            this.onDidChangeReachEmitter.fire();
            return;
          case 'closed':
            return;
        }
      });
      // Could not be started at all (no memory for a process, say): the command fails, not the host.
      child.on('error', (error) => {
        clearTimeout(limit);
        reject(new CairnError(ErrorCodes.INTERNAL, `CoMapeo could not be started: ${error.message}. Run the command again.`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(limit);
        if (this.child === child) {
          this.child = null;
          this.starting = null;
        }
        // Not a bug of the caller's: its CoMapeo process is gone (killed, out of memory).
        const gone = new CairnError(
          ErrorCodes.PLUGIN_FAILED,
          `The CoMapeo process stopped (${signal ?? `exit code ${code}`})${errorText ? `: ${lastLine(errorText)}` : ''}. Nothing was half-written; run the command again.`,
        );
        reject(gone);
        for (const waiting of this.pending.values()) waiting.reject(gone);
        this.pending.clear();
        this.onDidStopEmitter.fire();
      });
      child.send({ type: 'start', rootKey: this.options.rootKey, storageDir: this.options.storageDir, deviceName: this.options.deviceName } satisfies ToManager);
    });
    return this.starting;
  }

  /** Closes CoMapeo's stores and ends the process (killed if it does not end in time). */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const limit = setTimeout(() => child.kill('SIGKILL'), CLOSE_LIMIT_MS);
    if (child.connected) child.send({ type: 'close' } satisfies ToManager);
    else child.kill('SIGTERM');
    await exited;
    clearTimeout(limit);
  }
}

/** The process's report of a failure (see errorReport), as the error the command fails with. */
function asCairnError(error: { code: string; message: string }, context: string): CairnError {
  if (isCairnError(error) && error.code !== ErrorCodes.INTERNAL) return new CairnError(error.code, error.message);
  return new CairnError(ErrorCodes.INTERNAL, `${context}: ${error.message}`);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
