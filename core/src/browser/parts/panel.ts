import type { LogRecord } from '../../common/workbench-protocol.js';
import { h } from '../dom.js';

/** Lines the Output keeps; older ones go, so a long session does not grow the page without end. */
const MAX_LINES = 2000;

/** The bottom panel: the Output log of the host and the workbench (`role="log"`, "Output"). */
export class Panel {
  readonly element: HTMLElement;
  readonly output: HTMLElement;

  constructor(close: () => void) {
    this.output = h('div', { class: 'output', role: 'log', 'aria-label': 'Output', tabindex: '0' });
    this.element = h(
      'section',
      { class: 'panel', 'aria-label': 'Panel', tabindex: '-1' },
      h(
        'div',
        { class: 'panel-header' },
        h('div', { role: 'tablist', 'aria-label': 'Panel Tabs' }, h('button', { role: 'tab', 'aria-selected': 'true', class: 'panel-tab' }, 'Output')),
        h('button', { class: 'icon-button', 'aria-label': 'Close panel', title: 'Close panel (Ctrl+J)', onclick: close }, '×'),
      ),
      this.output,
    );
  }

  append(record: LogRecord): void {
    const line = h(
      'div',
      { class: `log-line log-${record.level}` },
      h('time', { datetime: record.time }, record.time.slice(11, 19)),
      ' ',
      h('span', { class: 'log-source' }, `[${record.source}]`),
      ' ',
      record.message,
    );
    this.output.append(line);
    while (this.output.childElementCount > MAX_LINES) this.output.firstElementChild?.remove();
    this.output.scrollTop = this.output.scrollHeight;
  }
}
