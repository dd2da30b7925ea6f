import type { ConfirmOptions, DialogHandle, DialogOptions } from '@cairn/sdk/browser';
import { h, uid, type Child } from './dom.js';

export interface Modal {
  readonly dialog: HTMLElement;
  /** Removes the dialog and gives the focus back to where it was. */
  close(): void;
}

/**
 * A modal dialog over the workbench: titled, Escape cancels, Tab stays inside it, and the focus
 * goes back where it was when it closes.
 */
function openModal(
  host: HTMLElement,
  options: { title: string; role?: 'dialog' | 'alertdialog'; className?: string; content: Child[]; onCancel: () => void },
): Modal {
  const titleId = uid('modal-title');
  const dialog = h(
    'div',
    { class: `modal ${options.className ?? ''}`.trim(), role: options.role ?? 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, options.title),
    ...options.content,
  );
  const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
  const returnFocus = document.activeElement as HTMLElement | null;
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      options.onCancel();
    } else if (event.key === 'Tab') {
      const focusable = [...dialog.querySelectorAll<HTMLElement>('button, input, select, textarea, [tabindex="0"]')].filter((element) => !element.hasAttribute('disabled') && element.offsetParent !== null);
      if (focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable.at(-1)!;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  host.append(backdrop);
  return {
    dialog,
    close: () => {
      backdrop.remove();
      if (returnFocus?.isConnected) returnFocus.focus();
    },
  };
}

/** A question with two answers; resolves true when the user confirms. */
export function confirmDialog(host: HTMLElement, options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const confirm = h('button', { type: 'button', class: options.danger ? 'primary danger' : 'primary' }, options.confirm);
    const cancel = h('button', { type: 'button', class: 'secondary' }, options.cancel ?? 'Cancel');
    const finish = (answer: boolean) => {
      modal.close();
      resolve(answer);
    };
    const modal = openModal(host, {
      title: options.title,
      role: 'alertdialog',
      className: 'modal-confirm',
      content: [h('p', { class: 'modal-message' }, options.message), h('div', { class: 'modal-actions' }, cancel, confirm)],
      onCancel: () => finish(false),
    });
    confirm.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    // The safe answer has the focus: Enter right away must not destroy anything.
    (options.danger ? cancel : confirm).focus();
  });
}

/** A plugin's dialog (`ctx.dialogs.show`): the frame is the workbench's, the content the plugin's. */
export function showDialog(host: HTMLElement, options: DialogOptions): DialogHandle {
  const body = h('div', { class: 'modal-body' });
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    modal.close();
  };
  const modal = openModal(host, {
    title: options.title,
    content: [body],
    onCancel: () => {
      close();
      options.onCancel?.();
    },
  });
  options.render(body, close);
  return { close };
}
