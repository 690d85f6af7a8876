import { type CanonicalProblem, canonicalJson } from '../canonical-json';
import { createHash } from 'node:crypto';
import type { Element } from 'ltx';
import type { ResolvedPack } from '../senml';
import { type FieldValue, dataForm } from './data-form';
import { FederationError } from './errors';
import {
  asStanza,
  attr,
  childElements,
  childNamed,
  element,
  gotParams,
  localName,
  namespaceOf,
  nonEmptyAttr,
  ownPayload,
  textOf,
  xmlText,
} from './elements';
import { type StanzaErrorSummary, readProtocolError } from './stanza-error';

/**
 * XEP-0060 Publish-Subscribe (version 1.30.0): stanza builders and parsers.
 * Section numbers below are that version's. Builders leave the iq `id` to the
 * caller's iqCaller, which sets one.
 */
export const PUBSUB_NS = 'http://jabber.org/protocol/pubsub';
export const PUBSUB_OWNER_NS = 'http://jabber.org/protocol/pubsub#owner';
export const PUBSUB_EVENT_NS = 'http://jabber.org/protocol/pubsub#event';
export const PUBSUB_ERRORS_NS = 'http://jabber.org/protocol/pubsub#errors';
/** FORM_TYPE of node configuration forms (§17.4.4). */
export const NODE_CONFIG_FORM_TYPE = 'http://jabber.org/protocol/pubsub#node_config';
/** FORM_TYPE of publish options (§7.1.5). */
export const PUBLISH_OPTIONS_FORM_TYPE = 'http://jabber.org/protocol/pubsub#publish-options';
/** XEP-0203 Delayed Delivery. */
export const DELAY_NS = 'urn:xmpp:delay';
/** XEP-0131 Stanza Headers (SubID notation, §7.1.2.4). */
export const SHIM_NS = 'http://jabber.org/protocol/shim';

/** Subscription states, §4.2. */
export type SubscriptionState = 'none' | 'pending' | 'subscribed' | 'unconfigured';
const SUBSCRIPTION_STATES: ReadonlySet<string> = new Set([
  'none',
  'pending',
  'subscribed',
  'unconfigured',
]);

/** Affiliations, §4.1. */
export type Affiliation = 'owner' | 'publisher' | 'publish-only' | 'member' | 'none' | 'outcast';
const AFFILIATIONS: ReadonlySet<string> = new Set([
  'owner',
  'publisher',
  'publish-only',
  'member',
  'none',
  'outcast',
]);

function iq(type: 'get' | 'set', to: string): Element {
  return element('iq', { type, to: xmlText(to, 'FEDERATION_TERM_PUBSUB_SERVICE') });
}

function nodeName(node: unknown): string {
  return xmlText(node, 'FEDERATION_TERM_PUBSUB_NODE');
}

function pubsub(
  type: 'get' | 'set',
  service: string,
  ns: string = PUBSUB_NS,
): { iq: Element; pubsub: Element } {
  const stanza = iq(type, service);
  return { iq: stanza, pubsub: stanza.c('pubsub', { xmlns: ns }) };
}

// ---------------------------------------------------------------------------
// Builders

export interface PublishOptions {
  /**
   * Preconditions (§7.1.5), by field var, e.g. `{ 'pubsub#access_model': 'whitelist' }`.
   * The service rejects the publication with conflict + precondition-not-met when
   * the node's configuration differs.
   */
  publishOptions?: Record<string, FieldValue>;
}

/**
 * Publish one item (§7.1.1, Example 96): `<publish node><item id>payload</item></publish>`,
 * then `<publish-options>` when given (§7.1.5, Example 114). Without an item id the
 * service makes one (§7.1.1). Re-publishing an id overwrites the item (§7.1.2), so a
 * stable id (see stableItemId) makes a retried publication harmless.
 * The payload must declare its own namespace; it becomes a child of the stanza.
 */
export function publishIq(
  service: string,
  node: string,
  itemId: string | undefined,
  payload: Element,
  options: PublishOptions = {},
): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service);
  const item = ps.c('publish', { node: nodeName(node) }).cnode(
    element('item', {
      id: itemId === undefined ? undefined : xmlText(itemId, 'FEDERATION_TERM_ITEM_ID'),
    }),
  );
  item.cnode(ownPayload(payload, 'FEDERATION_TERM_PUBSUB_PAYLOAD'));
  if (options.publishOptions !== undefined) {
    ps.c('publish-options').cnode(
      dataForm('submit', options.publishOptions, { formType: PUBLISH_OPTIONS_FORM_TYPE }),
    );
  }
  return stanza;
}

export interface NodeConfig {
  /** Prosody's PubSub component accepts only these two (FIELD-NOTES). */
  accessModel: 'whitelist' | 'open';
  persistItems: true;
  /** A count, or 'max' for the service's own limit (§17.4.4). */
  maxItems?: number | 'max';
  title?: string;
  /** Notify subscribers of retracted items (default here: yes). */
  notifyRetract?: boolean;
  /** Notify subscribers when the node is deleted (default here: yes). */
  notifyDelete?: boolean;
  /** Deliver payloads with notifications (default here: yes). */
  deliverPayloads?: boolean;
  publishModel?: 'publishers' | 'subscribers' | 'open';
  sendLastPublishedItem?: 'never' | 'on_sub' | 'on_sub_and_presence';
  /** Namespace of the payloads (pubsub#type). */
  payloadType?: string;
  /** Further node_config fields by var, written last. */
  extra?: Record<string, FieldValue>;
}

const bool = (value: boolean): string => (value ? '1' : '0');

/** The node_config form of a configuration (FORM_TYPE first, then fields). */
export function nodeConfigForm(config: NodeConfig, type: 'submit' | 'result' = 'submit'): Element {
  if (typeof config !== 'object' || config === null)
    throw new FederationError('FEDERATION_NODE_CONFIG_NOT_OBJECT', gotParams(config));
  if (config.accessModel !== 'whitelist' && config.accessModel !== 'open')
    throw new FederationError('FEDERATION_ACCESS_MODEL_UNKNOWN', gotParams(config.accessModel));
  if (config.persistItems !== true) throw new FederationError('FEDERATION_PERSIST_ITEMS_REQUIRED');
  const { maxItems } = config;
  if (
    maxItems !== undefined &&
    maxItems !== 'max' &&
    !(Number.isSafeInteger(maxItems) && maxItems > 0)
  )
    throw new FederationError('FEDERATION_NODE_MAX_ITEMS', gotParams(maxItems));
  const fields: Record<string, FieldValue | undefined> = {
    'pubsub#access_model': config.accessModel,
    'pubsub#persist_items': bool(true),
    'pubsub#max_items': maxItems === undefined ? undefined : String(maxItems),
    'pubsub#title': config.title,
    'pubsub#deliver_payloads': bool(config.deliverPayloads ?? true),
    'pubsub#notify_retract': bool(config.notifyRetract ?? true),
    'pubsub#notify_delete': bool(config.notifyDelete ?? true),
    'pubsub#publish_model': config.publishModel,
    'pubsub#send_last_published_item': config.sendLastPublishedItem,
    'pubsub#type': config.payloadType,
  };
  for (const [key, value] of Object.entries(config.extra ?? {})) {
    if (key === 'FORM_TYPE') throw new FederationError('FEDERATION_NODE_CONFIG_FORM_TYPE');
    fields[key] = value;
  }
  return dataForm(type, fields, { formType: NODE_CONFIG_FORM_TYPE });
}

/**
 * Create and configure a node (§8.1.3, Example 137): `<create node/>` followed by
 * `<configure>` holding a node_config form of type submit (`<configure>` carries no
 * node attribute there). Prosody lets only its admins create nodes.
 */
export function createNodeIq(service: string, node: string, config: NodeConfig): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service);
  ps.c('create', { node: nodeName(node) });
  ps.c('configure').cnode(nodeConfigForm(config));
  return stanza;
}

/** Change a node's configuration (§8.2.4, owner namespace). */
export function configureNodeIq(service: string, node: string, config: NodeConfig): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service, PUBSUB_OWNER_NS);
  ps.c('configure', { node: nodeName(node) }).cnode(nodeConfigForm(config));
  return stanza;
}

/** Delete a node (§8.4.1, owner namespace). */
export function deleteNodeIq(service: string, node: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service, PUBSUB_OWNER_NS);
  ps.c('delete', { node: nodeName(node) });
  return stanza;
}

/** Subscribe a JID to a node (§6.1.1, Example 28). */
export function subscribeIq(service: string, node: string, jid: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service);
  ps.c('subscribe', { node: nodeName(node), jid: xmlText(jid, 'FEDERATION_TERM_SUBSCRIBER_JID') });
  return stanza;
}

/** Unsubscribe (§6.2.1, Example 47); `subid` when the service gave one (§6.2.3.1). */
export function unsubscribeIq(service: string, node: string, jid: string, subid?: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service);
  ps.c('unsubscribe', {
    node: nodeName(node),
    jid: xmlText(jid, 'FEDERATION_TERM_SUBSCRIBER_JID'),
    subid: subid === undefined ? undefined : xmlText(subid, 'FEDERATION_TERM_SUBSCRIPTION_ID'),
  });
  return stanza;
}

export interface ItemsQuery {
  /** The N most recent items (§6.5.7, Example 80). */
  maxItems?: number;
  /** Particular items by id (§6.5.8, Example 83). */
  itemIds?: readonly string[];
  /** Subscription id, for services that ask for it (§6.5.9.1). */
  subid?: string;
}

/** Retrieve items from a node (§6.5): all (Example 74), the most recent N, or given ids. */
export function itemsIq(service: string, node: string, query: ItemsQuery = {}): Element {
  const { maxItems, itemIds, subid } = query;
  if (maxItems !== undefined && !(Number.isSafeInteger(maxItems) && maxItems > 0))
    throw new FederationError('FEDERATION_ITEMS_MAX_ITEMS', gotParams(maxItems));
  if (maxItems !== undefined && itemIds !== undefined)
    throw new FederationError('FEDERATION_ITEMS_QUERY_BOTH');
  if (itemIds !== undefined && (!Array.isArray(itemIds) || itemIds.length === 0))
    throw new FederationError('FEDERATION_ITEM_IDS_EMPTY', gotParams(itemIds));
  const { iq: stanza, pubsub: ps } = pubsub('get', service);
  const items = ps.c('items', {
    node: nodeName(node),
    max_items: maxItems === undefined ? undefined : String(maxItems),
    subid: subid === undefined ? undefined : xmlText(subid, 'FEDERATION_TERM_SUBSCRIPTION_ID'),
  });
  for (const id of itemIds ?? []) items.c('item', { id: xmlText(id, 'FEDERATION_TERM_ITEM_ID') });
  return stanza;
}

/** Delete an item (§7.2.1); with notify, subscribers get a retraction (§7.2.2.1). */
export function retractIq(service: string, node: string, itemId: string, notify = true): Element {
  const { iq: stanza, pubsub: ps } = pubsub('set', service);
  ps.c('retract', { node: nodeName(node), notify: notify ? 'true' : undefined }).c('item', {
    id: xmlText(itemId, 'FEDERATION_TERM_ITEM_ID'),
  });
  return stanza;
}

/** The requesting entity's own subscriptions, at the service or at one node (§5.6, Examples 16 and 20). */
export function subscriptionsIq(service: string, node?: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('get', service);
  ps.c('subscriptions', { node: node === undefined ? undefined : nodeName(node) });
  return stanza;
}

/** Every subscription to a node, for its owner (§8.8.1.1, Example 184). */
export function ownerSubscriptionsIq(service: string, node: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('get', service, PUBSUB_OWNER_NS);
  ps.c('subscriptions', { node: nodeName(node) });
  return stanza;
}

/** Every affiliation at a node, for its owner (§8.9.1.1, Example 197). */
export function ownerAffiliationsIq(service: string, node: string): Element {
  const { iq: stanza, pubsub: ps } = pubsub('get', service, PUBSUB_OWNER_NS);
  ps.c('affiliations', { node: nodeName(node) });
  return stanza;
}

export interface SubscriptionChange {
  jid: string;
  subscription: SubscriptionState;
  subid?: string;
}

/** Owner sets subscription states, as a delta (§8.8.2.1, Example 189; several at once §8.8.2.4). */
export function setSubscriptionsIq(
  service: string,
  node: string,
  changes: readonly SubscriptionChange[],
): Element {
  if (!Array.isArray(changes) || changes.length === 0)
    throw new FederationError('FEDERATION_SUBSCRIPTION_CHANGES_EMPTY');
  const { iq: stanza, pubsub: ps } = pubsub('set', service, PUBSUB_OWNER_NS);
  const list = ps.c('subscriptions', { node: nodeName(node) });
  changes.forEach((change, index) => {
    if (
      typeof change !== 'object' ||
      change === null ||
      !SUBSCRIPTION_STATES.has(change.subscription)
    ) {
      throw new FederationError('FEDERATION_SUBSCRIPTION_CHANGE_STATE', {
        index,
        ...gotParams(change?.subscription),
      });
    }
    list.c('subscription', {
      jid: xmlText(change.jid, {
        term: 'FEDERATION_TERM_SUBSCRIPTION_CHANGE_JID',
        params: { index },
      }),
      subscription: change.subscription,
      subid:
        change.subid === undefined
          ? undefined
          : xmlText(change.subid, {
              term: 'FEDERATION_TERM_SUBSCRIPTION_CHANGE_SUBID',
              params: { index },
            }),
    });
  });
  return stanza;
}

export interface AffiliationChange {
  jid: string;
  affiliation: Affiliation;
}

/**
 * Tell a JID its affiliation with a node changed (XEP-0060 §8.9.4, Example 181):
 * `<message to><pubsub xmlns="…/pubsub"><affiliations node service?><affiliation
 * jid affiliation/></affiliations></pubsub></message>`. The service may send it;
 * Prosody does not, so the owner sends it, naming the service.
 */
export function affiliationNotice(
  to: string,
  service: string,
  node: string,
  affiliation: Affiliation,
): Element {
  const message = element('message', { to: xmlText(to, { name: 'to' }) });
  message
    .c('pubsub', { xmlns: PUBSUB_NS })
    .c('affiliations', { node: nodeName(node), service: xmlText(service, { name: 'service' }) })
    .c('affiliation', { jid: xmlText(to, { name: 'jid' }), affiliation });
  return message;
}

/** The node, service (when named) and affiliation an affiliation notice tells, or undefined. */
export function parseAffiliationNotice(
  stanza: unknown,
): { from?: string; node: string; service?: string; affiliation: string } | undefined {
  const message = asStanza(stanza, 'message');
  if (!message) return undefined;
  const ps = childNamed(message, 'pubsub', PUBSUB_NS);
  const list = ps && childNamed(ps, 'affiliations', PUBSUB_NS);
  const one = list && childNamed(list, 'affiliation', PUBSUB_NS);
  const node = list && nonEmptyAttr(list, 'node');
  const affiliation = one && nonEmptyAttr(one, 'affiliation');
  if (node === undefined || affiliation === undefined) return undefined;
  const notice: { from?: string; node: string; service?: string; affiliation: string } = {
    node,
    affiliation,
  };
  const from = nonEmptyAttr(message, 'from');
  if (from !== undefined) notice.from = from;
  const service = list && nonEmptyAttr(list, 'service');
  if (service !== undefined) notice.service = service;
  return notice;
}

/** Owner sets affiliations, as a delta (§8.9.2.1, Example 202; several at once §8.9.2.4). Affiliations are by bare JID (§4.1). */
export function setAffiliationsIq(
  service: string,
  node: string,
  changes: readonly AffiliationChange[],
): Element {
  if (!Array.isArray(changes) || changes.length === 0)
    throw new FederationError('FEDERATION_AFFILIATION_CHANGES_EMPTY');
  const { iq: stanza, pubsub: ps } = pubsub('set', service, PUBSUB_OWNER_NS);
  const list = ps.c('affiliations', { node: nodeName(node) });
  changes.forEach((change, index) => {
    if (typeof change !== 'object' || change === null || !AFFILIATIONS.has(change.affiliation)) {
      throw new FederationError('FEDERATION_AFFILIATION_CHANGE_UNKNOWN', {
        index,
        ...gotParams(change?.affiliation),
      });
    }
    list.c('affiliation', {
      jid: xmlText(change.jid, {
        term: 'FEDERATION_TERM_AFFILIATION_CHANGE_JID',
        params: { index },
      }),
      affiliation: change.affiliation,
    });
  });
  return stanza;
}

/**
 * Revoke a JID's access to a node: first its subscription set to none, then its
 * affiliation removed. Both are needed: changing only the affiliation leaves the
 * subscription in place on Prosody 0.12 (and ejabberd), and events keep flowing
 * (FIELD-NOTES, "Revocation trap"). Send them in this order.
 */
export function revokeAccessIqs(service: string, node: string, jid: string): [Element, Element] {
  return [
    setSubscriptionsIq(service, node, [{ jid, subscription: 'none' }]),
    setAffiliationsIq(service, node, [{ jid, affiliation: 'none' }]),
  ];
}

// ---------------------------------------------------------------------------
// Item ids

/** A pack that has no canonical JSON form, said as the FederationError it is. */
function packProblem(problem: CanonicalProblem): never {
  if (problem.kind === 'too-deep') throw new FederationError('FEDERATION_PACK_TOO_DEEP');
  if (problem.kind === 'not-finite')
    throw new FederationError('FEDERATION_PACK_NOT_FINITE', { value: problem.value });
  throw new FederationError('FEDERATION_PACK_NOT_JSON', { type: problem.type });
}

/**
 * An item id for a resolved pack that is the same every time for the same
 * records in the same order: SHA-256 of a canonical JSON form (keys sorted,
 * fields left undefined omitted, numbers in JavaScript's shortest form), its first
 * 128 bits in base64url (22 characters). Publishing a pack again (a retry from
 * the durable queue, or a second Node-RED instance) then overwrites the same item
 * (§7.1.2) instead of adding a copy, and subscribers can drop duplicates by id.
 */
export function stableItemId(pack: ResolvedPack): string {
  if (!Array.isArray(pack)) throw new FederationError('FEDERATION_PACK_NOT_LIST', gotParams(pack));
  pack.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record))
      throw new FederationError('FEDERATION_PACK_RECORD_NOT_OBJECT', {
        index,
        ...gotParams(record),
      });
  });
  return createHash('sha256')
    .update(canonicalJson(pack, packProblem), 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

// ---------------------------------------------------------------------------
// Parsers

export interface PubsubItem {
  /** Optional in notifications (§18.3 schema); always present on persistent nodes. */
  id: string | undefined;
  /** The first child element of the item; undefined for notifications without payload (§7.1.2.2). */
  payload: Element | undefined;
  /** Stamped by the service when configured to (§7.1.2.3). */
  publisher?: string;
}

function readItem(item: Element): PubsubItem {
  const out: PubsubItem = { id: nonEmptyAttr(item, 'id'), payload: childElements(item)[0] };
  const publisher = nonEmptyAttr(item, 'publisher');
  if (publisher !== undefined) out.publisher = publisher;
  return out;
}

export type PubsubEventKind =
  'items' | 'purge' | 'delete' | 'configuration' | 'subscription' | 'collection';
const EVENT_KINDS: ReadonlySet<string> = new Set([
  'items',
  'purge',
  'delete',
  'configuration',
  'subscription',
  'collection',
]);

export interface PubsubEvent {
  /** The service that sent the event (the message's from). */
  service: string;
  /** The node concerned; '' where the event names none (the root collection). */
  node: string;
  kind: PubsubEventKind;
  /** Published items, in document order (kind 'items'). */
  items: PubsubItem[];
  /** Ids of retracted items, in document order (kind 'items', §7.2.2.1). */
  retracts: string[];
  /** Delayed delivery (XEP-0203), e.g. the last published item sent on subscription (§6.1.7, Example 46). */
  delay?: { stamp: string; from?: string };
  /** Subscription ids the event was sent for (SHIM headers, §7.1.2.4). */
  subids: string[];
  /** For kind 'subscription': the new state (§8.8.4, Example 196). */
  subscription?: { jid: string; state: SubscriptionState; subid?: string };
  /** For kind 'delete': where the node went, if the service says (§8.4.2). */
  redirect?: string;
}

/** A subscription state as received: in a subscription event from `service`, or in a result. */
function subscriptionState(value: string | undefined, service?: string): SubscriptionState {
  if (value === undefined || !SUBSCRIPTION_STATES.has(value)) {
    if (service === undefined)
      throw new FederationError('FEDERATION_SUBSCRIPTION_STATE_UNKNOWN', gotParams(value));
    throw new FederationError('FEDERATION_EVENT_SUBSCRIPTION_STATE_UNKNOWN', {
      service,
      ...gotParams(value),
    });
  }
  return value as SubscriptionState;
}

/**
 * Read a PubSub event notification (§7.1.2.1, Example 100; retractions §7.2.2.1;
 * purge, delete, configuration and subscription events §8). Undefined when the
 * input is not a message carrying `<event xmlns="…pubsub#event">`, and for error
 * messages; a FederationError when it does but breaks the §18.3 schema (no from,
 * no node on items, no known child).
 */
export function parseEventMessage(message: unknown): PubsubEvent | undefined {
  const stanza = asStanza(message, 'message');
  if (!stanza || attr(stanza, 'type') === 'error') return undefined;
  const event = childNamed(stanza, 'event', PUBSUB_EVENT_NS);
  if (!event) return undefined;
  const service = nonEmptyAttr(stanza, 'from');
  if (service === undefined) throw new FederationError('FEDERATION_EVENT_NO_FROM');
  const body = childElements(event).find(
    (child) => EVENT_KINDS.has(localName(child)) && namespaceOf(child, event) === PUBSUB_EVENT_NS,
  );
  if (!body) throw new FederationError('FEDERATION_EVENT_NO_KIND', { service });
  const kind = localName(body) as PubsubEventKind;
  const node = nonEmptyAttr(body, 'node');
  if (
    node === undefined &&
    kind !== 'configuration' &&
    kind !== 'collection' &&
    kind !== 'subscription'
  ) {
    throw new FederationError('FEDERATION_EVENT_NO_NODE', { kind, service });
  }
  const out: PubsubEvent = { service, node: node ?? '', kind, items: [], retracts: [], subids: [] };
  if (kind === 'items') {
    for (const child of childElements(body)) {
      if (namespaceOf(child, body) !== PUBSUB_EVENT_NS) continue;
      const name = localName(child);
      if (name === 'item') out.items.push(readItem(child));
      else if (name === 'retract') {
        const id = nonEmptyAttr(child, 'id');
        if (id !== undefined) out.retracts.push(id);
      }
    }
  } else if (kind === 'subscription') {
    const jid = nonEmptyAttr(body, 'jid');
    if (jid === undefined) throw new FederationError('FEDERATION_EVENT_NO_JID', { service });
    out.subscription = { jid, state: subscriptionState(attr(body, 'subscription'), service) };
    const subid = nonEmptyAttr(body, 'subid');
    if (subid !== undefined) out.subscription.subid = subid;
  } else if (kind === 'delete') {
    const redirect = childNamed(body, 'redirect', PUBSUB_EVENT_NS);
    const uri = redirect && nonEmptyAttr(redirect, 'uri');
    if (uri !== undefined) out.redirect = uri;
  }
  const delay = childNamed(stanza, 'delay', DELAY_NS);
  const stamp = delay && nonEmptyAttr(delay, 'stamp');
  if (delay && stamp !== undefined) {
    out.delay = { stamp };
    const from = nonEmptyAttr(delay, 'from');
    if (from !== undefined) out.delay.from = from;
  }
  const headers = childNamed(stanza, 'headers', SHIM_NS);
  if (headers) {
    for (const header of childElements(headers)) {
      if (
        localName(header) === 'header' &&
        namespaceOf(header, headers) === SHIM_NS &&
        attr(header, 'name') === 'SubID'
      )
        out.subids.push(textOf(header));
    }
  }
  return out;
}

function resultPubsub(iqResult: unknown, ns: string = PUBSUB_NS): Element | undefined {
  const stanza = asStanza(iqResult, 'iq');
  if (!stanza || attr(stanza, 'type') !== 'result') return undefined;
  return childNamed(stanza, 'pubsub', ns);
}

/**
 * Read the items of an items result (§6.5.3, Example 75), in document order.
 * Undefined when the input is not an iq result holding `<pubsub><items>`.
 */
export function parseItemsResult(
  iqResult: unknown,
): { node: string | undefined; items: PubsubItem[] } | undefined {
  const ps = resultPubsub(iqResult);
  const items = ps && childNamed(ps, 'items', PUBSUB_NS);
  if (!items) return undefined;
  const out: PubsubItem[] = [];
  for (const child of childElements(items))
    if (localName(child) === 'item' && namespaceOf(child, items) === PUBSUB_NS)
      out.push(readItem(child));
  return { node: nonEmptyAttr(items, 'node'), items: out };
}

export interface Subscription {
  node: string | undefined;
  jid: string | undefined;
  state: SubscriptionState;
  subid?: string;
  expiry?: string;
}

function readSubscription(el: Element, fallbackNode: string | undefined): Subscription {
  const out: Subscription = {
    node: nonEmptyAttr(el, 'node') ?? fallbackNode,
    jid: nonEmptyAttr(el, 'jid'),
    state: subscriptionState(attr(el, 'subscription')),
  };
  const subid = nonEmptyAttr(el, 'subid');
  if (subid !== undefined) out.subid = subid;
  const expiry = nonEmptyAttr(el, 'expiry');
  if (expiry !== undefined) out.expiry = expiry;
  return out;
}

/**
 * Read the answer to a subscribe request (§6.1.2) or unsubscribe (§6.2.2).
 * Undefined when the input is not an iq result. A result without `<subscription>`
 * (allowed for unsubscribe, and sent by some services for subscribe) reads as
 * `{ state: 'subscribed' }` for a subscribe, so pass `request: 'unsubscribe'` to
 * read it as 'none'. A FederationError when the state is not one of §4.2.
 */
export function parseSubscribeResult(
  iqResult: unknown,
  request: 'subscribe' | 'unsubscribe' = 'subscribe',
): Subscription | undefined {
  const stanza = asStanza(iqResult, 'iq');
  if (!stanza || attr(stanza, 'type') !== 'result') return undefined;
  const ps = childNamed(stanza, 'pubsub', PUBSUB_NS);
  const subscription = ps && childNamed(ps, 'subscription', PUBSUB_NS);
  if (!subscription)
    return {
      node: undefined,
      jid: undefined,
      state: request === 'subscribe' ? 'subscribed' : 'none',
    };
  return readSubscription(subscription, undefined);
}

/**
 * Read a subscriptions list: the entity's own (§5.6, Example 17) or a node's, for
 * its owner (§8.8.1.2, Example 185). Undefined when there is no `<subscriptions>`.
 */
export function parseSubscriptions(iqResult: unknown): Subscription[] | undefined {
  const ps = resultPubsub(iqResult, PUBSUB_NS) ?? resultPubsub(iqResult, PUBSUB_OWNER_NS);
  if (!ps) return undefined;
  const ns = namespaceOf(ps);
  const list = childNamed(ps, 'subscriptions', ns);
  if (!list) return undefined;
  const node = nonEmptyAttr(list, 'node');
  const out: Subscription[] = [];
  for (const child of childElements(list))
    if (localName(child) === 'subscription' && namespaceOf(child, list) === ns)
      out.push(readSubscription(child, node));
  return out;
}

/** Read a node's affiliations list (§8.9.1.2, Example 198) or the entity's own (§5.7). Unknown affiliations are skipped. */
export function parseAffiliations(
  iqResult: unknown,
): { jid: string | undefined; node: string | undefined; affiliation: Affiliation }[] | undefined {
  const ps = resultPubsub(iqResult, PUBSUB_OWNER_NS) ?? resultPubsub(iqResult, PUBSUB_NS);
  if (!ps) return undefined;
  const ns = namespaceOf(ps);
  const list = childNamed(ps, 'affiliations', ns);
  if (!list) return undefined;
  const node = nonEmptyAttr(list, 'node');
  const out: { jid: string | undefined; node: string | undefined; affiliation: Affiliation }[] = [];
  for (const child of childElements(list)) {
    if (localName(child) !== 'affiliation' || namespaceOf(child, list) !== ns) continue;
    const affiliation = attr(child, 'affiliation');
    if (affiliation === undefined || !AFFILIATIONS.has(affiliation)) continue;
    out.push({
      jid: nonEmptyAttr(child, 'jid'),
      node: nonEmptyAttr(child, 'node') ?? node,
      affiliation: affiliation as Affiliation,
    });
  }
  return out;
}

/** Read the item id the service gave a publication without one (§7.1.2, Example 99). */
export function parsePublishResult(
  iqResult: unknown,
): { node: string | undefined; itemId: string | undefined } | undefined {
  const ps = resultPubsub(iqResult);
  if (!ps) {
    const stanza = asStanza(iqResult, 'iq');
    return stanza && attr(stanza, 'type') === 'result'
      ? { node: undefined, itemId: undefined }
      : undefined;
  }
  const publish = childNamed(ps, 'publish', PUBSUB_NS);
  const item = publish && childNamed(publish, 'item', PUBSUB_NS);
  return {
    node: publish && nonEmptyAttr(publish, 'node'),
    itemId: item && nonEmptyAttr(item, 'id'),
  };
}

/** type, condition (the RFC 6120 defined one, e.g. item-not-found) and text, with PubSub's own. */
export interface PubsubErrorCondition extends StanzaErrorSummary {
  /** The pubsub#errors condition (§12, §18.2), e.g. precondition-not-met, node-full, unsupported. */
  pubsubCondition?: string;
  /** For `unsupported`: the feature not supported, e.g. retrieve-subscriptions (§5.6). */
  feature?: string;
}

/**
 * The conditions of a PubSub error (§12; e.g. §7.1.3): from an error iq, its
 * `<error>` element, or the StanzaError @xmpp/client rejects with. Undefined when
 * the input carries no stanza error.
 */
export function pubsubErrorCondition(errorIq: unknown): PubsubErrorCondition | undefined {
  const error = readProtocolError(errorIq);
  if (!error) return undefined;
  const out: PubsubErrorCondition = { ...error.summary };
  const specific = error.condition(PUBSUB_ERRORS_NS);
  if (specific) {
    out.pubsubCondition = localName(specific);
    const feature = nonEmptyAttr(specific, 'feature');
    if (feature !== undefined) out.feature = feature;
  }
  return out;
}
