import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import { type SenmlRecord, SenmlError } from '../senml';
import { recordsFromElement, SENML_XML_NAMESPACE } from '../senml/xml';
import { itemsIq, type PubsubItem, parseEventMessage, parseItemsResult, subscribeIq } from './pubsub';
import { type Meta, parseQuoaliseMessage } from './quoalise';
import type { SeenItems } from './seen-items';
import type { XmppSession } from './session';
import { readStanzaError } from './stanza-error';

export interface ReceivedItem {
  service: string;
  node: string;
  itemId: string;
  /** Records as carried in the item (JSON form, unresolved). */
  records: SenmlRecord[];
  publisher?: string;
}

export interface ReceivedData {
  from: string;
  records: SenmlRecord[];
  meta: Meta;
}

function sensmlOf(payload: Element | undefined): Element | undefined {
  return payload && payload.getName() === 'sensml' && payload.getNS() === SENML_XML_NAMESPACE ? payload : undefined;
}

/**
 * Follows one PubSub node on any federated domain: subscribes when the session
 * comes online, outputs the items published while it was away (those after the
 * newest one it had output, in publication order), then each live event, each
 * item once. Items that carry no SenML are reported as 'invalid'.
 */
export class Subscriber extends EventEmitter {
  #catchingUp = false;
  #buffered: Element[] = [];
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  /** Delay before subscribing again after a refusal or a failure. */
  retryMs = 30_000;
  readonly #onOnline = (): void => void this.#resume();
  readonly #onStanza = (stanza: Element): void => this.#handle(stanza);

  constructor(
    readonly session: XmppSession,
    readonly service: string,
    readonly node: string,
    readonly seen: SeenItems,
    readonly requestTimeoutMs = 15_000,
  ) {
    super();
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

  async #resume(): Promise<void> {
    if (this.#catchingUp || this.#closed || !this.session.online) return;
    this.#catchingUp = true;
    try {
      if (!this.seen.known) {
        // First time on this node: what is there before we subscribe is history, not news.
        // Taken before subscribing, so that an item published in between is not mistaken for history.
        const history = await this.#items();
        this.seen.add(history.map((item) => item.id).filter((id): id is string => id !== undefined));
      }
      // Subscribing again is harmless: the service keeps one subscription (XEP-0060 §6.1).
      await this.session.iq(subscribeIq(this.service, this.node, this.session.bareJid), this.requestTimeoutMs);
      this.emit('subscribed');
      const items = await this.#items();
      // Items come oldest first; whatever follows the newest one already output is new.
      const start = this.seen.lastSeenIndex(items.map((item) => item.id)) + 1;
      this.#output(items.slice(start));
    } catch (err) {
      this.emit('problem', err);
      // A refusal now (not yet a member, node not created yet) may be lifted later: ask again.
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => void this.#resume(), this.retryMs);
    } finally {
      this.#catchingUp = false;
    }
    const buffered = this.#buffered.splice(0);
    for (const stanza of buffered) this.#handle(stanza);
  }

  async #items(): Promise<PubsubItem[]> {
    try {
      return parseItemsResult(await this.session.iq(itemsIq(this.service, this.node), this.requestTimeoutMs))?.items ?? [];
    } catch (err) {
      // A node that keeps no items (transient, XEP-0060 §6.5.9.6) has nothing to catch up: live events only.
      if (readStanzaError(err)?.condition === 'feature-not-implemented') return [];
      throw err;
    }
  }

  #handle(stanza: Element): void {
    if (this.#closed) return;
    const data = parseQuoaliseSafely(stanza, (err) => this.emit('invalid', err));
    if (data) {
      this.emit('data', data);
      return;
    }
    let event;
    try {
      event = parseEventMessage(stanza);
    } catch (err) {
      this.emit('invalid', err);
      return;
    }
    if (!event || event.service !== this.service || event.node !== this.node || event.kind !== 'items') return;
    if (this.#catchingUp) {
      this.#buffered.push(stanza);
      return;
    }
    this.#output(event.items);
  }

  #output(items: readonly PubsubItem[]): void {
    for (const item of items) {
      if (item.id === undefined || this.seen.has(item.id)) continue;
      const sensml = sensmlOf(item.payload);
      this.seen.add([item.id]);
      if (!sensml) {
        this.emit('invalid', new SenmlError('SENML_SHAPE', `item ${item.id} of ${this.node} on ${this.service} holds no <sensml> element`));
        continue;
      }
      let records: SenmlRecord[];
      try {
        records = recordsFromElement(sensml);
      } catch (err) {
        this.emit('invalid', err);
        continue;
      }
      const received: ReceivedItem = { service: this.service, node: this.node, itemId: item.id, records };
      if (item.publisher !== undefined) received.publisher = item.publisher;
      this.emit('item', received);
    }
  }
}

function parseQuoaliseSafely(stanza: Element, onError: (err: unknown) => void): ReceivedData | undefined {
  try {
    const message = parseQuoaliseMessage(stanza);
    if (!message) return undefined;
    return { from: message.from ?? '', records: message.records, meta: message.meta };
  } catch (err) {
    onError(err);
    return undefined;
  }
}
