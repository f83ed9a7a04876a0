import { describe, expect, it } from 'vitest';
import { chooseNode, type NodeLoad, planRebalance } from './placement.js';

const node = (id: string, assigned: number, more: Partial<NodeLoad> = {}): NodeLoad => ({ id, region: null, labels: {}, capacity: 100, assigned, status: 'active', ...more });

describe('placement', () => {
  it('picks the active node with most free capacity; never a draining or full one', () => {
    expect(chooseNode([node('a', 10), node('b', 3), node('c', 5)], {})?.id).toBe('b');
    expect(chooseNode([node('a', 10), node('b', 3, { status: 'draining' })], {})?.id).toBe('a');
    expect(chooseNode([node('a', 100), node('b', 50, { capacity: 50 })], {})).toBeNull();
    expect(chooseNode([node('a', 10, { capacity: 1000 }), node('b', 1, { capacity: 5 })], {})?.id).toBe('a');
  });

  it('prefers the session’s region while it has room, and honours required labels', () => {
    const nodes = [node('eu1', 50, { region: 'eu' }), node('us1', 0, { region: 'us' }), node('eu2', 90, { region: 'eu', labels: { egress: 'proxy-a' } })];
    expect(chooseNode(nodes, { region: 'eu' })?.id).toBe('eu1');
    expect(chooseNode(nodes, { region: 'ap' })?.id).toBe('us1');
    expect(chooseNode(nodes, { labels: { egress: 'proxy-a' } })?.id).toBe('eu2');
    expect(chooseNode(nodes, { labels: { egress: 'proxy-b' } })).toBeNull();
    nodes[0].assigned = 100;
    expect(chooseNode(nodes, { region: 'eu' })?.id).toBe('eu2'); // region still wins while it has room
  });

  it('rebalances a newly joined node gradually, a bounded number of moves at a time', () => {
    const nodes = [node('a', 30), node('b', 30), node('c', 0)];
    const sessions = [...Array.from({ length: 30 }, (_, i) => ({ id: `a${i}`, nodeId: 'a', needs: {} })), ...Array.from({ length: 30 }, (_, i) => ({ id: `b${i}`, nodeId: 'b', needs: {} }))];
    const first = planRebalance(nodes, sessions, 5);
    expect(first).toHaveLength(5);
    expect(first.every((m) => m.to === 'c')).toBe(true);
    let all = [...first];
    for (let i = 0; i < 10; i++) all = all.concat(planRebalance(nodes, sessions.filter((s) => !all.some((m) => m.sessionId === s.id)), 5));
    expect(nodes.map((n) => n.assigned)).toEqual([20, 20, 20]);
    expect(planRebalance(nodes, [], 5)).toEqual([]);
  });

  it('leaves a balanced cluster alone and never moves a session where its labels don’t fit', () => {
    const nodes = [node('a', 10), node('b', 11)];
    expect(planRebalance(nodes, Array.from({ length: 11 }, (_, i) => ({ id: `b${i}`, nodeId: 'b', needs: {} })), 5)).toEqual([]);
    const skewed = [node('a', 20, { labels: { egress: 'x' } }), node('b', 0)];
    const pinned = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}`, nodeId: 'a', needs: { labels: { egress: 'x' } } }));
    expect(planRebalance(skewed, pinned, 5)).toEqual([]);
  });
});
