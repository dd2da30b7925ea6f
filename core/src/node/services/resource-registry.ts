import { injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  ErrorCodes,
  errorMessage,
  RESOURCE_NAME_PATTERN,
  toDisposable,
  type Disposable,
  type ResourceHandler,
  type ResourceResponse,
} from '@cairn/sdk';

/** What the workbench gets for a `/resources/…` URL. */
export interface ServedResource {
  status: number;
  contentType: string;
  body: Uint8Array | string;
}

/**
 * Plugins' host resources (`ctx.resources.register`), served to the workbench by browser mode's
 * server and by the desktop app's scheme alike, at `/resources/<plugin id>/<name>/<path>`.
 */
@injectable()
export class ResourceRegistry {
  private readonly handlers = new Map<string, ResourceHandler>();

  register(owner: string, name: string, handler: ResourceHandler): Disposable {
    if (typeof name !== 'string' || !RESOURCE_NAME_PATTERN.test(name)) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `A resource name is one lowercase path segment (letters, digits, '.', '_', '-'); '${String(name)}' is not.`);
    }
    if (typeof handler !== 'function') throw new CairnError(ErrorCodes.INVALID_INPUT, `Resource '${name}' needs a handler function.`);
    const key = `${owner}/${name}`;
    if (this.handlers.has(key)) throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' already serves a resource '${name}'.`);
    this.handlers.set(key, handler);
    return toDisposable(() => {
      if (this.handlers.get(key) === handler) this.handlers.delete(key);
    });
  }

  /** Answers a URL, or null when it is not a resource URL at all. */
  async serve(url: URL): Promise<ServedResource | null> {
    const match = /^\/resources\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (match === null) return null;
    const text = (status: number, message: string): ServedResource => ({ status, contentType: 'text/plain; charset=utf-8', body: message });
    let owner: string;
    let name: string;
    let path: string;
    try {
      [owner, name, path] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), decodeURIComponent(match[3] ?? '')];
    } catch {
      return text(400, 'The resource URL is not valid.');
    }
    const handler = this.handlers.get(`${owner}/${name}`);
    if (handler === undefined) return text(404, `No resource '${name}' of plugin '${owner}' (is the plugin enabled and active?).`);
    let response: ResourceResponse | null;
    try {
      response = await handler({ path, query: Object.fromEntries(url.searchParams) });
    } catch (error) {
      if (error instanceof CairnError && error.code === ErrorCodes.INVALID_INPUT) return text(400, error.message);
      if (error instanceof CairnError && error.code === ErrorCodes.NOT_FOUND) return text(404, error.message);
      return text(500, `Resource '${name}' of plugin '${owner}' failed: ${errorMessage(error)}`);
    }
    if (response === null) return text(404, 'Not found.');
    return { status: 200, contentType: response.contentType, body: response.body };
  }
}
