import { Element } from 'ltx';
import type { ErrorParamValue, Sentence } from '../errors';
import { holdsNonXmlCharacter } from '../xml-characters';
import {
  FederationError,
  type FederationParams,
  type FederationTermId,
  federationSentence,
  termSentence,
} from './errors';

/**
 * Reading and writing stanza elements safely.
 *
 * Everything a parser in lib/federation reads comes from another organisation's
 * server and may be hostile: these accessors never call a method on the element
 * they are given, check every type they touch, and stop walking up a parent chain
 * after a bounded number of steps, so a malformed tree yields `undefined`, never a
 * TypeError. They follow ltx's own rules (a prefix or the default namespace is
 * found on the element or its ancestors), except that `xmlns=""` undeclares the
 * default namespace, as XML Namespaces §6.2 says.
 */

/** Namespaces of the stanzas themselves (RFC 6120 §4.8.3, §4.8.4). */
export const STANZA_NAMESPACES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'jabber:client',
  'jabber:server',
  'jabber:component:accept',
]);

const MAX_ANCESTORS = 256;

/** An ltx element, or anything shaped like one (name, attrs, children). */
export function isElement(value: unknown): value is Element {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { name?: unknown; attrs?: unknown; children?: unknown };
  return (
    typeof v.name === 'string' &&
    typeof v.attrs === 'object' &&
    v.attrs !== null &&
    Array.isArray(v.children)
  );
}

/** The element's name without its prefix. */
export function localName(el: Element): string {
  const colon = el.name.indexOf(':');
  return colon < 0 ? el.name : el.name.slice(colon + 1);
}

function ownString(attrs: object, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(attrs, key)) return undefined;
  const value = (attrs as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** An attribute as text; undefined when absent or not text. */
export function attr(el: Element, name: string): string | undefined {
  return ownString(el.attrs, name);
}

/** An attribute that must be non-empty text to mean anything. */
export function nonEmptyAttr(el: Element, name: string): string | undefined {
  const value = attr(el, name);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Namespace of an element. `via` is the element it was reached from, when known:
 * the lookup then continues there rather than trusting the element's own parent
 * pointer, which a hand-built tree may leave unset.
 */
export function namespaceOf(el: Element, via?: Element): string | undefined {
  const colon = el.name.indexOf(':');
  const declaration = colon < 0 ? 'xmlns' : `xmlns:${el.name.slice(0, colon)}`;
  const own = ownString(el.attrs, declaration);
  if (own !== undefined) return own === '' ? undefined : own;
  let node: unknown = via ?? (el as { parent?: unknown }).parent;
  for (let steps = 0; steps < MAX_ANCESTORS && isElement(node); steps++) {
    const found = ownString(node.attrs, declaration);
    if (found !== undefined) return found === '' ? undefined : found;
    node = (node as { parent?: unknown }).parent;
  }
  return undefined;
}

/** Is `value` an element with this local name (and this namespace, when given)? */
export function isNamed(
  value: unknown,
  name: string,
  ns?: string,
  via?: Element,
): value is Element {
  return (
    isElement(value) &&
    localName(value) === name &&
    (ns === undefined || namespaceOf(value, via) === ns)
  );
}

/** Child elements, in document order. */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (const child of el.children as unknown[]) if (isElement(child)) out.push(child);
  return out;
}

/** Child elements with this local name, in this namespace when one is given. */
export function childrenNamed(el: Element, name: string, ns?: string): Element[] {
  const out: Element[] = [];
  for (const child of el.children as unknown[]) if (isNamed(child, name, ns, el)) out.push(child);
  return out;
}

/** The first child element with this local name (and namespace). */
export function childNamed(el: Element, name: string, ns?: string): Element | undefined {
  for (const child of el.children as unknown[]) if (isNamed(child, name, ns, el)) return child;
  return undefined;
}

/** The text directly inside an element (its text children, concatenated). */
export function textOf(el: Element): string {
  let text = '';
  for (const child of el.children as unknown[]) {
    if (typeof child === 'string') text += child;
    else if (typeof child === 'number' && Number.isFinite(child)) text += String(child);
  }
  return text;
}

/** A stanza (`message`, `iq`, `presence`) in a stanza namespace, or undefined. */
export function asStanza(value: unknown, name: 'message' | 'iq' | 'presence'): Element | undefined {
  if (!isElement(value) || localName(value) !== name) return undefined;
  return STANZA_NAMESPACES.has(namespaceOf(value)) ? value : undefined;
}

/**
 * What a value is, in an error about it: a term of the library (said in the
 * reader's language with the sentence), a term with its own params (the index of
 * a change, the name of a field), or a name that stays as written (a meta path
 * such as meta.device.type, a field's var).
 */
export type Subject =
  | FederationTermId
  | { term: FederationTermId; params: Readonly<Record<string, ErrorParamValue>> }
  | { name: string };

/** The param that says a subject: `what`, the term's sentence or the name. */
export function subjectParams(subject: Subject): { what: string | Sentence } {
  if (typeof subject === 'string') return { what: termSentence(subject) };
  if ('name' in subject) return { what: subject.name };
  return { what: termSentence(subject.term, subject.params) };
}

/**
 * Check a string before it goes into a stanza: a character XML cannot carry would
 * make the server close the whole stream (RFC 6120 §4.9.3.13 not-well-formed).
 */
export function xmlText(
  value: unknown,
  what: Subject,
  options: { allowEmpty?: boolean } = {},
): string {
  if (typeof value !== 'string')
    throw new FederationError('FEDERATION_TEXT_NOT_TEXT', {
      ...subjectParams(what),
      ...gotParams(value),
    });
  if (!options.allowEmpty && value.length === 0)
    throw new FederationError('FEDERATION_TEXT_EMPTY', subjectParams(what));
  if (holdsNonXmlCharacter(value))
    throw new FederationError('FEDERATION_TEXT_NOT_XML', subjectParams(what));
  return value;
}

/** Same as xmlText, for optional values. */
export function optionalXmlText(value: unknown, what: Subject): string | undefined {
  return value === undefined ? undefined : xmlText(value, what);
}

/** A payload to put inside a stanza must be an element that declares its own namespace. */
export function ownPayload(value: unknown, what: Subject): Element {
  if (!isElement(value))
    throw new FederationError('FEDERATION_PAYLOAD_NOT_ELEMENT', {
      ...subjectParams(what),
      ...gotParams(value),
    });
  const colon = value.name.indexOf(':');
  const declaration = colon < 0 ? 'xmlns' : `xmlns:${value.name.slice(0, colon)}`;
  if (!ownString(value.attrs, declaration))
    throw new FederationError('FEDERATION_PAYLOAD_NO_NAMESPACE', {
      ...subjectParams(what),
      element: value.name,
    });
  return value;
}

/** A new element (attributes whose value is undefined are left out). */
export function element(name: string, attrs: Record<string, string | undefined> = {}): Element {
  const clean: Record<string, string> = {};
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (value !== undefined) clean[key] = value;
  }
  return new Element(name, clean);
}

/** Render any value briefly inside an error message, in English. */
export function describeValue(value: unknown): string {
  const got = gotParams(value).got;
  return typeof got === 'string' ? got : got.message;
}

/**
 * The param that says a value given (`got`): itself as JSON writes it when short
 * and plain (a text shortened), else the words for what it is ("a list"), as a
 * sentence a translation says in its own words.
 */
export function gotParams(value: unknown): { got: string | Sentence } & FederationParams {
  if (typeof value === 'string')
    return { got: JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value) };
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return { got: String(value) };
  if (isElement(value)) return { got: `<${value.name}>` };
  if (value === undefined) return { got: federationSentence('FEDERATION_VALUE_NOTHING') };
  if (Array.isArray(value)) return { got: federationSentence('FEDERATION_VALUE_LIST') };
  return typeof value === 'object'
    ? { got: federationSentence('FEDERATION_VALUE_OBJECT') }
    : { got: typeof value };
}

/** Set a property as the object's own, even for names such as "__proto__". */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Own-property lookup (never reads through the prototype). */
export function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}
