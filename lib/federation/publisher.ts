import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import { compact } from '../senml/compact';
import type { ResolvedPack } from '../senml/model';
import { toXmlElement } from '../senml/xml';
import type { DurableQueue, QueueItem } from './durable-queue';
import { createNodeIq, publishIq, pubsubErrorCondition, stableItemId } from './pubsub';
import { type Meta, quoaliseMessage } from './quoalise';
import type { XmppSession } from './session';
import { FederationError } from './errors';
import { readStanzaError } from './stanza-error';

/** Where a pack goes: a PubSub node on any federated domain, or a JID directly (Quoalise). */
export type PublishTarget =
  | { mode: 'pubsub'; service: string; node: string; createNode?: boolean; accessModel?: 'whitelist' | 'open' }
  | { mode: 'direct'; to: string };

/** One queued publication, as stored in the durable queue (plain JSON). */
export interface Publication {
  target: PublishTarget;
  pack: ResolvedPack;
  meta?: Meta;
  /** Stable for the same pack (PubSub item id), so a re-delivery after a crash is recognisable. */
  itemId: string;
}

export interface PublishedEvent {
  publication: Publication;
  seq: number;
}

export interface FailedEvent {
  publication: Publication;
  seq: number;
  error: PublishError;
}

export class PublishError extends Error {
  constructor(
    message: string,
    /** XMPP error condition, e.g. "forbidden", "item-not-found", or "timeout". */
    readonly condition: string,
    /** true when retrying later may succeed (peer down, timeout, wait-type error). */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

// Conditions that describe a peer or path that is down, not a refusal (RFC 6120 §8.3.3).
const TRANSIENT_CONDITIONS = new Set(['remote-server-not-found', 'remote-server-timeout', 'internal-server-error', 'resource-constraint', 'recipient-unavailable', 'timeout']);

function toPublishError(err: unknown, what: string): PublishError {
  if (err instanceof PublishError) return err;
  // A stanza that cannot be built (bad meta…) will never be sent: a refusal, not a wait.
  if (err instanceof FederationError) return new PublishError(`${what}: ${err.message}`, 'bad-request', false);
  const stanzaError = readStanzaError((err as { element?: unknown })?.element ?? err);
  if (stanzaError) {
    const pubsub = pubsubErrorCondition((err as { element?: unknown })?.element ?? err);
    const condition = stanzaError.condition ?? 'undefined-condition';
    const detail = [pubsub?.pubsubCondition, stanzaError.text].filter(Boolean).join(': ');
    const transient = stanzaError.type === 'wait' || TRANSIENT_CONDITIONS.has(condition);
    return new PublishError(`${what}: ${condition}${detail ? ` (${detail})` : ''}`, condition, transient);
  }
  const message = (err as Error)?.message ?? String(err);
  // Timeouts and lost connections: the entry stays queued and goes out later.
  return new PublishError(`${what}: ${message}`, /timeout/i.test(message) ? 'timeout' : 'connection', true);
}

/**
 * Sends queued publications in order, once each, whenever the session is online.
 *
 * `publish()` puts a pack in the durable queue first, so nothing is lost if the
 * peer or the connection is down or Node-RED restarts; the queue is drained in
 * order. An entry is removed only after the server confirmed it (PubSub) or the
 * stanza was handed to the connection (direct messages have no receipt). A
 * refusal that retrying will not cure (forbidden, bad-request…) removes the entry
 * and is reported as 'failed'; anything transient stops the drain until the
 * session is back online or `retry()` is called.
 */
export class Publisher extends EventEmitter {
  #draining = false;
  #again = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onOnline = (): void => void this.drain();
  #createdNodes = new Set<string>();

  constructor(
    readonly session: XmppSession,
    readonly queue: DurableQueue<Publication>,
    readonly requestTimeoutMs = 15_000,
    /** Delay before trying again after a transient failure while online. */
    readonly retryMs = 5_000,
  ) {
    super();
    session.on('online', this.#onOnline);
  }

  /** Queue a pack durably; resolves once it is on disk, with what the bound pushed out. */
  async publish(pack: ResolvedPack, target: PublishTarget, meta?: Meta): Promise<{ seq: number; dropped: QueueItem<Publication>[] }> {
    const publication: Publication = { target, pack, itemId: stableItemId(pack) };
    if (meta !== undefined) publication.meta = meta;
    const report = await this.queue.push(publication);
    void this.drain();
    return report;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Send what is queued, in order, while online. Safe to call at any time; never rejects. */
  async drain(): Promise<void> {
    if (this.#closed) return;
    if (this.#draining) {
      // A reconnection (or a new pack) while a pass is under way: run another pass after it.
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        await this.#drainQueue();
      } while (this.#again && !this.#closed);
    } catch (err) {
      // The queue closed under us (a redeploy) or the disk failed: the entry stays and goes out later.
      if (!this.#closed) this.emit('problem', err);
    } finally {
      this.#draining = false;
    }
    if (!this.#closed && this.queue.isEmpty) this.emit('drained');
  }

  async #drainQueue(): Promise<void> {
    while (!this.#closed && this.session.online) {
      const next = this.queue.peek();
      if (!next) break;
      try {
        await this.#send(next.entry);
      } catch (err) {
        const error = toPublishError(err, describeTarget(next.entry.target));
        if (error.transient) {
          this.emit('waiting', error);
          // Still online (a peer domain down, a timeout): try again a little later; offline, 'online' will.
          if (this.session.online) {
            clearTimeout(this.#retryTimer);
            this.#retryTimer = setTimeout(() => void this.drain(), this.retryMs);
          }
          break;
        }
        await this.queue.ack(next.seq);
        this.emit('failed', { publication: next.entry, seq: next.seq, error } satisfies FailedEvent);
        continue;
      }
      await this.queue.ack(next.seq);
      this.emit('published', { publication: next.entry, seq: next.seq } satisfies PublishedEvent);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.session.off('online', this.#onOnline);
    await this.queue.close();
  }

  async #send(publication: Publication): Promise<void> {
    const { target } = publication;
    if (target.mode === 'direct') {
      await this.session.send(quoaliseMessage(target.to, publication.pack, publication.meta));
      return;
    }
    const payload: Element = toXmlElement(compact(publication.pack));
    const publish = (): Promise<Element> => this.session.iq(publishIq(target.service, target.node, publication.itemId, payload), this.requestTimeoutMs);
    try {
      await publish();
    } catch (err) {
      const key = `${target.service}\u0000${target.node}`;
      const condition = readStanzaError((err as { element?: unknown })?.element ?? err)?.condition;
      if (condition !== 'item-not-found' || !target.createNode || this.#createdNodes.has(key)) throw err;
      // XEP-0060 §8.1: create the node, persistent and whitelisted (consent decides who is on the list).
      await this.session.iq(
        createNodeIq(target.service, target.node, { accessModel: target.accessModel ?? 'whitelist', persistItems: true, maxItems: 'max' }),
        this.requestTimeoutMs,
      );
      this.#createdNodes.add(key);
      await publish();
    }
  }
}

export function describeTarget(target: PublishTarget): string {
  return target.mode === 'pubsub' ? `publish to ${target.node} on ${target.service}` : `send to ${target.to}`;
}
