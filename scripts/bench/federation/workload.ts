/**
 * What the federation benchmark sends: resolved packs of ten records each (a sea
 * buoy and three energy meters, as in the SenML benchmark), every pack distinct
 * so that its stable item id (a hash of the pack) is too, and the PubSub nodes
 * they go to.
 */
import { Element } from 'ltx';
import { senml } from '../../../lib';
import { dataForm } from '../../../lib/federation/data-form';
import {
  NODE_CONFIG_FORM_TYPE,
  PUBSUB_NS,
  createNodeIq,
  stableItemId,
} from '../../../lib/federation/pubsub';
import { DEFAULT_MAX_ITEMS } from '../../../lib/federation/publisher';
import { resolvedPack } from '../packs';

export const RECORDS_PER_PACK = 10;
export const SERVICE = 'pubsub.sen1.test';

/**
 * Pack `index` of the stream `stream`: ten records, their times moved so that
 * no two packs of any stream are equal. Deterministic: the same arguments give
 * the same bytes.
 */
export function benchPack(stream: number, index: number): senml.ResolvedPack {
  const pack = resolvedPack(RECORDS_PER_PACK, stream * 1_000_003 + index + 1);
  const shift = stream * 100_000_000 + index * 60;
  for (const record of pack) record.t = (record.t ?? 0) + shift;
  return pack;
}

/** Packs prepared before a timed run, with the item ids the Publisher will give them. */
export interface PreparedPacks {
  packs: senml.ResolvedPack[];
  ids: string[];
  indexOf: Map<string, number>;
}

export function preparePacks(stream: number, count: number): PreparedPacks {
  const packs: senml.ResolvedPack[] = [];
  const ids: string[] = [];
  const indexOf = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const pack = benchPack(stream, i);
    const id = stableItemId(pack);
    if (indexOf.has(id))
      throw new Error(
        `benchmark packs ${indexOf.get(id)} and ${i} of stream ${stream} have the same item id`,
      );
    packs.push(pack);
    ids.push(id);
    indexOf.set(id, i);
  }
  return { packs, ids, indexOf };
}

/**
 * How the benchmark's PubSub nodes are configured.
 *
 * - `transient`: pubsub#persist_items = 0. Prosody keeps nothing, so the servers
 *   cost about the same per item all along, and what the clients cost shows.
 * - `persistent`: what the Publisher creates (whitelist, persist_items, the
 *   newest DEFAULT_MAX_ITEMS kept). The test bed keeps PubSub items in SQLite,
 *   so a publish costs the server about the same however full the node is.
 */
export type NodeKind = 'transient' | 'persistent';

export function createBenchNodeIq(
  node: string,
  kind: NodeKind,
  maxItems = DEFAULT_MAX_ITEMS,
): Element {
  if (kind === 'persistent')
    return createNodeIq(SERVICE, node, { accessModel: 'whitelist', persistItems: true, maxItems });
  const iq = new Element('iq', { type: 'set', to: SERVICE });
  const ps = iq.c('pubsub', { xmlns: PUBSUB_NS });
  ps.c('create', { node });
  ps.c('configure').cnode(
    dataForm(
      'submit',
      { 'pubsub#access_model': 'whitelist', 'pubsub#persist_items': '0' },
      { formType: NODE_CONFIG_FORM_TYPE },
    ),
  );
  return iq;
}

let nodeCounter = 0;

/** A node name no earlier run of this process used. */
export function freshNodeName(label: string): string {
  nodeCounter++;
  return `bench-${label}-${process.pid}-${Date.now().toString(36)}-${nodeCounter}`;
}
