/**
 * Orders plugins so that every plugin comes after the plugins it depends on, and says which
 * plugins cannot run and why. A cycle or a missing dependency fails the plugins involved
 * (and those that depend on them), never the others.
 */

export interface DependencyNode {
  id: string;
  dependsOn: readonly string[];
  /** Set when the plugin already cannot run (bad manifest, failed activation): the reason. */
  failure?: string;
}

export interface DependencyResolution {
  /** Ids that can run, dependencies first; independent plugins in id order, so the order is stable. */
  order: string[];
  /** Id → why it cannot run. */
  failures: Map<string, string>;
}

/**
 * @param describeAbsent explains a dependency that is not among `nodes` (not installed, or
 *   disabled), e.g. "which is not installed".
 */
export function resolveDependencyOrder(
  nodes: readonly DependencyNode[],
  describeAbsent: (dependencyId: string) => string,
): DependencyResolution {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const failures = new Map<string, string>();
  for (const node of nodes) {
    if (node.failure !== undefined) failures.set(node.id, node.failure);
  }

  for (const cycle of findCycles(nodes, byId)) {
    const path = describeCycle(cycle, byId);
    for (const id of cycle) {
      if (!failures.has(id)) failures.set(id, `dependency cycle: ${path}`);
    }
  }

  const order: string[] = [];
  const placed = new Set<string>();
  // Visiting in id order and recursing into dependencies first gives a stable topological order.
  const visit = (node: DependencyNode): void => {
    if (placed.has(node.id)) return;
    placed.add(node.id);
    if (failures.has(node.id)) return;
    for (const dependencyId of node.dependsOn) {
      const dependency = byId.get(dependencyId);
      if (dependency === undefined) {
        failures.set(node.id, `depends on '${dependencyId}', ${describeAbsent(dependencyId)}`);
        return;
      }
      visit(dependency);
      const dependencyFailure = failures.get(dependencyId);
      if (dependencyFailure !== undefined) {
        failures.set(node.id, `depends on '${dependencyId}', which cannot run (${dependencyFailure})`);
        return;
      }
    }
    order.push(node.id);
  };
  for (const node of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) visit(node);

  return { order, failures };
}

/** Follows dependency edges inside a cycle from its smallest id: `'a' → 'b' → 'a'`. */
function describeCycle(members: string[], byId: Map<string, DependencyNode>): string {
  const inCycle = new Set(members);
  const start = [...members].sort()[0]!;
  const path = [start];
  let current = start;
  for (;;) {
    const dependsOn = byId.get(current)!.dependsOn.filter((id) => inCycle.has(id));
    const next = dependsOn.find((id) => !path.includes(id)) ?? (dependsOn.includes(start) ? start : undefined);
    if (next === undefined) break;
    path.push(next);
    if (next === start) break;
    current = next;
  }
  return path.map((id) => `'${id}'`).join(' → ');
}

/** Strongly connected components with more than one member, or a member that depends on itself (Tarjan). */
function findCycles(nodes: readonly DependencyNode[], byId: Map<string, DependencyNode>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const connect = (id: string): void => {
    index.set(id, counter);
    lowLink.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        lowLink.set(id, Math.min(lowLink.get(id)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(id, Math.min(lowLink.get(id)!, index.get(next)!));
      }
    }
    if (lowLink.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfLoop = byId.get(id)!.dependsOn.includes(id);
      if (component.length > 1 || selfLoop) cycles.push(component);
    }
  };
  for (const node of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!index.has(node.id)) connect(node.id);
  }
  return cycles;
}
