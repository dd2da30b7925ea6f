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
  | {
      position: ImportPosition;
      input: ObservationInput;
      /**
       * The record's own id in the file (a GeoJSON feature's `id`, a CSV `id` cell, Mapeo's and
       * CoMapeo's ids), if it has one: the import derives the observation's id from it, so the
       * same record imported again — here or on another device of the project — is skipped.
       */
      sourceId?: string;
      error?: undefined;
    }
  | { position: ImportPosition; input?: undefined; sourceId?: undefined; error: string };
