import { expect } from 'chai';
import { resolveDependencyOrder, type DependencyNode } from '@cairn/core/common/dependency-order.js';

const absent = () => 'which is not installed';
const node = (id: string, ...dependsOn: string[]): DependencyNode => ({ id, dependsOn });

describe('resolveDependencyOrder', () => {
  it('puts dependencies before their dependents, whatever the names', () => {
    const { order, failures } = resolveDependencyOrder(
      [node('a', 'b'), node('b', 'c'), node('c'), node('d')],
      absent,
    );
    expect(order.indexOf('c')).to.be.lessThan(order.indexOf('b'));
    expect(order.indexOf('b')).to.be.lessThan(order.indexOf('a'));
    expect(order).to.have.members(['a', 'b', 'c', 'd']);
    expect(failures.size).to.equal(0);
  });

  it('gives the same order for the same plugins listed differently', () => {
    const nodes = [node('x', 'y'), node('y'), node('k'), node('b', 'k')];
    const first = resolveDependencyOrder(nodes, absent).order;
    const second = resolveDependencyOrder([...nodes].reverse(), absent).order;
    expect(first).to.deep.equal(second);
  });

  it('fails the members of a cycle and their dependents, not the others', () => {
    const { order, failures } = resolveDependencyOrder(
      [node('one', 'two'), node('two', 'one'), node('three', 'one'), node('free')],
      absent,
    );
    expect(order).to.deep.equal(['free']);
    expect(failures.get('one')).to.equal("dependency cycle: 'one' → 'two' → 'one'");
    expect(failures.get('two')).to.equal("dependency cycle: 'one' → 'two' → 'one'");
    expect(failures.get('three')).to.match(/^depends on 'one', which cannot run \(dependency cycle/);
  });

  it('reports a plugin that depends on itself', () => {
    const { failures } = resolveDependencyOrder([node('self', 'self')], absent);
    expect(failures.get('self')).to.equal("dependency cycle: 'self' → 'self'");
  });

  it('explains a missing dependency with the caller’s words', () => {
    const { order, failures } = resolveDependencyOrder([node('needy', 'ghost'), node('ok')], (id) =>
      id === 'ghost' ? 'which is disabled' : 'which is not installed',
    );
    expect(order).to.deep.equal(['ok']);
    expect(failures.get('needy')).to.equal("depends on 'ghost', which is disabled");
  });

  it('carries a known failure to the dependents', () => {
    const { order, failures } = resolveDependencyOrder(
      [{ id: 'broken', dependsOn: [], failure: 'activate() threw' }, node('user', 'broken')],
      absent,
    );
    expect(order).to.deep.equal([]);
    expect(failures.get('broken')).to.equal('activate() threw');
    expect(failures.get('user')).to.equal("depends on 'broken', which cannot run (activate() threw)");
  });
});
