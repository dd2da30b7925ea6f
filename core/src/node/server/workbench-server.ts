import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ContainerModule, inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, type Disposable } from '@cairn/sdk';
import { connectionOver } from '../../common/rpc-transport.js';
import { ResourceRegistry } from '../services/resource-registry.js';
import { contentTypeOf, WorkbenchAssets, workbenchIndex } from './workbench-assets.js';
import { WorkbenchBinding } from './workbench-binding.js';

export interface WorkbenchServerOptions {
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The per-run secret; random when left out. */
  token?: string;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Browser mode: serves the workbench and its RPC on loopback only. Every HTTP and WebSocket
 * request must carry the run's random token (in the URL, or in the cookie the first page load
 * sets); requests without it, from a foreign `Origin`, or for a foreign `Host` get 403. Made by
 * `WorkbenchServerFactory`, one per `listen`.
 */
@injectable()
export class WorkbenchServer {
  token = randomBytes(24).toString('hex');
  private readonly server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<{ socket: WebSocket; binding: Disposable }>();
  private listenHost = '127.0.0.1';
  private port = 0;

  constructor(
    @inject(WorkbenchBinding) private readonly binding: WorkbenchBinding,
    @inject(WorkbenchAssets) private readonly assets: WorkbenchAssets,
    @inject(ResourceRegistry) private readonly resources: ResourceRegistry,
  ) {
    this.server = createServer((request, response) => void this.onRequest(request, response));
    this.server.on('upgrade', (request, socket, head) => this.onUpgrade(request, socket, head));
  }

  /** Starts listening; resolves with the URL to open (it carries the token). */
  async listen(options: WorkbenchServerOptions = {}): Promise<string> {
    this.listenHost = options.host ?? '127.0.0.1';
    if (!loopback.has(this.listenHost)) {
      throw new CairnError(
        ErrorCodes.INVALID_INPUT,
        `--host must be a loopback address (127.0.0.1, ::1 or localhost); the workbench is never served to the network. Got '${this.listenHost}'.`,
      );
    }
    if (options.token !== undefined) this.token = options.token;
    await new Promise<void>((resolvePromise, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new CairnError(ErrorCodes.IO, `Port ${options.port} is in use; choose another with --port, or leave it out for a free one.`)
            : error,
        ),
      );
      this.server.listen(options.port ?? 0, this.listenHost, () => resolvePromise());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return `${this.origin()}/?token=${this.token}`;
  }

  /**
   * The token's cookie. Cookies are kept per host, not per port: each server names its own after
   * its port, so two workbenches open in one browser do not overwrite each other's.
   */
  cookieName(): string {
    return `cairn_token_${this.port}`;
  }

  origin(): string {
    const host = this.listenHost.includes(':') ? `[${this.listenHost}]` : this.listenHost;
    return `http://${host}:${this.port}`;
  }

  async close(): Promise<void> {
    for (const { socket, binding } of this.connections) {
      await binding.dispose();
      socket.terminate();
    }
    this.connections.clear();
    this.sockets.close();
    const closed = new Promise<void>((resolvePromise) => this.server.close(() => resolvePromise()));
    // Browsers keep connections alive; close waits for them unless they are closed too.
    this.server.closeAllConnections();
    await closed;
  }

  private allowed(request: IncomingMessage, url: URL): boolean {
    const hostHeader = request.headers.host ?? '';
    const validHosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`, `[::1]:${this.port}`];
    // A foreign Host is DNS rebinding: a page of another site resolving its name to loopback.
    if (!validHosts.includes(hostHeader)) return false;
    const origin = request.headers.origin;
    if (origin !== undefined && !validHosts.some((valid) => origin === `http://${valid}`)) return false;
    const given = url.searchParams.get('token') ?? readCookie(request.headers.cookie, this.cookieName());
    return given !== null && safeEqual(given, this.token);
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    if (!this.allowed(request, url)) return deny(response);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (url.pathname === '/' || url.pathname === '/index.html') return await this.sendIndex(response);
      // The window asks whether its cookie still lets it in (it says so once when it does not).
      if (url.pathname === '/session') return void response.writeHead(204, { 'Cache-Control': 'no-store' }).end();
      const resource = await this.resources.serve(url);
      if (resource !== null) {
        response.writeHead(resource.status, { 'Content-Type': resource.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        response.end(request.method === 'HEAD' ? undefined : resource.body);
        return;
      }
      const file = await this.assets.file(url.pathname);
      if (file === null) return notFound(response);
      await sendFile(response, file);
    } catch {
      if (!response.headersSent) response.writeHead(500).end();
    }
  }

  private async sendIndex(response: ServerResponse): Promise<void> {
    const nonce = randomBytes(16).toString('base64');
    const html = await workbenchIndex(nonce);
    response.writeHead(200, {
      'Content-Type': contentTypeOf('index.html'),
      'Cache-Control': 'no-store',
      'Content-Security-Policy': contentSecurityPolicy(nonce, this.origin().replace(/^http/, 'ws')),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // The token travels on as a cookie, so assets and the WebSocket need not repeat it.
      'Set-Cookie': `${this.cookieName()}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    response.end(html);
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://local');
    if (url.pathname !== '/rpc' || !this.allowed(request, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = connectionOver({
        send: (text) => webSocket.send(text),
        onMessage: (listener) => webSocket.on('message', (data) => listener(String(data))),
        onClose: (listener) => webSocket.on('close', listener),
        close: () => webSocket.close(),
      });
      const entry = { socket: webSocket, binding: this.binding.connect(connection) };
      this.connections.add(entry);
      webSocket.on('close', () => {
        this.connections.delete(entry);
        void entry.binding.dispose();
        connection.dispose();
      });
    });
  }
}

/** Browser mode's servers, for a container that already serves workbench windows (`workbenchWindowModule`). */
export const workbenchServerModule = new ContainerModule(({ bind }) => {
  bind(WorkbenchServer).toSelf();
});

/** Scripts only from this server (plus the import map, by nonce); nothing from anywhere else. */
function contentSecurityPolicy(nonce: string, socketOrigin: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    // Audio and video attachments play from bytes the page was given (blob: URLs), as photos show.
    "media-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${socketOrigin}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function sendFile(response: ServerResponse, file: string): Promise<void> {
  const info = await stat(file);
  response.writeHead(200, {
    'Content-Type': contentTypeOf(file),
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(file).pipe(response);
}

function deny(response: ServerResponse): void {
  response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Forbidden: open the workbench with the URL `cairn serve` printed.\n');
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
