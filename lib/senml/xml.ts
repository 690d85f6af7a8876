import { Element, escapeXML } from 'ltx';
import { holdsNonXmlCharacter } from '../xml-characters';
import { SenmlError, describe } from './errors';
import { XML_TYPE, isKnownLabel } from './labels';
import type { SenmlRecord } from './model';
import { decodeUtf8 } from './text';
import { type QualifiedName, type XmlAttributes, XmlReader, isXmlName } from './xml-reader';

/** RFC 8428 §7 and §12.4. */
export const SENML_XML_NAMESPACE = 'urn:ietf:params:xml:ns:senml';

// xsd:double, xsd:int and xsd:boolean lexical forms (whitespace collapsed).
const DOUBLE = /^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)\s*$/;
const INTEGER = /^\s*[+-]?\d+\s*$/;

/** 1: a character of a plain decimal number, the usual form of xsd:double ("21.5", "-1e3"). */
const PLAIN_NUMBER_CHARS = new Uint8Array(128);
for (const c of '0123456789.eE+-') PLAIN_NUMBER_CHARS[c.charCodeAt(0)] = 1;

/** An xsd:double attribute: a plain number read at once, anything else by its lexical form. */
function xsdDouble(text: string, index: number, label: string): number {
  let plain = text.length > 0;
  for (let i = 0; plain && i < text.length; i++) {
    const c = text.charCodeAt(i);
    plain = c < 128 && PLAIN_NUMBER_CHARS[c] === 1;
  }
  if (plain) {
    // Over these characters, Number() accepts exactly the strings xsd:double does.
    const value = Number(text);
    if (!Number.isNaN(value)) return value;
  }
  if (!DOUBLE.test(text))
    throw new SenmlError('SENML_TYPE_XSD_DOUBLE', { got: describe(text) }, { index, field: label });
  return parseDouble(text.trim());
}

function typedValue(label: string, text: string, index: number): unknown {
  if (!isKnownLabel(label)) return text; // extension attributes are text: their type is unknown here
  switch (XML_TYPE[label]) {
    case 'string':
      return text;
    case 'double':
      return xsdDouble(text, index, label);
    case 'int':
      if (!INTEGER.test(text))
        throw new SenmlError(
          'SENML_TYPE_INTEGER',
          { got: describe(text) },
          { index, field: label },
        );
      return Number(text.trim());
    case 'boolean': {
      const word = text.trim();
      if (word === 'true' || word === '1') return true;
      if (word === 'false' || word === '0') return false;
      throw new SenmlError('SENML_TYPE_BOOLEAN', { got: describe(text) }, { index, field: label });
    }
  }
}

function parseDouble(text: string): number {
  if (text.endsWith('INF')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text); // "NaN" gives NaN, refused later with the other non-finite numbers
}

/** One SenML field into a record; "__proto__" is a field like any other, not the record's prototype. */
function setField(record: SenmlRecord, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(record, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else record[name] = value;
}

function checkElement(element: QualifiedName, expected: 'sensml' | 'senml', index?: number): void {
  if (element.local !== expected || element.namespace !== SENML_XML_NAMESPACE) {
    const params = { expected: SENML_XML_NAMESPACE, element: element.name };
    if (expected === 'sensml') {
      if (element.namespace)
        throw new SenmlError('SENML_XML_ROOT_ELEMENT', { ...params, namespace: element.namespace });
      throw new SenmlError('SENML_XML_ROOT_ELEMENT_NO_NAMESPACE', params);
    }
    const atIndex = { ...params, index: index ?? 0 };
    if (element.namespace)
      throw new SenmlError('SENML_XML_RECORD_ELEMENT', {
        ...atIndex,
        namespace: element.namespace,
      });
    throw new SenmlError('SENML_XML_RECORD_ELEMENT_NO_NAMESPACE', atIndex);
  }
}

/**
 * Parse application/senml+xml (RFC 8428 §7) into records in JSON form, typed by
 * Table 5. The document must be well-formed XML (see xml-reader.ts); SenML's
 * fields are the attributes in no namespace of each <senml> element.
 */
export function parseXml(input: string | Uint8Array): SenmlRecord[] {
  let text = typeof input === 'string' ? input : decodeUtf8(input, 'XML');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: SenmlRecord[] = [];
  new XmlReader(text, (depth, element, attributes) => {
    if (depth === 0) checkElement(element, 'sensml');
    else if (depth === 1) {
      checkElement(element, 'senml', records.length);
      records.push(recordFromXmlAttributes(attributes, records.length));
    } else {
      throw new SenmlError('SENML_XML_RECORD_NOT_EMPTY', {
        index: records.length - 1,
        element: element.name,
      });
    }
  }).read();
  return records;
}

function recordFromXmlAttributes(attributes: XmlAttributes, index: number): SenmlRecord {
  const record: SenmlRecord = {};
  for (let i = 0; i < attributes.count; i++) {
    // Attributes in a namespace (xml:lang, another vocabulary's) are not SenML fields.
    if (attributes.namespace(i) !== undefined) continue;
    const name = attributes.name(i);
    const text = attributes.value(i);
    // Named stores for SenML's own labels: records then share their shapes.
    switch (name) {
      case 'n':
        record.n = text;
        break;
      case 'u':
        record.u = text;
        break;
      case 'v':
        record.v = xsdDouble(text, index, name);
        break;
      case 't':
        record.t = xsdDouble(text, index, name);
        break;
      case 'bn':
        record.bn = text;
        break;
      case 'bt':
        record.bt = xsdDouble(text, index, name);
        break;
      case 'bu':
        record.bu = text;
        break;
      default:
        setField(record, name, typedValue(name, text, index));
    }
  }
  return record;
}

function recordFromAttributes(attrs: Record<string, string>, index: number): SenmlRecord {
  const record: SenmlRecord = {};
  for (const name in attrs) {
    // Namespace declarations and attributes in other namespaces are not SenML fields.
    if (name === 'xmlns' || name.includes(':')) continue;
    if (!isXmlName(name))
      throw new SenmlError('SENML_XML_ATTRIBUTE_NAME', { name: JSON.stringify(name) }, { index });
    setField(record, name, typedValue(name, attrs[name], index));
  }
  return record;
}

/** Records from a <sensml> element already parsed, as XMPP hands them over. */
export function recordsFromElement(sensml: Element): SenmlRecord[] {
  if (sensml.getName() !== 'sensml' || sensml.getNS() !== SENML_XML_NAMESPACE) {
    throw new SenmlError('SENML_XML_NOT_SENSML', {
      expected: SENML_XML_NAMESPACE,
      element: sensml.name,
    });
  }
  const records: SenmlRecord[] = [];
  for (const child of sensml.children) {
    if (typeof child === 'string') {
      if (child.trim())
        throw new SenmlError('SENML_XML_TEXT_IN_SENSML', { text: describe(child.trim()) });
      continue;
    }
    if (child.getName() !== 'senml' || child.getNS() !== SENML_XML_NAMESPACE) {
      throw new SenmlError('SENML_XML_CHILD_NOT_SENML', {
        index: records.length,
        expected: SENML_XML_NAMESPACE,
        element: child.name,
      });
    }
    records.push(recordFromAttributes(child.attrs as Record<string, string>, records.length));
  }
  return records;
}

const XML_NAME = /^[A-Za-z_][-._A-Za-z0-9]*$/;

function attributeName(key: string, index: number): string {
  if (!XML_NAME.test(key))
    throw new SenmlError(
      'SENML_XML_FIELD_NAME',
      { name: JSON.stringify(key) },
      { index, field: key },
    );
  return key;
}

function attributeText(value: unknown, index: number, key: string): string {
  const text = typeof value === 'string' ? value : String(value);
  if (holdsNonXmlCharacter(text))
    throw new SenmlError('SENML_XML_CHARACTER_NOT_CARRIED', {}, { index, field: key });
  // Line ends and tabs inside attributes are normalised away by XML readers (§3.3.3): keep them as references.
  return text;
}

function escapeAttribute(text: string): string {
  return escapeXML(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Attribute text that needs neither escaping nor a check: no markup, quote, line end or control character, no surrogate.
// eslint-disable-next-line no-control-regex -- control characters are what sends a value to the slow path
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
    for (const key in record)
      if (record[key] !== undefined)
        attrs[attributeName(key, index)] = attributeText(record[key], index, key);
    root.c('senml', attrs).up();
  }
  return root;
}
