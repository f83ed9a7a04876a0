import { describe, expect, it } from 'vitest';
import { type RunResult, SendQueue } from './send-queue.js';

/** A queue whose runs the test finishes by hand, in order. */
function manualQueue(limit: number) {
  const runs: Array<{ item: string; finish(r: RunResult | Error): void }> = [];
  const errors: string[] = [];
  const queue = new SendQueue<string>({
    limit,
    run: (item) =>
      new Promise<RunResult>((resolve, reject) => runs.push({ item, finish: (r) => (r instanceof Error ? reject(r) : resolve(r)) })),
    onError: (item) => errors.push(item),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { queue, runs, errors, settle };
}

describe('send queue', () => {
  it('counts reserved places toward its bound, and gives them back on release', () => {
    const { queue } = manualQueue(2);
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(false); // both places are held while the rows are being stored
    queue.release();
    expect(queue.reserve()).toBe(true);
    queue.push('a', true);
    queue.push('b', true);
    expect(queue.full).toBe(true);
    expect(queue.reserve()).toBe(false);
  });

  it('runs items in order, one at a time; re-queued accepted items may exceed the bound', async () => {
    const { queue, runs, settle } = manualQueue(1);
    for (const item of ['a', 'b', 'c']) queue.push(item);
    expect(queue.size).toBe(3);
    await settle();
    expect(runs.map((r) => r.item)).toEqual(['a']);
    runs[0].finish('done');
    await settle();
    runs[1].finish('done');
    await settle();
    expect(runs.map((r) => r.item)).toEqual(['a', 'b', 'c']);
  });

  it('keeps an item that threw first in line and pauses until resumed', async () => {
    const { queue, runs, errors, settle } = manualQueue(5);
    queue.push('a');
    queue.push('b');
    await settle();
    runs[0].finish(new Error('database is locked'));
    await settle();
    expect(errors).toEqual(['a']);
    expect(runs.length).toBe(1);
    queue.resume();
    await settle();
    expect(runs.map((r) => r.item)).toEqual(['a', 'a']);
  });

  it('a run that was in flight when the queue was drained and refilled does not pause or shorten it', async () => {
    const { queue, runs, settle } = manualQueue(5);
    queue.push('a');
    await settle();
    // the session came back: pending items are queued again while 'a' is still out on the old connection
    queue.drain();
    queue.push('a');
    queue.push('b');
    queue.resume();
    runs[0].finish('retry_later'); // the old connection's answer decides nothing now
    await settle();
    expect(runs.map((r) => r.item)).toEqual(['a', 'a']);
    runs[1].finish('done');
    await settle();
    expect(runs.map((r) => r.item)).toEqual(['a', 'a', 'b']);
    expect(queue.size).toBe(1);
  });
});
