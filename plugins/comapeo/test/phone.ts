import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./phone-process.js', import.meta.url));

/** A CoMapeo phone (the real @comapeo/core in a child process), for a test to drive. */
export class Phone {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    /** Its data and identity: `Phone.start` on it again is the same phone. */
    readonly storageDir: string,
  ) {
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const waiting = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (waiting === undefined) return;
      this.waiting.delete(message.id!);
      if (message.error !== undefined) waiting.reject(new Error(`phone: ${message.error}`));
      else waiting.resolve(message.result);
    });
  }

  /**
   * A phone on loopback, reached by address; or, given `lan`, one on a host of a namespace LAN
   * that announces itself and finds the others by mDNS, as CoMapeo Mobile does. `core: '2'` runs
   * @comapeo/core 2.0.0 instead of 7.1.0.
   */
  static async start(storageDir: string, name: string, options: { lan?: { prefix: string[] }; core?: '7' | '2' } = {}): Promise<Phone> {
    const { lan, core = '7' } = options;
    const args = [entry, storageDir, name, lan === undefined ? 'address' : 'mdns', core];
    const [command, ...prefix] = lan === undefined ? [process.execPath] : [...lan.prefix, process.execPath];
    const child = spawn(command!, [...prefix, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the phone process ended (${code}) before it was ready`)));
    });
    return new Phone(child, storageDir);
  }

  call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, args });
    });
  }

  info(): Promise<{ deviceId: string; name: string; port: number }> {
    return this.call('info');
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ command: 'close' });
    const limit = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(limit);
  }
}
