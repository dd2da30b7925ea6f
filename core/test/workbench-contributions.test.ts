import { expect } from 'chai';
import { normalizeKey, platformKey, viewTitleItems, whenHolds } from '@cairn/core/common/workbench-contributions.js';

describe('keybindings and menu items, as the workbench reads them', () => {
  it('holds a `when` only for the view it names; no `when` always holds', () => {
    expect(whenHolds(undefined, { view: null })).to.equal(true);
    expect(whenHolds('view == notes.main', { view: 'notes.main' })).to.equal(true);
    expect(whenHolds('  view==notes.main ', { view: 'notes.main' })).to.equal(true);
    expect(whenHolds('view == notes.main', { view: 'map.view' })).to.equal(false);
    expect(whenHolds('view == notes.main', { view: null })).to.equal(false);
    // What the schema refuses never holds, should it get this far.
    expect(whenHolds('editorFocus', { view: 'notes.main' })).to.equal(false);
  });

  it('writes a key one way, and on macOS takes the `mac` key, where cmd is ⌘ as ctrl is', () => {
    expect(normalizeKey('Shift+Ctrl+P')).to.equal('ctrl+shift+p');
    expect(normalizeKey('cmd+e')).to.equal('cmd+e');
    expect(normalizeKey('cmd+e', true)).to.equal('ctrl+e');
    const binding = { key: 'ctrl+alt+n', mac: 'cmd+shift+n' };
    expect(platformKey(binding, false)).to.equal('ctrl+alt+n');
    expect(platformKey(binding, true)).to.equal('ctrl+shift+n');
    expect(platformKey({ key: 'ctrl+alt+n' }, true)).to.equal('ctrl+alt+n');
  });

  it('gives a view the title items meant for it, grouped, groups by name and the ungrouped last', () => {
    const items = [
      { command: 'loose' },
      { command: 'other-view', when: 'view == map.view' },
      { command: 'z-first', group: 'z' },
      { command: 'a-first', group: 'a', when: 'view == notes.main' },
      { command: 'z-second', group: 'z' },
      { command: 'a-second', group: 'a' },
    ];
    expect(viewTitleItems(items, 'notes.main').map((item) => item.command)).to.deep.equal(['a-first', 'a-second', 'z-first', 'z-second', 'loose']);
    expect(viewTitleItems(items, 'map.view').map((item) => item.command)).to.deep.equal(['a-second', 'z-first', 'z-second', 'loose', 'other-view']);
  });
});
