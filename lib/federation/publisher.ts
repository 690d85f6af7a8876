import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import { compact } from '../senml/compact';
import type { ResolvedPack } from '../senml/model';
import { toXmlElement } from '../senml/xml';
import type { DurableQueue, QueueItem } from '../store/durable-queue';
import { createNodeIq, publishIq, pubsubErrorCondition, stableItemId } from './pubsub';
import { type Meta, quoaliseDataElement, quoaliseMessage } from './quoalise';
import type { Sentence } from '../errors';
import { type XmppSession, SessionError } from './session';
import {
  FederationBaseError,
  FederationError,
  type MessageArgs,
  type MessageIdOf,
  federationSentence,
} from './errors';
import { readStanzaError } from './stanza-error';

/** Where a pack goes: a PubSub node on any federated domain, or a JID directly (Quoalise). */
export type PublishTarget =
  | {
      mode: 'pubsub';
      service: string;
      node: string;
      createNode?: boolean;
      accessModel?: 'whitelist' | 'open';
      /** Items kept by a node the publisher creates (default 256); the subscribers' catch-up reaches this far back. */
      maxItems?: number;
    }
  | { mode: 'direct'; to: string };

/** One queued publication, as stored in the durable queue (plain JSON). */
export interface Publication {
  target: PublishTarget;
  pack: ResolvedPack;
  meta?: Meta;
  /** Stable for the same pack (PubSub item id), so a re-delivery after a crash is recognisable. */
  itemId: string;
  /** When it was queued (ms since the epoch): how long it has waited, for a release to weigh. */
  queuedAt?: number;
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

/**
 * - PUBLISH_INPUT: the stanza cannot be built (bad meta…): it will never be sent.
 * - PUBLISH_REFUSED: the server answered with an error (`condition`).
 * - PUBLISH_FAILED: no answer (a timeout, a lost connection): the entry stays queued.
 */
export type PublishErrorCode = 'PUBLISH_INPUT' | 'PUBLISH_REFUSED' | 'PUBLISH_FAILED';

export class PublishError extends FederationBaseError {
  declare readonly code: PublishErrorCode;
  /** XMPP error condition, e.g. "forbidden", "item-not-found", or "timeout". */
  readonly condition: string;
  /** true when retrying later may succeed (peer down, timeout, wait-type error). */
  readonly transient: boolean;

  constructor(
    ...[messageId, params, options]: MessageArgs<
      MessageIdOf<PublishErrorCode>,
      { condition: string; transient: boolean; cause?: unknown }
    >
  ) {
    super(messageId, params, options);
    this.name = 'PublishError';
    this.condition = options?.condition ?? 'undefined-condition';
    this.transient = options?.transient ?? false;
  }
}

// Conditions that describe a peer or path that is down, not a refusal (RFC 6120 §8.3.3).
const TRANSIENT_CONDITIONS = new Set([
  'remote-server-not-found',
  'remote-server-timeout',
  'internal-server-error',
  'resource-constraint',
  'recipient-unavailable',
  'timeout',
]);

/** What went wrong with one publication, before it is said for its target. */
interface Failure {
  kind: 'input' | 'refused' | 'failed';
  condition: string;
  transient: boolean;
  /** The service's own condition and text, for a refusal. */
  detail?: string;
  cause?: unknown;
}

function failureOf(err: unknown): Failure {
  // A stanza that cannot be built (bad meta…) will never be sent: a refusal, not a wait.
  if (err instanceof FederationError)
    return { kind: 'input', condition: 'bad-request', transient: false, cause: err };
  const stanzaError = pubsubErrorCondition(err);
  if (stanzaError) {
    const { condition } = stanzaError;
    const detail = [stanzaError.pubsubCondition, stanzaError.text].filter(Boolean).join(': ');
    return {
      kind: 'refused',
      condition,
      transient: stanzaError.type === 'wait' || TRANSIENT_CONDITIONS.has(condition),
      detail: detail || undefined,
    };
  }
  const message = (err as Error)?.message ?? String(err);
  // Timeouts and lost connections: the entry stays queued and goes out later.
  const condition =
    (err as Error)?.name === 'TimeoutError' || /timeout/i.test(message) ? 'timeout' : 'connection';
  return {
    kind: 'failed',
    condition,
    transient: true,
    cause: err instanceof Error ? err : message,
  };
}

function toPublishError(err: unknown, target: PublishTarget): PublishError {
  if (err instanceof PublishError) return err;
  const failure = failureOf(err);
  const { condition, detail } = failure;
  if (target.mode === 'pubsub') {
    const where = { node: target.node, service: target.service };
    if (failure.kind === 'input') return new PublishError('PUBLISH_NODE_INPUT', where, failure);
    if (failure.kind === 'failed') return new PublishError('PUBLISH_NODE_FAILED', where, failure);
    return detail
      ? new PublishError('PUBLISH_NODE_REFUSED_DETAIL', { ...where, condition, detail }, failure)
      : new PublishError('PUBLISH_NODE_REFUSED', { ...where, condition }, failure);
  }
  const where = { to: target.to };
  if (failure.kind === 'input') return new PublishError('PUBLISH_DIRECT_INPUT', where, failure);
  if (failure.kind === 'failed') return new PublishError('PUBLISH_DIRECT_FAILED', where, failure);
  return detail
    ? new PublishError('PUBLISH_DIRECT_REFUSED_DETAIL', { ...where, condition, detail }, failure)
    : new PublishError('PUBLISH_DIRECT_REFUSED', { ...where, condition }, failure);
}

/** How many publications may be awaiting the server's answer at once, by default. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/**
 * Items a node created by the publisher keeps, by default: how far back a subscriber
 * can catch up after an outage, an hour of readings at two packs a second. The
 * ids of that many items still fit, listed, in one stanza between servers
 * (about 60 bytes each against Prosody's 512 kB, see catch-up.ts). Prosody's own
 * bound, pubsub_max_items, is 256 unless its admin raises it.
 */
export const DEFAULT_MAX_ITEMS = 7200;

/** A node created with the service's largest bound, lower than the one asked for. */
export interface CappedEvent {
  service: string;
  node: string;
  asked: number | 'max';
}

/**
 * What of a publication may leave now (consent, see lib/consent's ConsentGate):
 * called just before it is sent, in queue order, and again if it is sent again.
 * Resolves the publication to send (its pack minimised, its meta completed) or
 * undefined when nothing of it may go: the entry is then acknowledged unsent and
 * reported as 'withheld'. A rejection counts as a transient failure.
 */
export type PublicationRelease = (publication: Publication) => Promise<Publication | undefined>;

/** A publication consent held back at send time. */
export interface WithheldEvent {
  publication: Publication;
  seq: number;
}

export interface PublisherOptions {
  /** Consent: what of each publication may leave, decided at send time. */
  release?: PublicationRelease;
  /** How long to wait for the server's answer to one publication (ms, default 15 s). */
  requestTimeoutMs?: number;
  /** Delay before trying again after a transient failure while online (ms, default 5 s). */
  retryMs?: number;
  /** Publications sent before the first of them is answered (default 16; 1 = one at a time). */
  maxInFlight?: number;
}

/** A publication sent and not yet settled: its outcome is undefined (delivered) or the error. */
interface Flight {
  seq: number;
  publication: Publication;
  outcome: Promise<unknown>;
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
 * session is back online or the retry delay has passed.
 *
 * Up to `maxInFlight` publications are on the wire at once (a round trip across
 * two servers costs far more than sending), and their answers are taken in queue
 * order: a server handles one client's stanzas in the order it sent them, so
 * items reach a node in queue order. Entries are acknowledged in that order too;
 * the acknowledgements of answers that arrive together share one disk sync.
 */
export class Publisher extends EventEmitter {
  readonly requestTimeoutMs: number;
  readonly retryMs: number;
  readonly maxInFlight: number;
  readonly release: PublicationRelease | undefined;
  /** Releases run one after the other, in queue order, so that sends keep that order. */
  #lastRelease: Promise<unknown> = Promise.resolve();
  /** Entries the release held back: acknowledged as 'withheld', not 'published'. */
  #withheld = new Set<number>();
  #draining = false;
  #again = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onOnline = (): void => void this.drain();
  #createdNodes = new Set<string>();
  /**
   * Entries delivered whose acknowledgement a failure ahead of them held back:
   * not sent again when the drain resumes (a direct message would arrive twice).
   */
  #delivered = new Set<number>();

  constructor(
    readonly session: XmppSession,
    readonly queue: DurableQueue<Publication>,
    options: PublisherOptions = {},
  ) {
    super();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.retryMs = options.retryMs ?? 5_000;
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
    this.release = options.release;
    session.on('online', this.#onOnline);
  }

  /** Queue a pack durably; resolves once it is on disk, with what the bound pushed out. */
  async publish(
    pack: ResolvedPack,
    target: PublishTarget,
    meta?: Meta,
  ): Promise<{ seq: number; dropped: QueueItem<Publication>[] }> {
    const publication: Publication = {
      target,
      pack,
      itemId: stableItemId(pack),
      queuedAt: Date.now(),
    };
    if (meta !== undefined) publication.meta = meta;
    const pushed = this.queue.push(publication);
    // Sent while its push is being synced: the sync is not in the way of delivery.
    void this.drain();
    return pushed;
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
        await this.#drainPass();
      } while (this.#again && !this.#closed);
    } catch (err) {
      // The queue closed under us (a redeploy) or the disk failed: the entry stays and goes out later.
      if (!this.#closed) this.emit('problem', err);
    } finally {
      this.#draining = false;
    }
    if (!this.#closed && this.queue.isEmpty) this.emit('drained');
  }

  /** One pass: send ahead up to maxInFlight, settle answers in queue order, stop at a transient failure. */
  async #drainPass(): Promise<void> {
    const flights: Flight[] = [];
    let lastSent = 0;
    const oldest = this.queue.peekAfter(0, { unsynced: true })?.seq ?? Number.POSITIVE_INFINITY;
    for (const seq of this.#delivered) if (seq < oldest) this.#delivered.delete(seq); // dropped by the bound meanwhile
    // Acks settle in the order they were made (the queue has one writer): awaiting the last awaits all.
    let lastAck: Promise<unknown> = Promise.resolve();
    const sendAhead = (): void => {
      while (flights.length < this.maxInFlight && this.session.online && !this.#closed) {
        const next = this.queue.peekAfter(lastSent, { unsynced: true });
        if (!next) return;
        lastSent = next.seq;
        flights.push({
          seq: next.seq,
          publication: next.entry,
          outcome: this.#delivered.has(next.seq)
            ? Promise.resolve(undefined)
            : this.#attempt(next.seq, next.entry),
        });
      }
    };
    try {
      for (;;) {
        sendAhead();
        const head = flights[0];
        if (!head || this.#closed) return;
        const failure = await head.outcome;
        if (failure === undefined) {
          flights.shift();
          lastAck = this.#acknowledge(head);
          continue;
        }
        const { publication } = head;
        let cause: unknown = failure;
        try {
          if (await this.#createNodeFor(publication, failure)) {
            // The node exists now: send again whatever failed for want of it, in order.
            for (const flight of flights) {
              if ((await flight.outcome) !== undefined)
                flight.outcome = this.#attempt(flight.seq, flight.publication);
            }
            continue;
          }
        } catch (err) {
          cause = err; // the node could not be created: that is what to report
        }
        const error = toPublishError(cause, publication.target);
        if (error.transient) {
          this.emit('waiting', error);
          // Still online (a peer domain down, a timeout): try again a little later; offline, 'online' will.
          if (this.session.online && !this.#closed) {
            clearTimeout(this.#retryTimer);
            this.#retryTimer = setTimeout(() => void this.drain(), this.retryMs);
          }
          return;
        }
        // A refusal: this entry is done with; the ones behind it keep their answers.
        flights.shift();
        await lastAck; // 'published' of the entries ahead comes before this 'failed'
        await this.queue.ack(head.seq);
        this.emit('failed', { publication, seq: head.seq, error } satisfies FailedEvent);
      }
    } finally {
      // Nothing of this pass is left running when the next one starts or the queue closes.
      await Promise.all(flights.map((flight) => flight.outcome));
      await lastAck;
    }
  }

  /** Send one publication; resolves undefined once delivered (and remembers it), or the error. */
  #attempt(seq: number, publication: Publication): Promise<unknown> {
    return this.#releaseAndSend(seq, publication).then(
      () => {
        this.#delivered.add(seq);
        return undefined;
      },
      (err: unknown) => err ?? new SessionError('SESSION_NOT_SENT'),
    );
  }

  /** Ask the release what may go (in queue order), then send that; nothing when it holds all back. */
  #releaseAndSend(seq: number, publication: Publication): Promise<void> {
    const release = this.release;
    if (!release) return this.#send(publication);
    const released = this.#lastRelease.then(() => release(publication));
    this.#lastRelease = released.catch(() => undefined);
    return released.then((allowed) => {
      if (allowed === undefined) {
        this.#withheld.add(seq);
        return;
      }
      this.#withheld.delete(seq);
      return this.#send(allowed);
    });
  }

  #acknowledge(flight: Flight): Promise<unknown> {
    return this.queue.ack(flight.seq).then(
      () => {
        this.#delivered.delete(flight.seq);
        if (this.#withheld.delete(flight.seq)) {
          this.emit('withheld', {
            publication: flight.publication,
            seq: flight.seq,
          } satisfies WithheldEvent);
          return;
        }
        this.emit('published', {
          publication: flight.publication,
          seq: flight.seq,
        } satisfies PublishedEvent);
      },
      (err: unknown) => {
        if (!this.#closed) this.emit('problem', err);
      },
    );
  }

  /**
   * After item-not-found on a node the publisher may create: create it (once per
   * node and publisher). True when created; false when this failure is not that
   * case; throws the creation's own failure.
   */
  async #createNodeFor(publication: Publication, failure: unknown): Promise<boolean> {
    const { target } = publication;
    if (target.mode !== 'pubsub' || !target.createNode) return false;
    const key = `${target.service}\u0000${target.node}`;
    if (this.#createdNodes.has(key) || readStanzaError(failure)?.condition !== 'item-not-found')
      return false;
    // XEP-0060 §8.1: create the node, persistent and whitelisted (consent decides who is on the list).
    const config = {
      accessModel: target.accessModel ?? 'whitelist',
      persistItems: true,
      maxItems: target.maxItems ?? DEFAULT_MAX_ITEMS,
    } as const;
    try {
      await this.session.iq(
        createNodeIq(target.service, target.node, config),
        this.requestTimeoutMs,
      );
    } catch (err) {
      // A service whose own bound is lower refuses the number (XEP-0060 §8.2.4 has no
      // way to ask for it first): take the service's largest instead.
      if (!isRefusedConfiguration(err)) throw err;
      await this.session.iq(
        createNodeIq(target.service, target.node, { ...config, maxItems: 'max' }),
        this.requestTimeoutMs,
      );
      this.emit('capped', {
        service: target.service,
        node: target.node,
        asked: config.maxItems,
      } satisfies CappedEvent);
    }
    this.#createdNodes.add(key);
    return true;
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
    // Meta (a consent gate's audit proof…) travels with the records as Quoalise data.
    const payload: Element =
      publication.meta === undefined
        ? toXmlElement(compact(publication.pack))
        : quoaliseDataElement(publication.pack, publication.meta);
    await this.session.iq(
      publishIq(target.service, target.node, publication.itemId, payload),
      this.requestTimeoutMs,
    );
  }
}

function isRefusedConfiguration(err: unknown): boolean {
  const condition = readStanzaError(err)?.condition;
  return (
    condition === 'not-acceptable' ||
    condition === 'bad-request' ||
    condition === 'policy-violation'
  );
}

/** Where a pack goes, in words: "publish to <node> on <service>" or "send to <JID>". */
export function targetSentence(target: PublishTarget): Sentence {
  return target.mode === 'pubsub'
    ? federationSentence('PUBLISH_TARGET_NODE', { node: target.node, service: target.service })
    : federationSentence('PUBLISH_TARGET_DIRECT', { to: target.to });
}

/** Where a pack goes, in English. */
export function describeTarget(target: PublishTarget): string {
  return targetSentence(target).message;
}
