/** An export or import format as the host lists it, whether or not its plugin is active yet. */
export interface FormatInfo {
  id: string;
  title: string;
  extensions: string[];
  /** The plugin that provides it. */
  owner: string;
}
