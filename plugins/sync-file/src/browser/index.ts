import { describeSync, ErrorCodes, errorMessage, h, isCairnError, type BrowserPluginContext } from '@cairn/sdk/browser';
import { SYNC_FILE_SERVICE, type SyncFileService } from '../common/protocol.js';

/** The Sync view's "Sync with a file…": choose a file, sync with progress, show what moved. */
export function activate(ctx: BrowserPluginContext): void {
  const service = ctx.services.get<SyncFileService>(SYNC_FILE_SERVICE);
  let report: ((text: string, error: boolean) => void) | null = null;

  const syncWithFile = async () => {
    const path = await ctx.dialogs.chooseFile({
      title: 'Sync with a file',
      mode: 'save',
      extensions: ['cairnsync'],
      defaultName: 'survey.cairnsync',
    });
    if (path === null) return null;
    const name = path.split(/[\\/]/).pop() ?? path;
    try {
      const result = await ctx.withProgress(`Syncing with ${name}`, (progress, signal) => service.sync(path, { signal, onProgress: progress }));
      // Said here, in the section; the workbench's one notification per sync says it too.
      report?.(`${result.created ? 'Created' : 'Synced with'} ${name}: ${describeSync(result)}`, false);
      return result;
    } catch (error) {
      if (isCairnError(error, ErrorCodes.CANCELLED)) return null;
      report?.(errorMessage(error), true);
      ctx.notifications.error(errorMessage(error));
      return null;
    }
  };

  // The palette's "Sync with a file…" opens the chooser (from the CLI, the host command takes a path).
  ctx.subscriptions.push(ctx.commands.register('sync-file.sync', () => syncWithFile()));

  ctx.subscriptions.push(
    ctx.sync.addSection({
      id: 'file',
      title: 'Sync with a file',
      order: 20,
      render(container) {
        const about = h(
          'p',
          {},
          'Carry a .cairnsync file on a USB stick between computers that never meet, or share it over the internet. ' +
            'Everything it has comes in; everything this device has goes into it. Only members of the project can read it.',
        );
        const button = h('button', { class: 'primary' }, 'Sync with a file…');
        const status = h('p', { role: 'status', class: 'sync-file-result' });
        button.addEventListener('click', () => {
          button.disabled = true;
          void syncWithFile().finally(() => (button.disabled = false));
        });
        report = (text, error) => {
          status.textContent = text;
          status.classList.toggle('view-error', error);
        };
        container.append(about, button, status);
        return {
          dispose: () => {
            report = null;
          },
        };
      },
    }),
  );
}
