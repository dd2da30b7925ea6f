import { toDisposable, type Disposable } from '../common/disposable.js';

/**
 * A small helper to build DOM without a framework: `h('button', { class: 'x', onclick }, 'Label')`.
 * The workbench draws itself with it; plugins may too (or use any framework they bundle).
 */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, unknown> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'class') {
      element.className = String(value);
    } else if (name === 'dataset' && typeof value === 'object') {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.firstChild.remove();
}

let counter = 0;
/** A unique id for ARIA relationships. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Adds an event listener and returns what removes it, to dispose with whatever added it: a
 * listener on `window` or `document` outlives the view or editor that added it otherwise.
 */
export function listen<K extends keyof WindowEventMap>(target: Window, type: K, listener: (event: WindowEventMap[K]) => void, options?: boolean | AddEventListenerOptions): Disposable;
export function listen<K extends keyof DocumentEventMap>(target: Document, type: K, listener: (event: DocumentEventMap[K]) => void, options?: boolean | AddEventListenerOptions): Disposable;
export function listen<K extends keyof HTMLElementEventMap>(target: HTMLElement, type: K, listener: (event: HTMLElementEventMap[K]) => void, options?: boolean | AddEventListenerOptions): Disposable;
export function listen(target: EventTarget, type: string, listener: (event: Event) => void, options?: boolean | AddEventListenerOptions): Disposable;
export function listen(target: EventTarget, type: string, listener: (event: never) => void, options?: boolean | AddEventListenerOptions): Disposable {
  const handler = listener as EventListener;
  target.addEventListener(type, handler, options);
  return toDisposable(() => target.removeEventListener(type, handler, options));
}
