/**
 * How catch-up asks a node for what it missed: the logic alone, over a node held
 * in memory that answers as XEP-0060 §6.5.7 and Prosody do (the newest N, oldest
 * first; ids listed newest first). The real federation runs it in
 * publish-subscribe.test.ts.
 */
import assert from 'node:assert/strict';
import { Element } from 'ltx';
import { itemsAfterLastSeen, type NodeReader } from '../../../lib/federation/catch-up';
import type { PubsubItem } from '../../../lib/federation/pubsub';

function node(count: number, payloadBytes = 100): { reader: NodeReader; asked: string[] } {
  const items: PubsubItem[] = Array.from({ length: count }, (_, i) => ({
    id: `item-${i + 1}`,
    payload: new Element('x', { pad: 'p'.repeat(payloadBytes) }),
  }));
  const asked: string[] = [];
  const reader: NodeReader = {
    newest: async (max) => {
      asked.push(`newest ${max}`);
      return items.slice(Math.max(0, items.length - max));
    },
    listIds: async () => {
      asked.push('ids');
      return items.map((item) => item.id!).reverse();
    },
    byIds: async (ids) => {
      asked.push(`ids ${ids.length}`);
      return ids.map((id) => items.find((item) => item.id === id)!);
    },
  };
  return { reader, asked };
}

const seenUpTo = (
  n: number,
): { lastSeenIndex: (ids: readonly (string | undefined)[]) => number } => ({
  lastSeenIndex: (ids) => {
    for (let i = ids.length - 1; i >= 0; i--) if (Number(ids[i]?.slice(5)) <= n) return i;
    return -1;
  },
});

const numbers = (items: PubsubItem[]): number[] => items.map((item) => Number(item.id!.slice(5)));

describe('catch-up: what a subscriber missed, asked for in stanzas of bounded size', () => {
  it('a few missed items: one small request', async () => {
    const { reader, asked } = node(100);
    const result = await itemsAfterLastSeen(reader, seenUpTo(95));
    assert.deepEqual(numbers(result.items), [96, 97, 98, 99, 100]);
    assert.equal(result.lastSeenGone, false);
    assert.deepEqual(asked, ['newest 32']);
  });

  it('more missed: four times as many at each step, while an answer stays small', async () => {
    const { reader, asked } = node(1000);
    const result = await itemsAfterLastSeen(reader, seenUpTo(800));
    assert.deepEqual(
      numbers(result.items),
      Array.from({ length: 200 }, (_, k) => 801 + k),
    );
    assert.deepEqual(asked, ['newest 32', 'newest 128', 'newest 512']);
  });

  it('more than an answer may carry: the ids are listed, and the items fetched a batch at a time', async () => {
    const { reader, asked } = node(3000, 1000);
    const result = await itemsAfterLastSeen(reader, seenUpTo(1000), {
      firstBatch: 32,
      maxAnswerBytes: 100_000,
    });
    assert.deepEqual(
      numbers(result.items),
      Array.from({ length: 2000 }, (_, k) => 1001 + k),
    );
    assert.equal(result.lastSeenGone, false);
    assert.equal(asked[0], 'newest 32');
    assert.ok(!asked.includes('newest 128'), '128 items of 1 kB would be more than 100 kB');
    assert.equal(asked[1], 'ids');
    const batches = asked.slice(2).map((a) => Number(a.split(' ')[1]));
    assert.ok(
      batches.every((n) => n * 1000 <= 100_000),
      `batches ${batches.join(', ')}`,
    );
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      2000,
    );
  });

  it('the last item seen is no longer on the node: all it keeps is new, and that is said', async () => {
    const small = await itemsAfterLastSeen(node(20).reader, seenUpTo(0));
    assert.deepEqual([small.items.length, small.lastSeenGone, small.kept], [20, true, 20]);
    const { reader } = node(3000, 1000);
    // Items 1-5000 were published; the node keeps 3000, numbered 1-3000 here; the subscriber had none of them.
    const large = await itemsAfterLastSeen(
      reader,
      { lastSeenIndex: () => -1 },
      { firstBatch: 32, maxAnswerBytes: 100_000 },
    );
    assert.deepEqual([large.items.length, large.lastSeenGone, large.kept], [3000, true, 3000]);
    assert.deepEqual(numbers(large.items).slice(0, 3), [1, 2, 3], 'oldest first');
  });
});
