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

/** A problem the JSON language finds, as its worker reports it (zero-based lines and characters). */
export interface JsonDiagnostic {
  message: string;
  severity: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

interface JsonWorker {
  doValidation(uri: string): Promise<JsonDiagnostic[]>;
}

/**
 * The problems of the model's text as it is now. The markers Monaco shows lag half a second
 * behind the typing (it validates after a pause), so Save asks the worker itself.
 */
export async function validateNow(uri: monaco.Uri): Promise<JsonDiagnostic[]> {
  const getWorker = await (jsonLanguage as unknown as { getWorker: () => Promise<(...uris: monaco.Uri[]) => Promise<JsonWorker>> }).getWorker();
  const worker = await getWorker(uri);
  return worker.doValidation(uri.toString());
}

const workerUrl = (name: string) => new URL(`./${name}.js`, import.meta.url);

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(workerUrl(label === 'json' ? 'json.worker' : 'editor.worker'), { type: 'module' });
  },
};

export { monaco };
