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
    checkFormat(owner, format, 'export', 'write');
    return this.exports.register(owner, format.id, format);
  }

  registerImport(owner: string, format: ImportFormat): Disposable {
    checkFormat(owner, format, 'import', 'read');
    return this.imports.register(owner, format.id, format);
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

function checkFormat(owner: string, format: ExportFormat | ImportFormat, direction: 'export' | 'import', method: 'write' | 'read'): void {
  if (typeof format?.id !== 'string' || typeof (format as unknown as Record<string, unknown>)[method] !== 'function') {
    throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered an ${direction} format without an id or a ${method}() method.`);
  }
}

function describe(
  id: string,
  declared: Declared<'exportFormats' | 'importFormats'> | undefined,
  registered: Registration<ExportFormat | ImportFormat> | undefined,
): FormatInfo {
  if (registered === undefined) return { id, title: declared!.title, extensions: [...declared!.extensions], owner: declared!.owner };
  const format = registered.value;
  const extensions = 'extensions' in format ? [...format.extensions] : [format.extension];
  return { id, title: format.title, extensions, owner: registered.owner };
}
