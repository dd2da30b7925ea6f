/**
 * Host resources: bytes a plugin's host side serves to its workbench side by URL, for what is too
 * big or too binary for the JSON of a service call (map tiles, a million points). The workbench
 * fetches `/resources/<plugin id>/<name>/<path>?<query>`, same origin, with the window's token.
 */

/** What the handler of a resource is asked. */
export interface ResourceRequest {
  /** The rest of the URL path after the resource's name, decoded; '' for none. */
  path: string;
  /** The URL's query parameters (the last of each name). */
  query: Record<string, string>;
}

export interface ResourceResponse {
  body: Uint8Array | string;
  contentType: string;
}

/**
 * Answers a request; null is "not found". Throw a `CairnError` with `ERR_INVALID_INPUT` for a
 * request that makes no sense (the workbench gets a 400 with its message).
 */
export type ResourceHandler = (request: ResourceRequest) => ResourceResponse | null | Promise<ResourceResponse | null>;

/** A resource's name: one URL path segment. */
export const RESOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** The URL of a plugin's resource, relative to the workbench's origin. */
export function resourceUrl(pluginId: string, name: string, path = '', query: Record<string, string | number> = {}): string {
  const segments = path.split('/').filter((segment) => segment.length > 0).map(encodeURIComponent);
  const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)])).toString();
  return `/resources/${encodeURIComponent(pluginId)}/${encodeURIComponent(name)}${segments.length > 0 ? `/${segments.join('/')}` : ''}${search ? `?${search}` : ''}`;
}
