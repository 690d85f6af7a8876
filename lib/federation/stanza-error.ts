import type { Element } from 'ltx';
import { FederationError } from './errors';
import {
  STANZA_NAMESPACES,
  attr,
  childElements,
  element,
  isElement,
  localName,
  namespaceOf,
  optionalXmlText,
  ownPayload,
  textOf,
} from './elements';

/** Stanza errors, RFC 6120 §8.3: `<error type by?>` with a defined condition, optional text, optional application condition. */
export const STANZA_ERROR_NS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';
const ERROR_TYPES: ReadonlySet<string> = new Set(['auth', 'cancel', 'continue', 'modify', 'wait']);

/**
 * The defined conditions of RFC 6120 §8.3.3 with the error type each one SHOULD
 * carry there. Where the RFC allows two types the first is used (feature-not-implemented:
 * cancel; policy-violation: modify; unexpected-request: wait). For undefined-condition,
 * which may carry any type, SenFed uses `cancel`, as Quoalise's own error example does.
 */
export const DEFINED_CONDITIONS = {
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
} as const satisfies Record<string, StanzaErrorType>;

export type DefinedCondition = keyof typeof DEFINED_CONDITIONS;

export function isDefinedCondition(value: unknown): value is DefinedCondition {
  return (
    typeof value === 'string' && Object.prototype.hasOwnProperty.call(DEFINED_CONDITIONS, value)
  );
}

export interface ErrorElementOptions {
  /** Overrides the type of DEFINED_CONDITIONS. */
  type?: StanzaErrorType;
  /** Human-readable text (RFC 6120 §8.3.2: a `<text>` element, optional). */
  text?: string;
  /** Language of the text (xml:lang). */
  lang?: string;
  /** Application-specific conditions, placed after the text (RFC 6120 §8.3.2). */
  application?: Element[];
}

/** An `<error>` element: the defined condition first, then text, then application conditions. */
export function errorElement(
  condition: DefinedCondition,
  options: ErrorElementOptions = {},
): Element {
  if (!isDefinedCondition(condition))
    throw new FederationError('FEDERATION_CONDITION_UNKNOWN', { condition: String(condition) });
  const type = options.type ?? DEFINED_CONDITIONS[condition];
  if (!ERROR_TYPES.has(type))
    throw new FederationError('FEDERATION_ERROR_TYPE_UNKNOWN', { type: String(type) });
  const error = element('error', { type });
  error.cnode(element(condition, { xmlns: STANZA_ERROR_NS }));
  const text = optionalXmlText(options.text, 'FEDERATION_TERM_ERROR_TEXT');
  if (text !== undefined)
    error
      .cnode(
        element('text', {
          xmlns: STANZA_ERROR_NS,
          'xml:lang': optionalXmlText(options.lang, 'FEDERATION_TERM_ERROR_LANGUAGE'),
        }),
      )
      .t(text);
  for (const app of options.application ?? [])
    error.cnode(ownPayload(app, 'FEDERATION_TERM_APPLICATION_CONDITION'));
  return error;
}

export interface StanzaErrorInfo {
  /** The error type, when it is one of RFC 6120's five. */
  type: StanzaErrorType | undefined;
  /** The condition element's name; `undefined-condition` when there is none (RFC 6120 §8.3.2). */
  condition: string;
  text?: string;
  lang?: string;
  /** The entity that reported the error (the `by` attribute), if given. */
  by?: string;
  /** Application-specific condition elements (any other namespace), in order. */
  application: Element[];
}

/** The `<error>` element of an error stanza, of a bare `<error>`, or of an @xmpp/client StanzaError (`err.element`). */
export function findErrorElement(input: unknown): Element | undefined {
  let value = input;
  if (!isElement(value) && typeof value === 'object' && value !== null && 'element' in value)
    value = (value as { element?: unknown }).element;
  if (!isElement(value)) return undefined;
  if (localName(value) === 'error')
    return STANZA_NAMESPACES.has(namespaceOf(value)) ? value : undefined;
  const name = localName(value);
  if (
    (name !== 'iq' && name !== 'message' && name !== 'presence') ||
    !STANZA_NAMESPACES.has(namespaceOf(value))
  )
    return undefined;
  if (attr(value, 'type') !== 'error') return undefined;
  for (const child of childElements(value)) {
    if (localName(child) === 'error' && STANZA_NAMESPACES.has(namespaceOf(child, value)))
      return child;
  }
  return undefined;
}

/** Read a stanza error (RFC 6120 §8.3); undefined when the input holds none. */
export function readStanzaError(input: unknown): StanzaErrorInfo | undefined {
  return scanError(input)?.info;
}

/** What every protocol's error reader reports alike: the type, the defined condition and the text. */
export interface StanzaErrorSummary {
  type: StanzaErrorType | undefined;
  condition: DefinedCondition | string;
  text?: string;
}

/** A stanza error read once, for a protocol to pick its own application-specific condition from. */
export interface ProtocolError {
  summary: StanzaErrorSummary;
  /**
   * The first application-specific condition in `namespace` (its namespace read
   * where it stands, inside the `<error>`), and whose local name `accept` takes
   * when given; undefined when there is none.
   */
  condition(namespace: string, accept?: (localName: string) => boolean): Element | undefined;
}

/**
 * The base reader of the protocol error readers (PubSub, ad-hoc commands,
 * Quoalise): from an error stanza, a bare `<error>`, or an @xmpp/client
 * StanzaError; undefined when the input holds no stanza error.
 */
export function readProtocolError(input: unknown): ProtocolError | undefined {
  const scanned = scanError(input);
  if (!scanned) return undefined;
  const { info, namespaces } = scanned;
  const summary: StanzaErrorSummary = { type: info.type, condition: info.condition };
  if (info.text !== undefined) summary.text = info.text;
  return {
    summary,
    condition: (namespace, accept) =>
      info.application.find(
        (el, i) => namespaces[i] === namespace && (accept === undefined || accept(localName(el))),
      ),
  };
}

/** The stanza error's reading, with the namespace of each application condition (same order). */
function scanError(
  input: unknown,
): { info: StanzaErrorInfo; namespaces: (string | undefined)[] } | undefined {
  const error = findErrorElement(input);
  if (!error) return undefined;
  const type = attr(error, 'type');
  const info: StanzaErrorInfo = {
    type: type !== undefined && ERROR_TYPES.has(type) ? (type as StanzaErrorType) : undefined,
    condition: 'undefined-condition',
    application: [],
  };
  const namespaces: (string | undefined)[] = [];
  const by = attr(error, 'by');
  if (by) info.by = by;
  let conditionSeen = false;
  for (const child of childElements(error)) {
    const ns = namespaceOf(child, error);
    const name = localName(child);
    if (ns === STANZA_ERROR_NS) {
      if (name === 'text') {
        if (info.text === undefined) {
          info.text = textOf(child);
          const lang = attr(child, 'xml:lang');
          if (lang) info.lang = lang;
        }
      } else if (!conditionSeen) {
        info.condition = name;
        conditionSeen = true;
      }
    } else {
      info.application.push(child);
      namespaces.push(ns);
    }
  }
  return { info, namespaces };
}
