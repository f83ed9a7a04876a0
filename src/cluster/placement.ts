/**
 * Placement as pure functions: which node a session should run on, and which sessions to move
 * to even out the load. The coordinator applies the decisions; tests drive these directly.
 */
export interface NodeLoad {
  id: string;
  region: string | null;
  labels: Record<string, string>;
  capacity: number;
  /** Sessions assigned to it (desired running). */
  assigned: number;
  status: 'active' | 'draining';
}

export interface PlacementNeeds {
  /** Preferred region: nodes there win when they have room. */
  region?: string | null;
  /** Labels a node must carry (egress/proxy groups): hard constraints. */
  labels?: Record<string, string> | null;
}

export const fits = (node: NodeLoad, needs: PlacementNeeds): boolean =>
  node.status === 'active' &&
  node.assigned < node.capacity &&
  Object.entries(needs.labels ?? {}).every(([k, v]) => node.labels[k] === v);

/** The healthy node with the most free capacity, preferring the session's region; null when none fits. */
export function chooseNode(nodes: NodeLoad[], needs: PlacementNeeds): NodeLoad | null {
  const candidates = nodes.filter((n) => fits(n, needs));
  if (!candidates.length) return null;
  const inRegion = needs.region ? candidates.filter((n) => n.region === needs.region) : [];
  const pool = inRegion.length ? inRegion : candidates;
  return pool.reduce((best, n) => {
    const free = n.capacity - n.assigned;
    const bestFree = best.capacity - best.assigned;
    return free > bestFree || (free === bestFree && n.id < best.id) ? n : best;
  });
}

export interface Movable {
  id: string;
  nodeId: string;
  needs: PlacementNeeds;
}

export interface Move {
  sessionId: string;
  from: string;
  to: string;
}

/**
 * Up to `maxMoves` moves that bring active nodes' loads (as a share of capacity) closer, taking
 * from the most loaded and giving to the least loaded node a session fits on; nothing moves when
 * the spread is within one session. Loads in `nodes` are updated as moves are planned.
 */
export function planRebalance(nodes: NodeLoad[], sessions: Movable[], maxMoves: number): Move[] {
  const moves: Move[] = [];
  const active = nodes.filter((n) => n.status === 'active');
  const share = (n: NodeLoad) => n.assigned / n.capacity;
  const byNode = new Map<string, Movable[]>();
  for (const s of sessions) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s]);
  while (moves.length < maxMoves) {
    const sorted = [...active].sort((a, b) => share(b) - share(a) || a.id.localeCompare(b.id));
    let moved = false;
    for (const from of sorted) {
      const pool = byNode.get(from.id) ?? [];
      for (const s of pool) {
        // only a move that leaves the receiver no fuller than the giver: no ping-pong
        const fairer = active.filter((n) => n.id !== from.id && (n.assigned + 1) / n.capacity <= (from.assigned - 1) / from.capacity);
        const to = chooseNode(fairer, s.needs);
        if (!to) continue;
        moves.push({ sessionId: s.id, from: from.id, to: to.id });
        pool.splice(pool.indexOf(s), 1);
        from.assigned--;
        to.assigned++;
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return moves;
}
