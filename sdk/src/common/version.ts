/**
 * The version of the plugin API. A plugin's `engine` range is checked against it at load time.
 * It follows the `@cairn/sdk` package version (a test keeps the two equal).
 */
export const SDK_VERSION = '0.1.0';
