import type { Element } from 'ltx';
import {
  type ResolvedPack,
  type SenmlRecord,
  SenmlError,
  compact,
  recordsFromElement,
  toXmlElement,
} from '../senml';
import { FederationError, federationSentence } from './errors';
import {
  asStanza,
  attr,
  childrenNamed,
  element,
  gotParams,
  hasOwn,
  isElement,
  isNamed,
  localName,
  namespaceOf,
  nonEmptyAttr,
  setOwn,
  xmlText,
} from './elements';
import { type ProtocolError, readProtocolError } from './stanza-error';
import { isPlainObject } from '../senml/plain-object';

/**
 * Quoalise (`urn:quoalise:0`), the protocol that followed SEN1: SenML carried
 * in XMPP, pushed in `<message>` stanzas or returned by ad-hoc commands (see
 * adhoc.ts). Shapes follow its reference implementation (consometers/quoalise):
 *
 *   <quoalise xmlns="urn:quoalise:0">
 *     <data>
 *       <meta>…</meta>
 *       <sensml xmlns="urn:ietf:params:xml:ns:senml"><senml …/></sensml>
 *     </data>
 *   </quoalise>
 *
 * The reference reader fails on a `<data>` without `<meta>`, so one is always
 * written, empty if need be. SenML inside is compacted per RFC 8428; note that the
 * reference reader concatenates `bu` and `u`, which RFC 8428 does not (FIELD-NOTES):
 * SenFed follows the RFC.
 */
export const QUOALISE_NS = 'urn:quoalise:0';
const SENML_NS = 'urn:ietf:params:xml:ns:senml';

// ---------------------------------------------------------------------------
// Meta: a dictionary written as nested elements with attributes

export type MetaScalar = string | number | boolean;
export interface Meta {
  [key: string]: MetaScalar | Meta | readonly Meta[] | null | undefined;
}

/** Safety limits on meta, both written and read. */
export const META_LIMITS = { depth: 16, elements: 2000 } as const;

// An XML name without a colon (letters, digits, '_', '-', '.'), not starting with "xml" (reserved, XML 1.0 §2.3).
const META_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;
const TEXT_KEY = '#text';

function metaName(key: string, path: string): string {
  if (!META_NAME.test(key) || /^xml/i.test(key)) {
    throw new FederationError('FEDERATION_META_NAME', { path, key });
  }
  // ltx's reader drops an attribute of that name (it assigns attrs[name]), so it would not come back.
  if (key === '__proto__')
    throw new FederationError('FEDERATION_META_NAME_RESERVED', { path, key });
  return key;
}

function scalarText(value: MetaScalar, path: string, inAttribute: boolean): string {
  if (typeof value === 'string') {
    // XML readers turn a line break or tab inside an attribute into a space (XML 1.0 §3.3.3),
    // and ltx cannot write it as a character reference: refuse rather than alter the value.
    if (inAttribute && /[\t\n\r]/.test(value)) {
      throw new FederationError('FEDERATION_META_LINE_BREAK', { path });
    }
    return xmlText(value, { name: path }, { allowEmpty: true });
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new FederationError('FEDERATION_META_NOT_FINITE', { path, value: String(value) });
    return String(value);
  }
  return value ? 'true' : 'false';
}

/**
 * Write a meta object onto an element. The mapping rule (the same as the Quoalise
 * reference's Metadata.dict_to_xml, plus lists and text):
 *
 *   - a text, number or boolean value   → an attribute `key="value"` of the element
 *     (numbers and booleans as text: "12.5", "true"; no line breaks or tabs, which XML
 *     readers turn into spaces inside attributes);
 *   - an object value                   → a child element `<key>` (in urn:quoalise:0)
 *     holding that object by the same rule, so an object of scalars becomes an element
 *     with attributes and an object holding objects becomes nested elements;
 *   - a list of objects                 → one `<key>` child element per entry, in order;
 *   - the key "#text" with a scalar     → the element's text;
 *   - undefined or null                 → nothing.
 *
 * Keys must be XML names without a colon that do not start with "xml" (nor "__proto__"); values that
 * are neither (a Date, a list of texts, a function) are refused rather than lost.
 *
 * parseMeta is the inverse on canonical meta: every scalar a text, every list at
 * least two objects long, no null or undefined. Otherwise reading back gives the
 * canonical form: numbers and booleans come back as text, a one-entry list as its
 * object, an empty list not at all (the reference reads lists the same way).
 */
function writeMeta(
  target: Element,
  meta: Record<string, unknown>,
  path: string,
  depth: number,
  budget: { elements: number },
): void {
  if (depth > META_LIMITS.depth)
    throw new FederationError('FEDERATION_META_TOO_DEEP', { path, depth: META_LIMITS.depth });
  for (const key of Object.keys(meta)) {
    const value = meta[key];
    const where = `${path}.${key}`;
    if (value === undefined || value === null) continue;
    if (key === TEXT_KEY) {
      if (typeof value === 'object')
        throw new FederationError('FEDERATION_META_TEXT_NOT_SCALAR', { path: where });
      target.t(scalarText(value as MetaScalar, where, false));
      continue;
    }
    metaName(key, where);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      setOwn(target.attrs, key, scalarText(value, where, true));
    } else if (Array.isArray(value)) {
      value.forEach((entry: unknown, index) => {
        if (!isPlainObject(entry))
          throw new FederationError('FEDERATION_META_LIST_ENTRY', {
            path: `${where}[${index}]`,
            key,
            ...gotParams(entry),
          });
        writeChild(target, key, entry, `${where}[${index}]`, depth, budget);
      });
    } else if (isPlainObject(value)) {
      writeChild(target, key, value, where, depth, budget);
    } else {
      const got =
        value instanceof Date
          ? { got: federationSentence('FEDERATION_VALUE_DATE') }
          : gotParams(value);
      throw new FederationError('FEDERATION_META_VALUE', { path: where, ...got });
    }
  }
}

function writeChild(
  parent: Element,
  key: string,
  value: Record<string, unknown>,
  path: string,
  depth: number,
  budget: { elements: number },
): void {
  if (++budget.elements > META_LIMITS.elements)
    throw new FederationError('FEDERATION_META_TOO_MANY', { max: META_LIMITS.elements });
  writeMeta(parent.c(key), value, path, depth + 1, budget);
}

function checkMetaObject(meta: unknown): Record<string, unknown> {
  if (meta === undefined || meta === null) return {};
  if (!isPlainObject(meta))
    throw new FederationError('FEDERATION_META_NOT_OBJECT', gotParams(meta));
  return meta;
}

/** `<meta xmlns="urn:quoalise:0">` for a meta object (rule above). */
export function metaElement(meta?: Meta): Element {
  const el = element('meta', { xmlns: QUOALISE_NS });
  writeMeta(el, checkMetaObject(meta), 'meta', 0, { elements: 0 });
  return el;
}

function readMeta(el: Element, path: string, depth: number, budget: { elements: number }): Meta {
  if (depth > META_LIMITS.depth)
    throw new FederationError('FEDERATION_META_RECEIVED_TOO_DEEP', {
      path,
      depth: META_LIMITS.depth,
    });
  const out: Meta = {};
  for (const name of Object.keys(el.attrs)) {
    // Namespace declarations and qualified attributes (xml:lang, prefixed) are not meta.
    if (name === 'xmlns' || name.includes(':')) continue;
    const value = attr(el, name);
    if (value !== undefined) setOwn(out, name, value);
  }
  const groups = new Map<string, Meta[]>();
  let text = '';
  for (const child of el.children as unknown[]) {
    if (typeof child === 'string') {
      text += child;
      continue;
    }
    if (!isElement(child) || namespaceOf(child, el) !== QUOALISE_NS) continue;
    if (++budget.elements > META_LIMITS.elements)
      throw new FederationError('FEDERATION_META_RECEIVED_TOO_MANY', { max: META_LIMITS.elements });
    const name = localName(child);
    if (hasOwn(out, name))
      throw new FederationError('FEDERATION_META_ATTRIBUTE_AND_ELEMENT', { path, name });
    const entry = readMeta(child, `${path}.${name}`, depth + 1, budget);
    const group = groups.get(name);
    if (group) group.push(entry);
    else groups.set(name, [entry]);
  }
  for (const [name, entries] of groups)
    setOwn(out, name, entries.length === 1 ? entries[0] : entries);
  if (text.trim() !== '') setOwn(out, TEXT_KEY, text);
  return out;
}

/**
 * Read `<meta xmlns="urn:quoalise:0">` into an object: the inverse of metaElement
 * (see the rule above). Elements of other namespaces are ignored; an attribute and
 * an element of the same name, or meta past META_LIMITS, are refused.
 */
export function parseMeta(metaEl: unknown): Meta {
  if (!isNamed(metaEl, 'meta', QUOALISE_NS))
    throw new FederationError('FEDERATION_META_EXPECTED', gotParams(metaEl));
  return readMeta(metaEl, 'meta', 0, { elements: 0 });
}

// ---------------------------------------------------------------------------
// Data

function checkResolvedPack(pack: unknown): ResolvedPack {
  if (!Array.isArray(pack))
    throw new FederationError('FEDERATION_PACK_NOT_RESOLVED', gotParams(pack));
  pack.forEach((record: unknown, index) => {
    const r = record as { n?: unknown; t?: unknown } | null;
    if (typeof r !== 'object' || r === null || typeof r.n !== 'string' || typeof r.t !== 'number') {
      throw new FederationError('FEDERATION_PACK_RECORD_NOT_RESOLVED', { index });
    }
  });
  return pack as ResolvedPack;
}

/** `<sensml>` for a resolved pack, compacted (RFC 8428 §4.1). */
function sensmlElement(pack: ResolvedPack): Element {
  try {
    // No unit overrides: the Quoalise reference client concatenates "bu" and "u".
    return toXmlElement(compact(checkResolvedPack(pack), { unitOverrides: false }));
  } catch (err) {
    if (err instanceof SenmlError)
      throw new FederationError('FEDERATION_PACK_NOT_SENML_XML', {}, { cause: err });
    throw err;
  }
}

/** `<quoalise xmlns="urn:quoalise:0"><data><meta>…</meta><sensml>…</sensml></data></quoalise>`. */
export function quoaliseDataElement(pack: ResolvedPack, meta?: Meta): Element {
  const root = element('quoalise', { xmlns: QUOALISE_NS });
  const data = root.c('data');
  writeMeta(data.c('meta'), checkMetaObject(meta), 'meta', 0, { elements: 0 });
  data.cnode(sensmlElement(pack));
  return root;
}

export interface QuoaliseData {
  /** Records as carried (JSON form, not resolved: base fields and relative times as sent). */
  records: SenmlRecord[];
  meta: Meta;
}

/**
 * Read a `<quoalise xmlns="urn:quoalise:0">` element: its one `<data>`, the
 * optional `<meta>` in it and its `<sensml>`. A FederationError (code
 * FEDERATION_MALFORMED, a SenmlError as cause when the SenML is at fault) when
 * any of these is missing, repeated or unreadable.
 */
export function parseQuoaliseElement(quoalise: unknown): QuoaliseData {
  if (!isNamed(quoalise, 'quoalise', QUOALISE_NS))
    throw new FederationError('FEDERATION_QUOALISE_EXPECTED', gotParams(quoalise));
  const data = childrenNamed(quoalise, 'data', QUOALISE_NS);
  if (data.length !== 1)
    throw new FederationError('FEDERATION_QUOALISE_DATA_COUNT', { count: data.length });
  const metas = childrenNamed(data[0], 'meta', QUOALISE_NS);
  if (metas.length > 1)
    throw new FederationError('FEDERATION_QUOALISE_META_COUNT', { count: metas.length });
  const sensmls = childrenNamed(data[0], 'sensml', SENML_NS);
  if (sensmls.length !== 1)
    throw new FederationError('FEDERATION_QUOALISE_SENML_COUNT', { count: sensmls.length });
  const meta = metas.length === 1 ? parseMeta(metas[0]) : {};
  let records: SenmlRecord[];
  try {
    records = recordsFromElement(sensmls[0]);
  } catch (err) {
    // SenML's own reader calls ltx methods: a hand-built tree without them fails there too.
    if (err instanceof SenmlError)
      throw new FederationError('FEDERATION_QUOALISE_SENML_UNREADABLE', {}, { cause: err });
    throw new FederationError('FEDERATION_QUOALISE_SENML_NOT_TREE', {}, { cause: err });
  }
  return { records, meta };
}

// ---------------------------------------------------------------------------
// Messages

export type QuoaliseMessageType = 'normal' | 'chat';

/** A pushed reading: `<message to type><quoalise>…</quoalise></message>`. The id is left to the caller. */
export function quoaliseMessage(
  to: string,
  pack: ResolvedPack,
  meta?: Meta,
  type: QuoaliseMessageType = 'normal',
): Element {
  if (type !== 'normal' && type !== 'chat')
    throw new FederationError('FEDERATION_MESSAGE_TYPE_UNKNOWN', gotParams(type));
  const message = element('message', { to: xmlText(to, 'FEDERATION_TERM_RECIPIENT'), type });
  message.cnode(quoaliseDataElement(pack, meta));
  return message;
}

export interface QuoaliseMessage extends QuoaliseData {
  from: string | undefined;
  to?: string;
  id?: string;
  type?: string;
}

/**
 * Read a pushed Quoalise message. Undefined when the input is not a message
 * holding `<quoalise xmlns="urn:quoalise:0">`, and for error messages (a bounce
 * may carry our own data back: it is not data from the peer). A FederationError
 * when the Quoalise element is malformed (see parseQuoaliseElement).
 */
export function parseQuoaliseMessage(message: unknown): QuoaliseMessage | undefined {
  const stanza = asStanza(message, 'message');
  if (!stanza || attr(stanza, 'type') === 'error') return undefined;
  const quoalise = childrenNamed(stanza, 'quoalise', QUOALISE_NS);
  if (quoalise.length === 0) return undefined;
  if (quoalise.length > 1)
    throw new FederationError('FEDERATION_MESSAGE_QUOALISE_COUNT', { count: quoalise.length });
  const out: QuoaliseMessage = {
    from: nonEmptyAttr(stanza, 'from'),
    ...parseQuoaliseElement(quoalise[0]),
  };
  for (const key of ['to', 'id', 'type'] as const) {
    const value = nonEmptyAttr(stanza, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Upstream errors

export interface UpstreamError {
  /** Who raised the error upstream, e.g. "enedis-data-connect". */
  issuer: string;
  /** Its own error code, e.g. "ADAM-ERR0123". */
  code: string;
}

/** `<upstream-error xmlns="urn:quoalise:0" issuer code/>`, an application condition inside `<error>`. */
export function upstreamErrorElement(issuer: string, code: string): Element {
  return element('upstream-error', {
    xmlns: QUOALISE_NS,
    issuer: xmlText(issuer, 'FEDERATION_TERM_UPSTREAM_ISSUER'),
    code: xmlText(code, 'FEDERATION_TERM_UPSTREAM_CODE'),
  });
}

/** The upstream error of a stanza error (error iq, `<error>`, or @xmpp/client StanzaError); undefined if none. A missing attribute reads as ''. */
export function parseUpstreamError(input: unknown): UpstreamError | undefined {
  const error = readProtocolError(input);
  return error && upstreamErrorOf(error);
}

/** The upstream error of a stanza error already read; undefined if none. */
export function upstreamErrorOf(error: ProtocolError): UpstreamError | undefined {
  const el = error.condition(QUOALISE_NS, (name) => name === 'upstream-error');
  if (!el) return undefined;
  return { issuer: attr(el, 'issuer') ?? '', code: attr(el, 'code') ?? '' };
}
