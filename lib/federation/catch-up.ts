import type { PubsubItem } from './pubsub';

/**
 * Finding the items of a PubSub node published after the newest one a
 * subscriber has output, without asking for more than a stanza can carry.
 *
 * XEP-0060 retrieves "the most recent N items" (§6.5.7) or items by id (§6.5.8);
 * paging through older items needs Result Set Management, which Prosody 0.12
 * does not implement. And a server refuses a stanza past its size limit
 * (Prosody: 512 kB between servers, after which it closes the connection): a
 * node keeping thousands of packs cannot be sent in one answer. So:
 *
 * 1. ask for the newest few items, then four times as many, while the newest
 *    item already output is not among them and the next answer stays small;
 * 2. past that, list the node's item ids (XEP-0060 §5.5, disco#items: about 60
 *    bytes an item) and fetch the ones after it by id, a stanza's worth at a time.
 *
 * When the newest item already output is no longer on the node, every item it
 * still keeps is new, and items published in between may be lost: `lastSeenGone`.
 */
export interface NodeReader {
  /** The newest `max` items, oldest first (as XEP-0060 §6.5.7 services return them). */
  newest(max: number): Promise<PubsubItem[]>;
  /** Every item id the node holds (disco#items on the node), in the service's order. */
  listIds(): Promise<string[]>;
  /** Items by id, in the order asked. */
  byIds(ids: readonly string[]): Promise<PubsubItem[]>;
}

export interface SeenLookup {
  /** The position, in `ids` (oldest first), of the newest id already output; -1 if none. */
  lastSeenIndex(ids: readonly (string | undefined)[]): number;
}

export interface CatchUpResult {
  /** The items after the newest one already output, oldest first. */
  items: PubsubItem[];
  /** The newest item output earlier is no longer on the node: the node may have dropped some in between. */
  lastSeenGone: boolean;
  /** How many items the node holds, when that had to be found out. */
  kept?: number;
}

export interface CatchUpLimits {
  /** Items asked for first. */
  firstBatch: number;
  /** Bytes of items one answer should not exceed (well under the servers' stanza limits). */
  maxAnswerBytes: number;
}

export const DEFAULT_CATCH_UP_LIMITS: CatchUpLimits = {
  firstBatch: 32,
  maxAnswerBytes: 192 * 1024,
};

/** Bytes an item takes in a stanza, from the first few of an answer. */
function itemBytes(items: readonly PubsubItem[]): number {
  const sample = items.slice(0, 4);
  let total = 0;
  for (const item of sample)
    total += (item.payload?.toString().length ?? 0) + (item.id?.length ?? 0) + 30;
  return Math.max(64, Math.ceil(total / Math.max(1, sample.length)));
}

export async function itemsAfterLastSeen(
  reader: NodeReader,
  seen: SeenLookup,
  limits: CatchUpLimits = DEFAULT_CATCH_UP_LIMITS,
): Promise<CatchUpResult> {
  let max = limits.firstBatch;
  let newest: PubsubItem[];
  for (;;) {
    newest = await reader.newest(max);
    const at = seen.lastSeenIndex(newest.map((item) => item.id));
    if (at >= 0) return { items: newest.slice(at + 1), lastSeenGone: false };
    // Fewer than asked for: that is the whole node, and the newest item output is not on it.
    if (newest.length < max) return { items: newest, lastSeenGone: true, kept: newest.length };
    if (max * 4 * itemBytes(newest) > limits.maxAnswerBytes) break;
    max *= 4;
  }

  // More new items than an answer can carry: list the ids, then fetch the new ones a batch at a time.
  const listed = await reader.listIds();
  // XEP-0030 leaves the order open (Prosody lists the newest first): put it oldest first, as items come.
  const newestId = newest[newest.length - 1]?.id;
  const ids =
    listed[0] === newestId && listed[listed.length - 1] !== newestId
      ? [...listed].reverse()
      : listed;
  const at = seen.lastSeenIndex(ids);
  const wanted = ids.slice(at + 1);
  const batch = Math.max(1, Math.floor(limits.maxAnswerBytes / itemBytes(newest)));
  const items: PubsubItem[] = [];
  for (let start = 0; start < wanted.length; start += batch)
    items.push(...(await reader.byIds(wanted.slice(start, start + batch))));
  return { items, lastSeenGone: at < 0, kept: ids.length };
}
