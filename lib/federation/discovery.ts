import type { Element } from 'ltx';
import { type DataForm, DATA_FORMS_NS, parseDataForm } from './data-form';
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
  xmlText,
} from './elements';

/**
 * XEP-0030 Service Discovery (version 2.5.0): what an entity is and offers
 * (disco#info, §3) and what items it holds (disco#items, §4), including the
 * list of ad-hoc commands a JID offers (XEP-0050 §2.2).
 */
export const DISCO_INFO_NS = 'http://jabber.org/protocol/disco#info';
export const DISCO_ITEMS_NS = 'http://jabber.org/protocol/disco#items';
/** The fixed node holding an entity's commands (XEP-0050 §2.2). */
export const COMMAND_LIST_NODE = 'http://jabber.org/protocol/commands';

function query(to: string, ns: string, node: string | undefined): Element {
  const iq = element('iq', { type: 'get', to: xmlText(to, 'FEDERATION_TERM_DISCOVERY_TARGET') });
  iq.c('query', {
    xmlns: ns,
    node: node === undefined ? undefined : xmlText(node, 'FEDERATION_TERM_DISCOVERY_NODE'),
  });
  return iq;
}

/** disco#info request (§3.1, Example 1; with a node §3.2, Example 9). */
export function discoInfoIq(to: string, node?: string): Element {
  return query(to, DISCO_INFO_NS, node);
}

/** disco#items request (§4.1, Example 11; with a node §4.2, Example 16). */
export function discoItemsIq(to: string, node?: string): Element {
  return query(to, DISCO_ITEMS_NS, node);
}

/** The commands a JID offers: disco#items on node http://jabber.org/protocol/commands (XEP-0050 §2.2, Example 3). */
export function commandListIq(to: string): Element {
  return discoItemsIq(to, COMMAND_LIST_NODE);
}

function resultQuery(result: unknown, ns: string): Element | undefined {
  const stanza = asStanza(result, 'iq');
  if (!stanza || attr(stanza, 'type') !== 'result') return undefined;
  return childNamed(stanza, 'query', ns);
}

export interface DiscoItem {
  jid: string;
  node?: string;
  name?: string;
}

/**
 * Read a disco#items result (§4.1, Example 12), items in document order. Items
 * without a jid (it MUST be there, §4.1) are skipped. Undefined when the input
 * is not an iq result holding a disco#items query.
 */
export function parseDiscoItems(result: unknown): DiscoItem[] | undefined {
  const q = resultQuery(result, DISCO_ITEMS_NS);
  if (!q) return undefined;
  const items: DiscoItem[] = [];
  for (const child of childElements(q)) {
    if (localName(child) !== 'item' || namespaceOf(child, q) !== DISCO_ITEMS_NS) continue;
    const jid = nonEmptyAttr(child, 'jid');
    if (jid === undefined) continue;
    const item: DiscoItem = { jid };
    const node = nonEmptyAttr(child, 'node');
    if (node !== undefined) item.node = node;
    const name = attr(child, 'name');
    if (name !== undefined) item.name = name;
    items.push(item);
  }
  return items;
}

export interface CommandListEntry {
  jid: string;
  /** The command's node, e.g. get_history. */
  node: string;
  name?: string;
}

/** Read the command list (XEP-0050 §2.2, Example 4): items that name a node. Undefined as parseDiscoItems. */
export function parseCommandList(result: unknown): CommandListEntry[] | undefined {
  const items = parseDiscoItems(result);
  if (!items) return undefined;
  const out: CommandListEntry[] = [];
  for (const item of items) if (item.node !== undefined) out.push(item as CommandListEntry);
  return out;
}

export interface DiscoIdentity {
  category: string;
  type: string;
  name?: string;
  lang?: string;
}

export interface DiscoInfo {
  node?: string;
  identities: DiscoIdentity[];
  /** Feature vars, in document order, without duplicates. */
  features: string[];
  /** Extended information forms (XEP-0128). */
  forms: DataForm[];
}

/**
 * Read a disco#info result (§3.1, Example 2). Identities without category or
 * type, and features without var, are skipped (§3.1 says they MUST have them);
 * extended-information forms that cannot be read are skipped too. Undefined when
 * the input is not an iq result holding a disco#info query.
 */
export function parseDiscoInfo(result: unknown): DiscoInfo | undefined {
  const q = resultQuery(result, DISCO_INFO_NS);
  if (!q) return undefined;
  const info: DiscoInfo = { identities: [], features: [], forms: [] };
  const node = nonEmptyAttr(q, 'node');
  if (node !== undefined) info.node = node;
  const seen = new Set<string>();
  for (const child of childElements(q)) {
    const ns = namespaceOf(child, q);
    const name = localName(child);
    if (ns === DISCO_INFO_NS && name === 'identity') {
      const category = nonEmptyAttr(child, 'category');
      const type = nonEmptyAttr(child, 'type');
      if (category === undefined || type === undefined) continue;
      const identity: DiscoIdentity = { category, type };
      const label = attr(child, 'name');
      if (label !== undefined) identity.name = label;
      const lang = nonEmptyAttr(child, 'xml:lang');
      if (lang !== undefined) identity.lang = lang;
      info.identities.push(identity);
    } else if (ns === DISCO_INFO_NS && name === 'feature') {
      const feature = nonEmptyAttr(child, 'var');
      if (feature !== undefined && !seen.has(feature)) {
        seen.add(feature);
        info.features.push(feature);
      }
    } else if (ns === DATA_FORMS_NS && name === 'x') {
      try {
        const form = parseDataForm(child);
        if (form) info.forms.push(form);
      } catch (err) {
        if (!(err instanceof FederationError)) throw err;
      }
    }
  }
  return info;
}

// ---------------------------------------------------------------------------
// Answering discovery (a command provider announcing its commands)

export interface DiscoRequest {
  kind: 'info' | 'items';
  from: string | undefined;
  id: string;
  node?: string;
}

/** Read a disco#info or disco#items request (iq get). Undefined for anything else, and for requests without an id. */
export function parseDiscoRequest(iq: unknown): DiscoRequest | undefined {
  const stanza = asStanza(iq, 'iq');
  if (!stanza || attr(stanza, 'type') !== 'get') return undefined;
  const id = nonEmptyAttr(stanza, 'id');
  if (id === undefined) return undefined;
  for (const [kind, ns] of [
    ['info', DISCO_INFO_NS],
    ['items', DISCO_ITEMS_NS],
  ] as const) {
    const q = childNamed(stanza, 'query', ns);
    if (!q) continue;
    const request: DiscoRequest = { kind, from: nonEmptyAttr(stanza, 'from'), id };
    const node = nonEmptyAttr(q, 'node');
    if (node !== undefined) request.node = node;
    return request;
  }
  return undefined;
}

function answer(request: DiscoRequest, ns: string): { iq: Element; query: Element } {
  if (typeof request !== 'object' || request === null || typeof request.id !== 'string') {
    throw new FederationError('FEDERATION_DISCO_NOT_REQUEST', gotParams(request));
  }
  const iq = element('iq', { type: 'result', to: request.from, id: request.id });
  return { iq, query: iq.c('query', { xmlns: ns, node: request.node }) };
}

/** Answer disco#info (§3.1, Example 2): identities, then features. */
export function discoInfoResultIq(
  request: DiscoRequest,
  info: { identities: readonly DiscoIdentity[]; features: readonly string[] },
): Element {
  const { iq, query: q } = answer(request, DISCO_INFO_NS);
  if (info.identities.length === 0) throw new FederationError('FEDERATION_DISCO_NO_IDENTITY');
  for (const identity of info.identities) {
    q.c('identity', {
      category: xmlText(identity.category, 'FEDERATION_TERM_IDENTITY_CATEGORY'),
      type: xmlText(identity.type, 'FEDERATION_TERM_IDENTITY_TYPE'),
      name:
        identity.name === undefined
          ? undefined
          : xmlText(identity.name, 'FEDERATION_TERM_IDENTITY_NAME', { allowEmpty: true }),
      'xml:lang':
        identity.lang === undefined
          ? undefined
          : xmlText(identity.lang, 'FEDERATION_TERM_IDENTITY_LANGUAGE'),
    });
  }
  for (const feature of new Set(info.features))
    q.c('feature', { var: xmlText(feature, 'FEDERATION_TERM_FEATURE') });
  return iq;
}

/** Answer disco#items (§4.1, Example 12; the command list, XEP-0050 Example 4). */
export function discoItemsResultIq(request: DiscoRequest, items: readonly DiscoItem[]): Element {
  const { iq, query: q } = answer(request, DISCO_ITEMS_NS);
  for (const item of items) {
    if (typeof item !== 'object' || item === null)
      throw new FederationError('FEDERATION_DISCO_ITEM_NOT_OBJECT', gotParams(item));
    q.c('item', {
      jid: xmlText(item.jid, 'FEDERATION_TERM_ITEM_JID'),
      node: item.node === undefined ? undefined : xmlText(item.node, 'FEDERATION_TERM_ITEM_NODE'),
      name:
        item.name === undefined
          ? undefined
          : xmlText(item.name, 'FEDERATION_TERM_ITEM_NAME', { allowEmpty: true }),
    });
  }
  return iq;
}

/** Does a disco#info result advertise this feature? */
export function hasFeature(info: DiscoInfo | undefined, feature: string): boolean {
  return info !== undefined && info.features.includes(feature);
}
