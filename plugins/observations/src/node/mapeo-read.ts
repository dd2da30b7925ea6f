import { CairnError, ErrorCodes } from '@cairn/sdk';

/**
 * What reading a Mapeo configuration yields, whether from a folder or from a bundle, and the
 * errors and JSON parsing both readers share.
 */

/** What a configuration holds, as read, before any of it is checked. */
export interface RawConfig {
  /** Says where a file is, for messages: `presets/animal.json in /data/config`. */
  where(file: string): string;
  presets: Array<{ id: string; file: string; value: unknown }>;
  fields: Array<{ id: string; file: string; value: unknown }>;
  /** `defaults.json` (folder) or `presets.json` `defaults` (bundle); undefined when absent. */
  defaults: unknown;
  metadata: unknown;
  /** The SVG markup of an icon by name (the largest size there is), or null. */
  icon(name: string): Promise<string | null>;
}

/** The error of a file or folder that is no configuration Cairn can read, saying why and what would be. */
export function notAConfig(target: string, why: string): CairnError {
  return new CairnError(
    ErrorCodes.INVALID_INPUT,
    `${target} is not a Mapeo configuration: ${why}. Give a .mapeosettings file or a folder with presets/ and fields/.`,
  );
}

/** A file's JSON (a byte-order mark allowed), or an error naming the file. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `${where} is not valid JSON (${(error as Error).message}); fix it and import again.`);
  }
}

/** A JSON object: not an array, not null. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
