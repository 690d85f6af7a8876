import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import { type SenmlRecord, resolve } from '../senml';
import { recordsFromElement, SENML_XML_NAMESPACE } from '../senml/xml';
import {
  type CatchUpLimits,
  DEFAULT_CATCH_UP_LIMITS,
  type NodeReader,
  itemsAfterLastSeen,
} from './catch-up';
import { commandIq, parseCommandResult } from './adhoc';
import { discoItemsIq, parseDiscoItems } from './discovery';
import { readReply } from './requester';
import { FederationError } from './errors';
import {
  itemsIq,
  type PubsubItem,
  parseAffiliationNotice,
  parseEventMessage,
  parseItemsResult,
  subscribeIq,
} from './pubsub';
import { type Meta, QUOALISE_NS, parseQuoaliseElement, parseQuoaliseMessage } from './quoalise';
import type { SeenItems } from '../store/seen-items';
import { bareJid } from '../store/subscriber-registry';
import { SenderList } from './senders';
import type { XmppSession } from './session';
import { readStanzaError } from './stanza-error';

export interface ReceivedItem {
  service: string;
  node: string;
  itemId: string;
  /** Records as carried in the item (JSON form, unresolved). */
  records: SenmlRecord[];
  publisher?: string;
  /** The item's Quoalise `<meta>`, when it came as Quoalise data (a publisher with a consent store sends its audit proof there). */
  meta?: Meta;
}

export interface ReceivedData {
  from: string;
  records: SenmlRecord[];
  meta: Meta;
}

/**
 * The newest item output earlier is no longer on the node, which keeps only its
 * newest items: those published between it and the oldest still kept may be lost.
 * PubSub numbers no item, so how many is not known; the times say how long.
 */
export interface CatchUpGap {
  service: string;
  node: string;
  /** The newest item output before, and the time of its readings (seconds), if known. */
  lastSeen: { id: string; time?: number } | undefined;
  /** The oldest item the node still keeps, and the time of its first reading (seconds). */
  oldestKept: { id: string; time?: number } | undefined;
  /** How many items the node keeps now. */
  kept: number;
}

export interface SubscriberOptions {
  /** Timeout of each request to the service. Default 15 s. */
  requestTimeoutMs?: number;
  /**
   * Who may push Quoalise data to the account (XEP-0050 providers, other
   * organisations): output as 'data'; others are refused ('refused', with their
   * JID). Default: nobody.
   */
  quoaliseFrom?: SenderList;
  /**
   * A live event after a silence is checked against the node before it is output:
   * across a server restart, a server may deliver events out of order or lose
   * some, and the node's own order then decides. A silence counts when it is at
   * least this long and ten times the usual spacing of events (or longer than 5 s,
   * a slow stream's every event). Default 200 ms.
   */
  quietMs?: number;
  /** How catch-up asks for items (see catch-up.ts). */
  catchUpLimits?: CatchUpLimits;
  /**
   * The full JID of the node's publisher, to ask for access when the service
   * refuses the subscription (a whitelist node and no membership yet): the
   * ad-hoc command request_access, once per subscriber, answered 'access' with
   * its status (member, requested, refused). The subscriber goes on asking the
   * service, and gets in once the publisher makes it a member.
   */
  askAccessOf?: string;
}

/** The command a publisher with a consent store answers (lib/consent/access-command.ts). */
export const REQUEST_ACCESS_COMMAND = 'request_access';

/** What the publisher said to a request for access. */
export interface AccessAnswer {
  service: string;
  node: string;
  /** member, requested or refused, as the publisher said. */
  status: string;
  /** The purpose its consent would be for, when it says. */
  purpose?: string;
}

/** The refusals of a subscription that a membership would lift (XEP-0060 §6.1.3.4 whitelist, §6.1.3.2 presence…). */
const REFUSED_FOR_MEMBERSHIP = new Set([
  'forbidden',
  'not-authorized',
  'not-allowed',
  'registration-required',
]);

/** Events further apart than this are each checked against the node (see SubscriberOptions.quietMs). */
const SLOW_STREAM_MS = 5000;

/**
 * The records of an item's payload, and its meta: a `<sensml>` element, or
 * Quoalise data (`<quoalise><data><meta/><sensml/></data></quoalise>`, what a
 * publisher sends to carry meta with the records). Undefined for anything else;
 * a payload that is one of these but unreadable throws.
 */
function payloadOf(
  payload: Element | undefined,
): { records: SenmlRecord[]; meta?: Meta } | undefined {
  if (!payload) return undefined;
  if (payload.getName() === 'sensml' && payload.getNS() === SENML_XML_NAMESPACE)
    return { records: recordsFromElement(payload) };
  if (payload.getName() === 'quoalise' && payload.getNS() === QUOALISE_NS)
    return parseQuoaliseElement(payload);
  return undefined;
}

/** Earliest and latest reading times of records, or undefined when they do not resolve. */
function timesOf(records: readonly SenmlRecord[]): { first: number; last: number } | undefined {
  try {
    const resolved = resolve(records, { strict: false });
    return resolved.length === 0
      ? undefined
      : { first: resolved[0].t, last: resolved[resolved.length - 1].t };
  } catch {
    return undefined;
  }
}

function readingTimes(item: PubsubItem): { first: number; last: number } | undefined {
  try {
    const read = payloadOf(item.payload);
    return read && timesOf(read.records);
  } catch {
    return undefined;
  }
}

/**
 * Follows one PubSub node on any federated domain: subscribes when the session
 * comes online, outputs the items published while it was away (those after the
 * newest one it had output, in the node's order), then each live event, each
 * item once. Items that carry no SenML are reported as 'invalid'.
 *
 * Live events that arrive while it catches up are held, then dropped if catch-up
 * output them. A live event after a silence is checked the same way first
 * (`quietMs`): a server that restarted may have lost events or deliver them out
 * of order, and the node keeps the true order. When the newest item output before
 * has left the node, 'gap' says since when items may be missing.
 */
export class Subscriber extends EventEmitter {
  #catchingUp = false;
  #buffered: Element[] = [];
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  /** When the last live event of the node arrived (or a catch-up ended), and the usual spacing of events. */
  #lastEventAt = 0;
  #typicalGapMs: number | undefined;
  readonly #requestTimeoutMs: number;
  readonly #quoaliseFrom: SenderList;
  readonly #quietMs: number;
  readonly #limits: CatchUpLimits;
  readonly #askAccessOf: string | undefined;
  #askedAccess = false;
  /** Delay before subscribing again after a refusal or a failure. */
  retryMs = 30_000;
  readonly #onOnline = (): void => void this.#resume();
  readonly #onStanza = (stanza: Element): void => this.#handle(stanza);

  constructor(
    readonly session: XmppSession,
    readonly service: string,
    readonly node: string,
    readonly seen: SeenItems,
    options: SubscriberOptions = {},
  ) {
    super();
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#quoaliseFrom = options.quoaliseFrom ?? SenderList.nobody;
    this.#quietMs = options.quietMs ?? 200;
    this.#limits = options.catchUpLimits ?? DEFAULT_CATCH_UP_LIMITS;
    this.#askAccessOf = options.askAccessOf;
    session.on('online', this.#onOnline);
    session.on('stanza', this.#onStanza);
    if (session.online) void this.#resume();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.session.off('online', this.#onOnline);
    this.session.off('stanza', this.#onStanza);
    this.seen.close();
  }

  get #follows(): boolean {
    return this.service !== '' && this.node !== '';
  }

  async #resume(): Promise<void> {
    if (!this.#follows || this.#catchingUp || this.#closed || !this.session.online) return;
    this.#catchingUp = true;
    try {
      if (!this.seen.known) {
        // First time on this node: what is there before we subscribe is history, not news.
        // Taken before subscribing, so that an item published in between is not mistaken for history;
        // the newest few suffice to tell later items from it.
        const history = await this.#newest(this.#limits.firstBatch);
        this.seen.add(
          history.map((item) => item.id).filter((id): id is string => id !== undefined),
          this.#lastOutputOf(history),
        );
      }
      // Subscribing again is harmless: the service keeps one subscription (XEP-0060 §6.1).
      await this.session.iq(
        subscribeIq(this.service, this.node, this.session.bareJid),
        this.#requestTimeoutMs,
      );
      this.emit('subscribed');
      await this.#catchUp();
    } catch (err) {
      this.emit('problem', err);
      const condition = readStanzaError(err)?.condition;
      if (condition !== undefined && REFUSED_FOR_MEMBERSHIP.has(condition)) void this.#askAccess();
      // A refusal now (not yet a member, node not created yet) may be lifted later: ask again.
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.#resume(), this.retryMs);
    } finally {
      this.#endCatchUp();
    }
  }

  /**
   * An affiliation notice (XEP-0060 §8.9.4) that this account is now a member of
   * the node, from its service or from the publisher asked for access: subscribe
   * at once rather than at the next try.
   */
  #madeMember(stanza: Element): boolean {
    const notice = parseAffiliationNotice(stanza);
    if (notice === undefined) return false;
    const from = notice.from === undefined ? undefined : bareJid(notice.from);
    const trusted =
      from === this.service ||
      (this.#askAccessOf !== undefined && from === bareJid(this.#askAccessOf));
    if (
      trusted &&
      this.#follows &&
      notice.node === this.node &&
      (notice.service ?? this.service) === this.service &&
      notice.affiliation !== 'none' &&
      notice.affiliation !== 'outcast'
    ) {
      clearTimeout(this.#retry);
      void this.#resume();
    }
    return true;
  }

  /** Ask the publisher for access (request_access), once. */
  async #askAccess(): Promise<void> {
    const owner = this.#askAccessOf;
    if (owner === undefined || this.#askedAccess || this.#closed) return;
    this.#askedAccess = true;
    try {
      const answer = await this.session.iq(
        commandIq(owner, REQUEST_ACCESS_COMMAND, { service: this.service, node: this.node }),
        this.#requestTimeoutMs,
      );
      readReply(answer, REQUEST_ACCESS_COMMAND, owner);
      const fields = parseCommandResult(answer)?.form?.fields ?? {};
      const first = (value: string | string[] | undefined): string | undefined =>
        Array.isArray(value) ? value[0] : value;
      const access: AccessAnswer = {
        service: this.service,
        node: this.node,
        status: first(fields.status) ?? 'unknown',
      };
      const purpose = first(fields.purpose);
      if (purpose) access.purpose = purpose;
      this.emit('access', access);
    } catch (err) {
      this.#askedAccess = false; // asked again at the next refusal
      this.emit('problem', err);
    }
  }

  /** A live event after a silence: the node decides what comes out, and in which order. */
  async #verify(): Promise<void> {
    this.#catchingUp = true;
    try {
      await this.#catchUp();
    } catch (err) {
      // The node cannot be asked now: output the events held as they came, rather than hold them.
      this.emit('problem', err);
    } finally {
      this.#endCatchUp();
    }
  }

  #endCatchUp(): void {
    this.#catchingUp = false;
    this.#lastEventAt = Date.now();
    const buffered = this.#buffered.splice(0);
    for (const stanza of buffered) this.#handle(stanza);
  }

  async #catchUp(): Promise<void> {
    const reader: NodeReader = {
      newest: (max) => this.#newest(max),
      listIds: () => this.#listIds(),
      byIds: (ids) => this.#items({ itemIds: ids }),
    };
    const before = this.seen.last;
    const result = await itemsAfterLastSeen(reader, this.seen, this.#limits);
    if (result.lastSeenGone && before !== undefined) {
      const oldest = result.items[0];
      const times = oldest ? readingTimes(oldest) : undefined;
      const gap: CatchUpGap = {
        service: this.service,
        node: this.node,
        lastSeen: { id: before.id, time: before.time },
        oldestKept: oldest?.id === undefined ? undefined : { id: oldest.id, time: times?.first },
        kept: result.kept ?? result.items.length,
      };
      this.emit('gap', gap);
    }
    if (this.#closed) return;
    this.#output(result.items);
  }

  #newest(max: number): Promise<PubsubItem[]> {
    return this.#items({ maxItems: max });
  }

  async #items(query: { maxItems?: number; itemIds?: readonly string[] }): Promise<PubsubItem[]> {
    try {
      return (
        parseItemsResult(
          await this.session.iq(itemsIq(this.service, this.node, query), this.#requestTimeoutMs),
        )?.items ?? []
      );
    } catch (err) {
      // A node that keeps no items (transient, XEP-0060 §6.5.9.6) has nothing to catch up: live events only.
      if (readStanzaError(err)?.condition === 'feature-not-implemented') return [];
      throw err;
    }
  }

  async #listIds(): Promise<string[]> {
    const items =
      parseDiscoItems(
        await this.session.iq(discoItemsIq(this.service, this.node), this.#requestTimeoutMs),
      ) ?? [];
    return items
      .map((item) => item.name)
      .filter((name): name is string => typeof name === 'string' && name !== '');
  }

  #lastOutputOf(items: readonly PubsubItem[]): { id: string; time: number } | undefined {
    const newest = items[items.length - 1];
    if (newest?.id === undefined) return undefined;
    const times = readingTimes(newest);
    return times === undefined ? undefined : { id: newest.id, time: times.last };
  }

  #handle(stanza: Element): void {
    if (this.#closed) return;
    if (this.#quoalise(stanza)) return;
    if (this.#madeMember(stanza)) return;
    let event;
    try {
      event = parseEventMessage(stanza);
    } catch (err) {
      this.emit('invalid', err);
      return;
    }
    if (
      !this.#follows ||
      !event ||
      event.service !== this.service ||
      event.node !== this.node ||
      event.kind !== 'items'
    )
      return;
    if (this.#catchingUp) {
      this.#buffered.push(stanza);
      return;
    }
    const now = Date.now();
    const silence = now - this.#lastEventAt;
    const typical = this.#typicalGapMs;
    // A silence much longer than the usual spacing of events (a server down for a moment), or any
    // event of a slow stream (a reading every few seconds or more: one small request each).
    const suspicious =
      silence >= this.#quietMs &&
      (typical === undefined || silence > 10 * typical || silence > SLOW_STREAM_MS);
    // The usual spacing, learnt from ordinary silences only.
    this.#typicalGapMs =
      typical === undefined ? silence : 0.9 * typical + 0.1 * Math.min(silence, 10 * typical);
    this.#lastEventAt = now;
    if (suspicious && this.seen.known) {
      this.#buffered.push(stanza);
      void this.#verify();
      return;
    }
    this.#output(event.items);
  }

  /** Quoalise data pushed to the account: output if its sender is accepted. Whether the stanza was Quoalise. */
  #quoalise(stanza: Element): boolean {
    let message;
    try {
      message = parseQuoaliseMessage(stanza);
    } catch (err) {
      // Only an accepted sender's broken data is worth a warning; anyone else's is refused as it is.
      if (this.#quoaliseFrom.accepts(stanza.attrs?.from as string | undefined))
        this.emit('invalid', err);
      else this.emit('refused', String(stanza.attrs?.from ?? ''));
      return true;
    }
    if (!message) return false;
    if (!this.#quoaliseFrom.accepts(message.from)) {
      this.emit('refused', message.from ?? '');
      return true;
    }
    const data: ReceivedData = {
      from: message.from ?? '',
      records: message.records,
      meta: message.meta,
    };
    this.emit('data', data);
    return true;
  }

  #output(items: readonly PubsubItem[]): void {
    for (const item of items) {
      if (item.id === undefined || this.seen.has(item.id)) continue;
      let read: { records: SenmlRecord[]; meta?: Meta } | undefined;
      try {
        read = payloadOf(item.payload);
      } catch (err) {
        this.seen.add([item.id]);
        this.emit('invalid', err);
        continue;
      }
      if (!read) {
        this.seen.add([item.id]);
        this.emit(
          'invalid',
          new FederationError('FEDERATION_ITEM_NO_SENML', {
            itemId: item.id,
            node: this.node,
            service: this.service,
          }),
        );
        continue;
      }
      const { records } = read;
      const times = timesOf(records);
      this.seen.add([item.id], times === undefined ? undefined : { id: item.id, time: times.last });
      const received: ReceivedItem = {
        service: this.service,
        node: this.node,
        itemId: item.id,
        records,
      };
      if (item.publisher !== undefined) received.publisher = item.publisher;
      if (read.meta !== undefined) received.meta = read.meta;
      this.emit('item', received);
    }
  }
}
