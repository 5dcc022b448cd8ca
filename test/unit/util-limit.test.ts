import { describe, expect, it } from 'vitest';
import { forEachLimited } from '../../src/core/util/limit';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('forEachLimited', () => {
  it('runs every item, never more than `limit` at once, starting them in order', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item, i) => {
      expect(item).toBe(i + 1);
      started.push(item);
      running++;
      peak = Math.max(peak, running);
      await tick(3 + (item % 3) * 4);
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('does nothing for no items, and treats a limit below 1 as 1', async () => {
    await forEachLimited([], 4, async () => {
      throw new Error('never called');
    });
    let peak = 0;
    let running = 0;
    await forEachLimited([1, 2, 3], 0, async () => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
    });
    expect(peak).toBe(1);
  });

  it('after a failure starts nothing new, waits for the running items, then throws the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachLimited([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('item 1 failed');
      if (item === 2) throw new Error('item 2 failed too');
      await tick(30);
      finished.push(item);
    });
    await expect(run).rejects.toThrow('item 1 failed');
    // item 0 was running when 1 failed: it finished before the call returned; nothing after 1 started
    expect(finished).toEqual([0]);
    expect(started).toEqual([0, 1]);
  });

  it('stops starting items when the signal aborts, waits for the running ones, and throws the reason', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachLimited(
      [0, 1, 2, 3, 4],
      2,
      async (item) => {
        started.push(item);
        if (item === 1) ac.abort(new Error('cancelled by the captain'));
        await tick(20);
        finished.push(item);
      },
      ac.signal,
    );
    await expect(run).rejects.toThrow('cancelled by the captain');
    expect(started).toEqual([0, 1]);
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('throws on an aborted signal even when every item had finished', async () => {
    const ac = new AbortController();
    const run = forEachLimited([0], 1, async () => ac.abort(), ac.signal);
    await expect(run).rejects.toThrow();
    const already = new AbortController();
    already.abort();
    let calls = 0;
    await expect(forEachLimited([0, 1], 2, async () => void calls++, already.signal)).rejects.toThrow();
    expect(calls).toBe(0);
  });
});
