/**
 * Monaco with its JSON language, bundled apart from the plugin's entry and loaded the first time
 * "Edit as JSON" opens (it is a few megabytes). Its web workers are bundled beside it.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import * as jsonLanguage from 'monaco-editor/esm/vs/language/json/monaco.contribution.js';

/** The part of the JSON language's settings used here (its own typings are not exported from this module). */
export interface JsonDefaults {
  setDiagnosticsOptions(options: { validate: boolean; allowComments?: boolean; schemaValidation?: 'error' | 'warning' | 'ignore'; schemas: Array<{ uri: string; fileMatch: string[]; schema: object }> }): void;
}

export const jsonDefaults = (jsonLanguage as unknown as { jsonDefaults: JsonDefaults }).jsonDefaults;

const workerUrl = (name: string) => new URL(`./${name}.js`, import.meta.url);

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(workerUrl(label === 'json' ? 'json.worker' : 'editor.worker'), { type: 'module' });
  },
};

export { monaco };
