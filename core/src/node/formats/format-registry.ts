import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  ErrorCodes,
  type ExportFormat,
  type ImportFormat,
  type Disposable,
  type FormatInfo,
} from '@cairn/sdk';
import { ContributionTable, contributionPoints, type Declared, type Registration } from '../contributions/contribution-table.js';
import { PluginHost } from '../plugins/plugin-host.js';

/**
 * The file formats enabled plugins offer, for export and for import. Declared formats are listed
 * before their plugin is active, and asking for one activates it. Disabling a plugin withdraws
 * its formats.
 */
@injectable()
export class FormatRegistry {
  private readonly exports: ContributionTable<'exportFormats', ExportFormat>;
  private readonly imports: ContributionTable<'importFormats', ImportFormat>;

  constructor(@inject(PluginHost) plugins: PluginHost) {
    this.exports = new ContributionTable(plugins, contributionPoints.exportFormats);
    this.imports = new ContributionTable(plugins, contributionPoints.importFormats);
  }

  registerExport(owner: string, format: ExportFormat): Disposable {
    const checked = checkFormat(owner, format, 'export', 'write');
    return this.exports.register(owner, checked.id, checked);
  }

  registerImport(owner: string, format: ImportFormat): Disposable {
    const checked = checkFormat(owner, format, 'import', 'read');
    return this.imports.register(owner, checked.id, checked);
  }

  exportFormats(): FormatInfo[] {
    return this.exports.list(describe);
  }

  importFormats(): FormatInfo[] {
    return this.imports.list(describe);
  }

  exportFormat(id: string): Promise<ExportFormat> {
    return this.exports.get(id);
  }

  importFormat(id: string): Promise<ImportFormat> {
    return this.imports.get(id);
  }
}

/**
 * The format as the host keeps it, or the coded error that says what it lacks. Export formats once
 * gave one `extension`; it is read as `extensions: [extension]`, so plugins written that way keep
 * working unchanged.
 */
function checkFormat<F extends ExportFormat | ImportFormat>(owner: string, format: F, direction: 'export' | 'import', method: 'write' | 'read'): F {
  const given = format as unknown as Record<string, unknown> | null;
  if (typeof given?.id !== 'string' || typeof given[method] !== 'function') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered an ${direction} format without an id or a ${method}() method.`);
  }
  const extensions = given.extensions ?? (typeof given.extension === 'string' ? [given.extension] : undefined);
  if (!Array.isArray(extensions) || extensions.length === 0 || !extensions.every((extension) => typeof extension === 'string' && extension !== '')) {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered the ${direction} format '${given.id}' without its extensions, e.g. extensions: ['kml'].`);
  }
  if (given.extensions !== undefined) return format;
  const run = given[method] as (...args: unknown[]) => unknown;
  // The format's own method, called on the format itself (its private state stays reachable).
  return { id: given.id, title: given.title, extensions, [method]: (...args: unknown[]) => run.apply(format, args) } as unknown as F;
}

function describe(
  id: string,
  declared: Declared<'exportFormats' | 'importFormats'> | undefined,
  registered: Registration<ExportFormat | ImportFormat> | undefined,
): FormatInfo {
  if (registered === undefined) return { id, title: declared!.title, extensions: [...declared!.extensions], owner: declared!.owner };
  const format = registered.value;
  return { id, title: format.title, extensions: [...format.extensions], owner: registered.owner };
}
