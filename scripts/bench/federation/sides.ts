/**
 * The two things the benchmark compares, behind one interface:
 *
 * - "nodes": the engines of the Node-RED nodes. A Publisher with its
 *   DurableQueue on admin@sen1.test publishes to a node on pubsub.sen1.test; a
 *   Subscriber with its SeenItems on bob@sen2.test receives the items through
 *   s2s. Each on its own XmppSession, as in Node-RED.
 * - "bare": @xmpp/client used directly. admin@sen1.test sends the same publish
 *   iqs (same payload: senml.toXmlElement(senml.compact(pack)), same item id),
 *   as many at a time as the run allows; consumer@sen2.test, subscribed to the
 *   node, takes the item ids out of the events. No queue, no files, no dedup.
 *
 * The bare receiver is another sen2 account than bob: events to a bare JID go
 * to all of its resources, and each side would otherwise receive (and pay for)
 * the other's events.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element } from 'ltx';
import { senml } from '../../../lib';
import { Backoff } from '../../../lib/backoff';
import { DurableQueue } from '../../../lib/store/durable-queue';
import { type Publication, Publisher, type PublishTarget } from '../../../lib/federation/publisher';
import {
  PUBSUB_EVENT_NS,
  deleteNodeIq,
  publishIq,
  setAffiliationsIq,
  subscribeIq,
} from '../../../lib/federation/pubsub';
import { SeenItems } from '../../../lib/store/seen-items';
import { XmppSession } from '../../../lib/federation/session';
import { type ReceivedItem, Subscriber } from '../../../lib/federation/subscriber';
import { trustCaForSocket } from '../../../lib/federation/tls-trust';
import { type XmppClient, xmppClientModule } from '../../../lib/federation/xmpp-client';
import { type Bed, account } from './testbed';
import { type NodeKind, SERVICE, createBenchNodeIq } from './workload';

export const NODES_PUBLISHER = 'admin@sen1.test';
export const NODES_SUBSCRIBER = 'bob@sen2.test';
export const BARE_PUBLISHER = 'admin@sen1.test';
export const BARE_SUBSCRIBER = 'consumer@sen2.test';

/** Queue bound of a federation-publish node by default (its "queue size" field). */
export const QUEUE_SIZE = 1000;
/** Ids a Subscriber's SeenItems keeps by default. */
export const SEEN_CAPACITY = 1000;
const IQ_TIMEOUT_MS = 20_000;

/** Called for each item that reaches the receiving side, with the time it arrived. */
export type Arrival = (itemId: string, at: number) => void;

/** One PubSub node, set up for one side: packs go in with send(), come out through the Arrival callback. */
export interface Trial {
  readonly node: string;
  /** Hand one pack over to be published; returns at once. */
  send(pack: senml.ResolvedPack, itemId: string): void;
  /** Packs handed over and not yet done with on the sending side (nodes: in the queue; bare: iqs awaiting their result). */
  inFlight(): number;
  /** Resolves the next time a pack is done with on the sending side. */
  progress(): Promise<void>;
  /** Publish failures so far (a run with any is not reported as a result). */
  readonly failures: string[];
  close(): Promise<void>;
}

export interface Side {
  readonly name: 'nodes' | 'bare';
  openTrial(node: string, kind: NodeKind, onArrival: Arrival): Promise<Trial>;
  close(): Promise<void>;
}

/** The engine classes, replaceable so that a prototype can be measured with the same runs. */
export interface EngineKit {
  DurableQueue: typeof DurableQueue;
  Publisher: typeof Publisher;
  Subscriber: typeof Subscriber;
  SeenItems: typeof SeenItems;
}

export const LIBRARY_KIT: EngineKit = { DurableQueue, Publisher, Subscriber, SeenItems };

function waitEvent(
  emitter: NodeJS.EventEmitter,
  event: string,
  what: string,
  timeoutMs: number,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, listener);
  });
}

/** A SeenItems file already holding `count` ids, as a subscriber that has run for a while has. */
function primeSeenFile(file: string, count: number): void {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      createHash('sha256').update(`primed-${i}`).digest().subarray(0, 16).toString('base64url'),
    );
  writeFileSync(file, JSON.stringify({ ids }));
}

// ------------------------------------------------------------------ nodes

export class NodesSide implements Side {
  readonly name = 'nodes' as const;
  readonly #publisherSession: XmppSession;
  readonly #subscriberSession: XmppSession;
  readonly #kit: EngineKit;
  readonly #dir: string;
  #trials = 0;

  private constructor(
    publisherSession: XmppSession,
    subscriberSession: XmppSession,
    kit: EngineKit,
  ) {
    this.#publisherSession = publisherSession;
    this.#subscriberSession = subscriberSession;
    this.#kit = kit;
    this.#dir = join(tmpdir(), `senfed-bench-${process.pid}`);
    mkdirSync(this.#dir, { recursive: true });
  }

  static async connect(bed: Bed, kit: EngineKit = LIBRARY_KIT): Promise<NodesSide> {
    const online = async (jid: string): Promise<XmppSession> => {
      const session = new XmppSession(
        account(bed, jid),
        new Backoff({ initialMs: 500, maxMs: 3000 }),
      );
      session.on('clientError', () => undefined);
      session.start();
      try {
        await session.waitOnline(60_000);
      } catch (err) {
        await session.stop();
        throw err;
      }
      return session;
    };
    // One login at a time: SCRAM takes the CPU for about a second each, and
    // concurrent logins on this machine run into @xmpp/client's stream timeouts.
    const publisherSession = await online(NODES_PUBLISHER);
    const subscriberSession = await online(NODES_SUBSCRIBER).catch(async (err: unknown) => {
      await publisherSession.stop();
      throw err;
    });
    return new NodesSide(publisherSession, subscriberSession, kit);
  }

  /** Where the queues and seen-item files of the trials live (removed by close()). */
  get directory(): string {
    return this.#dir;
  }

  async openTrial(node: string, kind: NodeKind, onArrival: Arrival): Promise<Trial> {
    const { DurableQueue: Queue, Publisher: Pub, Subscriber: Sub, SeenItems: Seen } = this.#kit;
    const admin = this.#publisherSession;
    await admin.iq(createBenchNodeIq(node, kind), IQ_TIMEOUT_MS);
    await admin.iq(
      setAffiliationsIq(SERVICE, node, [{ jid: NODES_SUBSCRIBER, affiliation: 'member' }]),
      IQ_TIMEOUT_MS,
    );

    const dir = join(this.#dir, `trial-${++this.#trials}`);
    mkdirSync(dir, { recursive: true });
    // As the federation publish node opens it.
    const queue = await Queue.open<Publication>(join(dir, 'queue'), {
      maxEntries: QUEUE_SIZE,
      syncAcks: false,
    });
    const publisher = new Pub(admin, queue);
    const failures: string[] = [];
    publisher.on('failed', (event: { error: Error }) => failures.push(event.error.message));
    publisher.on('problem', (err: Error) => failures.push(err.message));
    // A transient error stops the drain until the session comes back: in a run, that is a failure.
    publisher.on('waiting', (err: Error) => failures.push(`stopped sending: ${err.message}`));
    const seenFile = join(dir, 'seen.json');
    primeSeenFile(seenFile, SEEN_CAPACITY);
    const subscriber = new Sub(
      this.#subscriberSession,
      SERVICE,
      node,
      new Seen(seenFile, SEEN_CAPACITY),
    );
    subscriber.on('problem', (err: Error) => failures.push(`subscriber problem: ${err.message}`));
    subscriber.on('invalid', (err: Error) => failures.push(`invalid item: ${err.message}`));
    subscriber.on('item', (item: ReceivedItem) => onArrival(item.itemId, performance.now()));
    await waitEvent(
      subscriber,
      'subscribed',
      `the subscription of ${NODES_SUBSCRIBER} to ${node}`,
      IQ_TIMEOUT_MS,
    );
    // Let the catch-up query after the subscription finish before timing starts.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const target: PublishTarget = { mode: 'pubsub', service: SERVICE, node, createNode: false };
    return {
      node,
      failures,
      send(pack) {
        publisher.publish(pack, target).catch((err: Error) => failures.push(err.message));
      },
      inFlight: () => publisher.pending,
      progress: () =>
        new Promise<void>((resolve) => {
          const done = (): void => {
            publisher.off('published', done);
            publisher.off('failed', done);
            publisher.off('waiting', done);
            resolve();
          };
          publisher.on('published', done);
          publisher.on('failed', done);
          publisher.on('waiting', done);
        }),
      close: async () => {
        subscriber.close();
        await publisher.close();
        await admin.iq(deleteNodeIq(SERVICE, node), IQ_TIMEOUT_MS).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#publisherSession.stop(), this.#subscriberSession.stop()]);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ bare

/** Log in with @xmpp/client alone, trusting the test bed's CA on this client's socket only. */
export async function bareClient(bed: Bed, jid: string): Promise<XmppClient> {
  const user = bed.users[jid];
  if (!user) throw new Error(`no test bed user ${jid}`);
  const server = bed.servers[user.server];
  const ca = readFileSync(bed.caFile, 'utf8');
  const { client: createClient, xml } = xmppClientModule();
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const client = createClient({
      service: server.service,
      domain: user.domain,
      username: user.username,
      password: user.password,
    });
    client.reconnect.stop();
    client.on('error', (err: unknown) => {
      lastError = err;
    });
    client.on('status', (status: string) => {
      if (status === 'connect' && client.socket) trustCaForSocket(client.socket as object, ca);
    });
    try {
      await client.start();
      await client.send(xml('presence'));
      return client;
    } catch (err) {
      lastError = err;
      await client.stop().catch(() => undefined);
    }
  }
  throw new Error(
    `bare login as ${jid} failed: ${(lastError as Error)?.message ?? String(lastError)}`,
  );
}

function itemIdsOfEvent(stanza: Element, node: string): string[] | undefined {
  if (stanza.name !== 'message') return undefined;
  const items = stanza.getChild('event', PUBSUB_EVENT_NS)?.getChild('items');
  if (!items || items.attrs.node !== node) return undefined;
  return items.getChildren('item').map((item) => String(item.attrs.id));
}

export class BareSide implements Side {
  readonly name = 'bare' as const;
  readonly #publisher: XmppClient;
  readonly #subscriber: XmppClient;

  private constructor(publisher: XmppClient, subscriber: XmppClient) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
  }

  static async connect(bed: Bed): Promise<BareSide> {
    const publisher = await bareClient(bed, BARE_PUBLISHER);
    const subscriber = await bareClient(bed, BARE_SUBSCRIBER).catch(async (err: unknown) => {
      await publisher.stop().catch(() => undefined);
      throw err;
    });
    return new BareSide(publisher, subscriber);
  }

  async openTrial(node: string, kind: NodeKind, onArrival: Arrival): Promise<Trial> {
    const publisher = this.#publisher;
    const subscriber = this.#subscriber;
    await publisher.iqCaller.request(createBenchNodeIq(node, kind), IQ_TIMEOUT_MS);
    await publisher.iqCaller.request(
      setAffiliationsIq(SERVICE, node, [{ jid: BARE_SUBSCRIBER, affiliation: 'member' }]),
      IQ_TIMEOUT_MS,
    );
    await subscriber.iqCaller.request(subscribeIq(SERVICE, node, BARE_SUBSCRIBER), IQ_TIMEOUT_MS);
    const onStanza = (stanza: Element): void => {
      const ids = itemIdsOfEvent(stanza, node);
      if (!ids) return;
      const at = performance.now();
      for (const id of ids) onArrival(id, at);
    };
    subscriber.on('stanza', onStanza);

    let outstanding = 0;
    let waiters: (() => void)[] = [];
    const failures: string[] = [];
    const settle = (): void => {
      outstanding--;
      const waiting = waiters;
      waiters = [];
      for (const wake of waiting) wake();
    };
    return {
      node,
      failures,
      send(pack, itemId) {
        outstanding++;
        publisher.iqCaller
          .request(
            publishIq(SERVICE, node, itemId, senml.toXmlElement(senml.compact(pack))),
            IQ_TIMEOUT_MS,
          )
          .then(settle, (err: Error) => {
            failures.push(err.message);
            settle();
          });
      },
      inFlight: () => outstanding,
      progress: () => new Promise<void>((resolve) => waiters.push(resolve)),
      close: async () => {
        subscriber.off('stanza', onStanza);
        await publisher.iqCaller
          .request(deleteNodeIq(SERVICE, node), IQ_TIMEOUT_MS)
          .catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#publisher.stop(), this.#subscriber.stop()]);
  }
}
