import type { ObservationInput } from './observation.js';

/** An export or import format as the host lists it, whether or not its plugin is active yet. */
export interface FormatInfo {
  id: string;
  title: string;
  extensions: string[];
  /** The plugin that provides it. */
  owner: string;
}

/** Where a record is in the file, to name it when it is rejected. */
export type ImportPosition = { line: number } | { index: number };

/** One record read from a file: an observation to create, or the reason it cannot be one. */
export type ImportRecord =
  | { position: ImportPosition; input: ObservationInput; error?: undefined }
  | { position: ImportPosition; input?: undefined; error: string };
