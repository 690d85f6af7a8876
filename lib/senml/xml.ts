import { Element, Parser, escapeXML } from 'ltx';
import { SenmlError, describe } from './errors';
import { XML_TYPE, isKnownLabel } from './labels';
import type { SenmlRecord } from './model';
import { decodeUtf8 } from './text';

/** RFC 8428 §7 and §12.4. */
export const SENML_XML_NAMESPACE = 'urn:ietf:params:xml:ns:senml';

// ltx's streaming tokenizer, the one xmpp.js parses every stanza with. It expands
// only the five predefined entities and character references, never a DTD.
type SaxParser = {
  on(event: 'startElement', cb: (name: string, attrs: Record<string, string>) => void): void;
  on(event: 'endElement', cb: (name: string) => void): void;
  on(event: 'text', cb: (text: string) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  write(data: string): void;
  end(data?: string): void;
};
const SaxLtx = (Parser.prototype as unknown as { DefaultParser: new () => SaxParser }).DefaultParser;

// xsd:double, xsd:int and xsd:boolean lexical forms (whitespace collapsed).
const DOUBLE = /^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)\s*$/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

function typedValue(label: string, text: string, index: number): unknown {
  if (!isKnownLabel(label)) return text; // extension attributes are text: their type is unknown here
  switch (XML_TYPE[label]) {
    case 'string':
      return text;
    case 'double':
      if (!DOUBLE.test(text)) throw new SenmlError('SENML_TYPE', `must be a number (xsd:double), got ${describe(text)}`, { index, field: label });
      return parseDouble(text.trim());
    case 'int':
      if (!INTEGER.test(text)) throw new SenmlError('SENML_TYPE', `must be a whole number, got ${describe(text)}`, { index, field: label });
      return Number(text.trim());
    case 'boolean': {
      const word = text.trim();
      if (word === 'true' || word === '1') return true;
      if (word === 'false' || word === '0') return false;
      throw new SenmlError('SENML_TYPE', `must be true or false, got ${describe(text)}`, { index, field: label });
    }
  }
}

function parseDouble(text: string): number {
  if (text.endsWith('INF')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text); // "NaN" gives NaN, refused later with the other non-finite numbers
}

function recordFromAttributes(attrs: Record<string, string>, index: number): SenmlRecord {
  const record: SenmlRecord = {};
  for (const name in attrs) {
    // Namespace declarations and attributes in other namespaces are not SenML fields.
    if (name === 'xmlns' || name.includes(':')) continue;
    record[name] = typedValue(name, attrs[name], index);
  }
  return record;
}

/** Namespace of a (possibly prefixed) element name, from declarations in scope (innermost first). */
function namespaceOf(name: string, scopes: Record<string, string>[]): { local: string; ns: string | undefined } {
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? 'xmlns' : `xmlns:${name.slice(0, colon)}`;
  const local = colon < 0 ? name : name.slice(colon + 1);
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i][prefix] !== undefined) return { local, ns: scopes[i][prefix] };
  return { local, ns: undefined };
}

function checkElement(name: string, scopes: Record<string, string>[], expected: 'sensml' | 'senml', index?: number): void {
  const { local, ns } = namespaceOf(name, scopes);
  if (local !== expected || ns !== SENML_XML_NAMESPACE) {
    const where = expected === 'sensml' ? 'the root element' : `element ${index}`;
    throw new SenmlError('SENML_SHAPE', `${where} must be <${expected}> in namespace ${SENML_XML_NAMESPACE} (RFC 8428 §7), got <${name}>${ns ? ` in ${ns}` : ' without namespace'}`);
  }
}

/**
 * Parse application/senml+xml (RFC 8428 §7) into records in JSON form, typed by
 * Table 5. Well-formedness is checked here, since ltx's tokenizer is lenient:
 * one root, matching end tags, no text among records, no DTD.
 */
export function parseXml(input: string | Uint8Array): SenmlRecord[] {
  let text = typeof input === 'string' ? input : decodeUtf8(input, 'XML');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY')) {
    throw new SenmlError('SENML_SYNTAX', 'not accepted XML: document type declarations (DTDs) are refused, as XMPP does (RFC 6120 §11.1)');
  }
  const records: SenmlRecord[] = [];
  const scopes: Record<string, string>[] = [];
  const open: string[] = [];
  let closedRoot = false;
  let failure: Error | undefined;
  const parser = new SaxLtx();
  parser.on('startElement', (name, attrs) => {
    if (failure) return;
    try {
      if (closedRoot) throw new SenmlError('SENML_SYNTAX', `not well-formed XML: <${name}> after the end of the root element`);
      scopes.push(attrs);
      if (open.length === 0) checkElement(name, scopes, 'sensml');
      else if (open.length === 1) {
        checkElement(name, scopes, 'senml', records.length);
        records.push(recordFromAttributes(attrs, records.length));
      } else throw new SenmlError('SENML_SHAPE', `<${open[1]}> (record ${records.length - 1}) must be empty: SenML fields are attributes (RFC 8428 §7), got <${name}> inside it`);
      open.push(name);
    } catch (err) {
      failure = err as Error;
    }
  });
  parser.on('endElement', (name) => {
    if (failure) return;
    const expected = open.pop();
    scopes.pop();
    if (expected !== name) failure = new SenmlError('SENML_SYNTAX', `not well-formed XML: </${name}> closes <${expected ?? 'nothing'}>`);
    else if (open.length === 0) closedRoot = true;
  });
  parser.on('text', (chunk) => {
    if (!failure && chunk.trim().length > 0) {
      failure = new SenmlError('SENML_SHAPE', `unexpected text ${describe(chunk.trim())} ${open.length ? `inside <${open[open.length - 1]}>` : 'outside the root element'}: SenML XML carries its data in attributes`);
    }
  });
  parser.on('error', (err) => {
    failure ??= err;
  });
  try {
    parser.write(text);
    parser.end();
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure) throw failure instanceof SenmlError ? failure : new SenmlError('SENML_SYNTAX', `not well-formed XML: ${failure.message}`);
  if (!closedRoot) throw new SenmlError('SENML_SYNTAX', open.length ? `not well-formed XML: the document ends inside <${open[open.length - 1]}>` : 'not XML: no <sensml> element found');
  return records;
}

/** Records from a <sensml> element already parsed, as XMPP hands them over. */
export function recordsFromElement(sensml: Element): SenmlRecord[] {
  if (sensml.getName() !== 'sensml' || sensml.getNS() !== SENML_XML_NAMESPACE) {
    throw new SenmlError('SENML_SHAPE', `expected <sensml xmlns="${SENML_XML_NAMESPACE}">, got <${sensml.name}>`);
  }
  const records: SenmlRecord[] = [];
  for (const child of sensml.children) {
    if (typeof child === 'string') {
      if (child.trim()) throw new SenmlError('SENML_SHAPE', `unexpected text ${describe(child.trim())} inside <sensml>`);
      continue;
    }
    if (child.getName() !== 'senml' || child.getNS() !== SENML_XML_NAMESPACE) {
      throw new SenmlError('SENML_SHAPE', `element ${records.length} must be <senml> in namespace ${SENML_XML_NAMESPACE}, got <${child.name}>`);
    }
    records.push(recordFromAttributes(child.attrs as Record<string, string>, records.length));
  }
  return records;
}

const XML_NAME = /^[A-Za-z_][-._A-Za-z0-9]*$/;
// Characters XML 1.0 cannot carry at all (§2.2), even escaped.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function attributeName(key: string, index: number): string {
  if (!XML_NAME.test(key)) throw new SenmlError('SENML_INPUT', `field name ${JSON.stringify(key)} cannot be an XML attribute`, { index, field: key });
  return key;
}

function attributeText(value: unknown, index: number, key: string): string {
  const text = typeof value === 'string' ? value : String(value);
  if (NOT_XML_CHAR.test(text)) throw new SenmlError('SENML_INPUT', 'holds a character that XML cannot carry', { index, field: key });
  // Line ends and tabs inside attributes are normalised away by XML readers (§3.3.3): keep them as references.
  return text;
}

function escapeAttribute(text: string): string {
  return escapeXML(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Attribute text that needs neither escaping nor a check: no markup, quote, line end or control character, no surrogate.
const PLAIN_ATTRIBUTE = /^[^&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]*$/;

/** One attribute, as ` key="text"`; numbers, booleans and plain text skip the escaping and checks they cannot need. */
function attribute(key: string, value: unknown, index: number): string {
  const name = isKnownLabel(key) ? key : attributeName(key, index);
  if (typeof value === 'number' || typeof value === 'boolean') return ` ${name}="${String(value)}"`;
  if (typeof value === 'string' && PLAIN_ATTRIBUTE.test(value)) return ` ${name}="${value}"`;
  return ` ${name}="${escapeAttribute(attributeText(value, index, key))}"`;
}

/** Serialise records as application/senml+xml. */
export function toXml(records: readonly SenmlRecord[]): string {
  // Parts joined once: a string grown with += is a rope of one node per piece, eight times the text in memory.
  const parts: string[] = [`<sensml xmlns="${SENML_XML_NAMESPACE}">`];
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    let element = '<senml';
    for (const key in record) {
      const value = record[key];
      if (value !== undefined) element += attribute(key, value, index);
    }
    parts.push(element + '/>');
  }
  parts.push('</sensml>');
  return parts.join('');
}

/** The same pack as an ltx element, ready to put inside a stanza. */
export function toXmlElement(records: readonly SenmlRecord[]): Element {
  const root = new Element('sensml', { xmlns: SENML_XML_NAMESPACE });
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const attrs: Record<string, string> = {};
    for (const key in record) if (record[key] !== undefined) attrs[attributeName(key, index)] = attributeText(record[key], index, key);
    root.c('senml', attrs).up();
  }
  return root;
}
