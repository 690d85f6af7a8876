import { SenmlError, describe } from './errors';
import type { SenmlErrorMessageId } from './messages';
import type { SenmlParams } from './sentences';

/**
 * A reader of the XML that application/senml+xml (RFC 8428 §7) is made of: one
 * root element holding empty elements with attributes, comments and processing
 * instructions between them. It checks what XML 1.0 (Fifth Edition) and
 * Namespaces in XML 1.0 require of a well-formed document, for that subset:
 *
 * - names follow the Name production (§2.3), with at most one colon (Namespaces §3);
 * - an attribute appears once per element (§3.1 WFC Unique Att Spec), also once
 *   prefixes are resolved to namespaces (Namespaces §6.3); its value holds no "<"
 *   (§3.1 WFC No < in Attribute Values) and only the five predefined entities or
 *   character references of legal characters (§4.1, §4.6);
 * - attribute values are normalised (§3.3.3): line ends (§2.11), tabs and newlines
 *   written as such become spaces, while &#9; &#10; &#13; stay what they say;
 * - every character is a legal XML character (§2.2); comments hold no "--" (§2.5);
 * - tags nest and match (§3 WFC Element Type Match), one root, nothing but
 *   comments, processing instructions and white space around it;
 * - a document type declaration is refused, as XMPP refuses it (RFC 6120 §11.1):
 *   no entity is ever defined, so none is ever expanded.
 *
 * Text where SenML has none, or an element inside a record, is a SenML error
 * rather than an XML one, and is reported as such.
 */
export interface XmlElementHandler {
  /**
   * An element opens, at `depth` (0: the root), its name and namespace resolved;
   * `attributes` is valid during the call only (the reader reuses it).
   */
  (depth: number, element: QualifiedName, attributes: XmlAttributes): void;
}

export interface QualifiedName {
  /** As written, with its prefix if any. */
  name: string;
  local: string;
  namespace: string | undefined;
}

/** The attributes of the element being read, namespace declarations left out, in document order. */
export interface XmlAttributes {
  readonly count: number;
  /** The name as written, with its prefix if any. */
  name(i: number): string;
  /** The normalised value (§3.3.3). */
  value(i: number): string;
  /** The namespace of a prefixed name; undefined for an unprefixed one (Namespaces in XML §6.2). */
  namespace(i: number): string | undefined;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** Characters of ASCII names: 2 may start a name, 1 may follow (XML 1.0 §2.3). */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII_NAME[c] = 2;
  else if (/[-.0-9]/.test(ch)) ASCII_NAME[c] = 1;
}
// NameStartChar and NameChar beyond ASCII (XML 1.0 §2.3, productions [4] and [4a]).
// The range \u200C-\u200D is the spec's, not a joined character.
/* eslint-disable no-misleading-character-class */
const NAME_START =
  /^[A-Z_a-z:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}]$/u;
const NAME_CHAR =
  /^[-.0-9\u00B7\u0300-\u036F\u203F-\u2040A-Z_a-z:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}]$/u;

/* eslint-enable no-misleading-character-class */

/** Whether `name` is an XML Name (§2.3). */
export function isXmlName(name: string): boolean {
  if (name.length === 0) return false;
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    if (ASCII_NAME[c] === 0 || (i === 0 && ASCII_NAME[c] !== 2)) return false;
  }
  if (ascii) return true;
  const chars = [...name];
  return NAME_START.test(chars[0]) && chars.every((ch) => NAME_CHAR.test(ch));
}

/** A character as its code point, for a message: U+0001. */
function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What is wrong when a name is missing where one must be: the document ends there, or a character that cannot start it. */
const NAME_FAILURES = {
  element: { ends: 'SENML_XML_ENDS_BEFORE_ELEMENT_NAME', start: 'SENML_XML_ELEMENT_NAME_START' },
  attribute: {
    ends: 'SENML_XML_ENDS_BEFORE_ATTRIBUTE_NAME',
    start: 'SENML_XML_ATTRIBUTE_NAME_START',
  },
  endTag: { ends: 'SENML_XML_ENDS_BEFORE_END_TAG_NAME', start: 'SENML_XML_END_TAG_NAME_START' },
} as const satisfies Record<string, { ends: SenmlErrorMessageId; start: SenmlErrorMessageId }>;

/** From this many attributes on, duplicates are looked up in a set. */
const MANY_ATTRIBUTES = 16;

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};

function isWhiteSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** XML 1.0 §2.2 Char, for one UTF-16 code unit (surrogates are checked in pairs by the caller). */
function isPlainXmlChar(c: number): boolean {
  return c >= 0x20
    ? c <= 0xd7ff || (c >= 0xe000 && c <= 0xfffd)
    : c === 0x09 || c === 0x0a || c === 0x0d;
}

function isXmlCodePoint(code: number): boolean {
  return code >= 0x20
    ? code <= 0xd7ff || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
    : code === 0x09 || code === 0x0a || code === 0x0d;
}

export class XmlReader implements XmlAttributes {
  #pos = 0;
  readonly #text: string;
  readonly #onElement: XmlElementHandler;
  /** Namespace declarations in scope, innermost last: prefix ('' for the default) → namespace, with the depth that made them. */
  readonly #scopes: { depth: number; bindings: Map<string, string> }[] = [];
  /** The attributes of the element being read (reused from element to element): names, values, start offsets. */
  #names: string[] = [];
  #values: string[] = [];
  #starts: number[] = [];
  #namespaces: (string | undefined)[] = [];
  #count = 0;
  /** The last element name resolved, and the scope it was resolved in, since most elements repeat it. */
  #lastElement: QualifiedName | undefined;
  #lastScopes = -1;

  constructor(text: string, onElement: XmlElementHandler) {
    this.#text = text;
    this.#onElement = onElement;
  }

  /** Read the whole document, calling the handler for each element as it opens. */
  read(): void {
    const text = this.#text;
    if (
      text.startsWith('<?xml') &&
      (text.length === 5 || isWhiteSpace(text.charCodeAt(5)) || text.charCodeAt(5) === 0x3f)
    )
      this.#xmlDeclaration();
    this.#misc('SENML_XML_TEXT_BEFORE_ROOT');
    if (this.#pos >= text.length) this.#fail('SENML_XML_NO_ROOT');
    this.#element(0);
    this.#misc('SENML_XML_TEXT_AFTER_ROOT');
    if (this.#pos < text.length) this.#fail('SENML_XML_AFTER_ROOT');
  }

  /** The document is not well-formed: why, and where (`at`, an offset in the text). */
  #fail(reason: SenmlErrorMessageId, params: SenmlParams = {}, at = this.#pos): never {
    const before = this.#text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new SenmlError(reason, { ...params, line, column });
  }

  #failForbidden(c: number, at = this.#pos): never {
    this.#fail('SENML_XML_FORBIDDEN_CHARACTER', { character: codePoint(c) }, at);
  }

  /** XMLDecl (§2.8): version 1.x; an encoding, if declared, must be UTF-8, the only one SenML XML uses here. */
  #xmlDeclaration(): void {
    const end = this.#text.indexOf('?>', 5);
    if (end < 0) this.#fail('SENML_XML_DECLARATION_OPEN');
    const body = this.#text.slice(5, end);
    this.#checkChars(5, end);
    const declaration =
      /^\s+version\s*=\s*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:\s+encoding\s*=\s*(?:"([A-Za-z][-A-Za-z0-9._]*)"|'([A-Za-z][-A-Za-z0-9._]*)'))?(?:\s+standalone\s*=\s*(?:"(?:yes|no)"|'(?:yes|no)'))?\s*$/.exec(
        body,
      );
    if (!declaration) this.#fail('SENML_XML_DECLARATION_MALFORMED');
    const encoding = declaration[1] ?? declaration[2];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding))
      throw new SenmlError('SENML_XML_ENCODING', { encoding });
    this.#pos = end + 2;
  }

  /** Misc* (§2.8): white space, comments, processing instructions; a DOCTYPE is refused. `unexpectedText` says where text would be. */
  #misc(unexpectedText: 'SENML_XML_TEXT_BEFORE_ROOT' | 'SENML_XML_TEXT_AFTER_ROOT'): void {
    const text = this.#text;
    for (;;) {
      const c = text.charCodeAt(this.#pos);
      if (isWhiteSpace(c)) {
        this.#pos++;
        continue;
      }
      if (c !== 0x3c /* < */) {
        if (this.#pos < text.length) {
          if (!isPlainXmlChar(c)) this.#failForbidden(c);
          const end = text.indexOf('<', this.#pos);
          const chunk = text.slice(this.#pos, end < 0 ? text.length : end).trim();
          throw new SenmlError(unexpectedText, { text: describe(chunk) });
        }
        return;
      }
      const next = text.charCodeAt(this.#pos + 1);
      if (next === 0x21 /* ! */) {
        if (text.startsWith('<!--', this.#pos)) this.#comment();
        else if (text.startsWith('<!DOCTYPE', this.#pos)) throw new SenmlError('SENML_XML_DTD');
        else this.#fail('SENML_XML_BANG_OUTSIDE');
      } else if (next === 0x3f /* ? */) this.#processingInstruction();
      else return;
    }
  }

  /** Comment (§2.5): no "--" inside. */
  #comment(): void {
    const start = this.#pos + 4;
    const end = this.#text.indexOf('--', start);
    if (end < 0) this.#fail('SENML_XML_COMMENT_OPEN');
    if (this.#text.charCodeAt(end + 2) !== 0x3e /* > */)
      this.#fail('SENML_XML_COMMENT_DASHES', {}, end);
    this.#checkChars(start, end);
    this.#pos = end + 3;
  }

  /** PI (§2.6): a target that is a Name other than "xml", then anything up to "?>". */
  #processingInstruction(): void {
    const start = this.#pos + 2;
    const end = this.#text.indexOf('?>', start);
    if (end < 0) this.#fail('SENML_XML_PI_OPEN');
    let nameEnd = start;
    while (nameEnd < end && !isWhiteSpace(this.#text.charCodeAt(nameEnd))) nameEnd++;
    const target = this.#text.slice(start, nameEnd);
    if (!isXmlName(target))
      this.#fail('SENML_XML_PI_TARGET', { target: JSON.stringify(target) }, start);
    if (target.toLowerCase() === 'xml') this.#fail('SENML_XML_DECLARATION_LATE', {}, this.#pos);
    this.#checkChars(nameEnd, end);
    this.#pos = end + 2;
  }

  /** Every character of text[start, end) is a legal XML character (§2.2), surrogates in pairs. */
  #checkChars(start: number, end: number): void {
    const text = this.#text;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (isPlainXmlChar(c)) continue;
      if (c >= 0xd800 && c <= 0xdbff) {
        const low = text.charCodeAt(i + 1);
        if (i + 1 < end && low >= 0xdc00 && low <= 0xdfff) {
          i++;
          continue;
        }
      }
      this.#failForbidden(c, i);
    }
  }

  get count(): number {
    return this.#count;
  }

  name(i: number): string {
    return this.#names[i];
  }

  value(i: number): string {
    return this.#values[i];
  }

  namespace(i: number): string | undefined {
    return this.#namespaces[i];
  }

  /** element (§3.1), at `depth` (0: the root). SenML's elements are empty, or hold elements (the root) and no text. */
  #element(depth: number): void {
    const text = this.#text;
    const open = this.#pos;
    this.#pos++; // "<"
    const name = this.#name('element');
    let count = 0;
    let seen: Set<string> | undefined;
    let declarations = false;
    let prefixed = false;
    let selfClosing = false;
    for (;;) {
      const hadSpace = this.#spaces();
      const c = text.charCodeAt(this.#pos);
      if (c === 0x3e /* > */) {
        this.#pos++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (text.charCodeAt(this.#pos + 1) !== 0x3e) this.#fail('SENML_XML_SLASH');
        this.#pos += 2;
        selfClosing = true;
        break;
      }
      if (this.#pos >= text.length) this.#fail('SENML_XML_ENDS_IN_TAG', { element: name }, open);
      if (!hadSpace) this.#fail('SENML_XML_ATTRIBUTE_NO_SPACE', { element: name });
      const at = this.#pos;
      const attributeName = this.#name('attribute');
      this.#spaces();
      if (text.charCodeAt(this.#pos) !== 0x3d /* = */)
        this.#fail('SENML_XML_ATTRIBUTE_NO_VALUE', { attribute: attributeName });
      this.#pos++;
      this.#spaces();
      const value = this.#attributeValue(attributeName);
      // A few attributes are compared in turn; past that, a set keeps a hostile element from costing n² comparisons.
      if (count === MANY_ATTRIBUTES) seen = new Set(this.#names.slice(0, count));
      let twice = seen?.has(attributeName) ?? false;
      for (let i = 0; seen === undefined && i < count; i++)
        if (this.#names[i] === attributeName) twice = true;
      if (twice)
        this.#fail('SENML_XML_ATTRIBUTE_TWICE', { attribute: attributeName, element: name }, at);
      seen?.add(attributeName);
      this.#names[count] = attributeName;
      this.#values[count] = value;
      this.#starts[count] = at;
      count++;
      if (attributeName.includes(':') || attributeName === 'xmlns') {
        prefixed = true;
        if (attributeName === 'xmlns' || attributeName.startsWith('xmlns:')) declarations = true;
      }
    }
    if (declarations) this.#declare(depth, count);
    const element = this.#qualifyElement(name, open);
    this.#count = count;
    if (prefixed) this.#resolveAttributes(name);
    else for (let i = 0; i < count; i++) this.#namespaces[i] = undefined;
    this.#onElement(depth, element, this);

    if (!selfClosing) {
      this.#content(depth, name);
      // The end tag: "</" Name S? ">" (§3.1).
      const at = this.#pos;
      this.#pos += 2;
      const endName = this.#name('endTag');
      this.#spaces();
      if (text.charCodeAt(this.#pos) !== 0x3e)
        this.#fail('SENML_XML_END_TAG_OPEN', { element: endName });
      this.#pos++;
      if (endName !== name)
        this.#fail('SENML_XML_END_TAG_MISMATCH', { end: endName, element: name }, at);
    }
    if (declarations) {
      this.#scopes.pop();
      this.#lastElement = undefined;
    }
  }

  /** The namespace declarations among the element's attributes (Namespaces in XML §3) open a scope. */
  #declare(depth: number, count: number): void {
    const bindings = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const name = this.#names[i];
      const value = this.#values[i];
      if (name === 'xmlns') bindings.set('', value);
      else if (name.startsWith('xmlns:')) {
        const prefix = name.slice(6);
        if (
          prefix === 'xmlns' ||
          (prefix === 'xml') !== (value === XML_NAMESPACE) ||
          value === XMLNS_NAMESPACE
        ) {
          this.#fail('SENML_XML_RESERVED_BINDING', { attribute: name }, this.#starts[i]);
        }
        if (value === '')
          this.#fail('SENML_XML_PREFIX_UNDECLARING', { attribute: name }, this.#starts[i]);
        bindings.set(prefix, value);
      }
    }
    this.#scopes.push({ depth, bindings });
    this.#lastElement = undefined;
  }

  #qualifyElement(name: string, at: number): QualifiedName {
    if (
      this.#lastElement !== undefined &&
      this.#lastElement.name === name &&
      this.#lastScopes === this.#scopes.length
    )
      return this.#lastElement;
    const element = this.#qualify(name, true, at);
    this.#lastElement = element;
    this.#lastScopes = this.#scopes.length;
    return element;
  }

  /** Namespaces of prefixed attributes; declarations leave the list; one expanded name per element (Namespaces §6.3). */
  #resolveAttributes(element: string): void {
    let kept = 0;
    const expanded = new Set<string>();
    for (let i = 0; i < this.#count; i++) {
      const name = this.#names[i];
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const qualified = this.#qualify(name, false, this.#starts[i]);
      if (qualified.namespace !== undefined) {
        const key = `${qualified.namespace} ${qualified.local}`;
        if (expanded.has(key))
          this.#fail(
            'SENML_XML_EXPANDED_ATTRIBUTE_TWICE',
            { element, local: qualified.local, namespace: qualified.namespace },
            this.#starts[i],
          );
        expanded.add(key);
      }
      this.#names[kept] = name;
      this.#values[kept] = this.#values[i];
      this.#starts[kept] = this.#starts[i];
      this.#namespaces[kept] = qualified.namespace;
      kept++;
    }
    this.#count = kept;
  }

  /** content (§3.1) up to the end tag: elements (at the root only), comments, processing instructions, white space. */
  #content(depth: number, name: string): void {
    const text = this.#text;
    for (;;) {
      const start = this.#pos;
      while (isWhiteSpace(text.charCodeAt(this.#pos))) this.#pos++;
      if (this.#pos >= text.length)
        this.#fail('SENML_XML_ENDS_IN_ELEMENT', { element: name }, start);
      const c = text.charCodeAt(this.#pos);
      if (c !== 0x3c /* < */) {
        if (c === 0x26 /* & */ || isPlainXmlChar(c)) {
          const end = text.indexOf('<', this.#pos);
          const chunk = text.slice(this.#pos, end < 0 ? text.length : end).trim();
          throw new SenmlError('SENML_XML_TEXT_INSIDE', { text: describe(chunk), element: name });
        }
        this.#failForbidden(c);
      }
      const next = text.charCodeAt(this.#pos + 1);
      if (next === 0x2f /* / */) return;
      if (next === 0x21 /* ! */) {
        if (text.startsWith('<!--', this.#pos)) this.#comment();
        else if (text.startsWith('<![CDATA[', this.#pos)) {
          const end = text.indexOf(']]>', this.#pos + 9);
          if (end < 0) this.#fail('SENML_XML_CDATA_OPEN');
          const chunk = text.slice(this.#pos + 9, end);
          this.#checkChars(this.#pos + 9, end);
          if (chunk.trim().length > 0)
            throw new SenmlError('SENML_XML_TEXT_INSIDE', {
              text: describe(chunk.trim()),
              element: name,
            });
          this.#pos = end + 3;
        } else if (text.startsWith('<!DOCTYPE', this.#pos)) throw new SenmlError('SENML_XML_DTD');
        else this.#fail('SENML_XML_BANG_INSIDE');
      } else if (next === 0x3f /* ? */) this.#processingInstruction();
      else this.#element(depth + 1);
    }
  }

  /** A Name (§2.3) at the current position: an element's, an attribute's or an end tag's. */
  #name(what: keyof typeof NAME_FAILURES): string {
    const text = this.#text;
    const start = this.#pos;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        if (ASCII_NAME[c] === 0 || (i === start && ASCII_NAME[c] !== 2)) break;
      } else if (!this.#nonAsciiNameChar(i, i === start)) break;
      else if (c >= 0xd800 && c <= 0xdbff) i++;
    }
    if (i === start) {
      if (start >= text.length) this.#fail(NAME_FAILURES[what].ends);
      this.#fail(NAME_FAILURES[what].start, {
        character: JSON.stringify(String.fromCodePoint(text.codePointAt(start) ?? 0)),
      });
    }
    this.#pos = i;
    return text.slice(start, i);
  }

  #nonAsciiNameChar(at: number, first: boolean): boolean {
    const ch = String.fromCodePoint(this.#text.codePointAt(at) ?? 0);
    return first ? NAME_START.test(ch) : NAME_CHAR.test(ch);
  }

  /** Skip S (§2.3); whether there was any. */
  #spaces(): boolean {
    const start = this.#pos;
    while (isWhiteSpace(this.#text.charCodeAt(this.#pos))) this.#pos++;
    return this.#pos > start;
  }

  /** AttValue (§2.3), normalised as CDATA (§3.3.3): the attribute types of SenML are declared by no DTD. */
  #attributeValue(attributeName: string): string {
    const text = this.#text;
    const quote = text.charCodeAt(this.#pos);
    if (quote !== 0x22 && quote !== 0x27)
      this.#fail('SENML_XML_VALUE_UNQUOTED', { attribute: attributeName });
    const start = this.#pos + 1;
    let i = start;
    let plain = true;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === quote) break;
      if (c === 0x3c /* < */)
        this.#fail('SENML_XML_VALUE_LESS_THAN', { attribute: attributeName }, i);
      if (c === 0x26 /* & */ || c < 0x20 || c >= 0xd800) plain = false;
    }
    if (i >= text.length)
      this.#fail('SENML_XML_VALUE_OPEN', { attribute: attributeName }, start - 1);
    this.#pos = i + 1;
    return plain ? text.slice(start, i) : this.#normalise(start, i, attributeName);
  }

  #normalise(start: number, end: number, attributeName: string): string {
    const text = this.#text;
    let out = '';
    let from = start;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x26 /* & */) {
        out += text.slice(from, i);
        const close = text.indexOf(';', i);
        if (close < 0 || close > end)
          this.#fail('SENML_XML_VALUE_AMPERSAND', { attribute: attributeName }, i);
        out += this.#reference(text.slice(i + 1, close), i);
        i = close;
        from = close + 1;
      } else if (c === 0x0d || c === 0x0a || c === 0x09) {
        // §2.11: CR LF and a lone CR are one line end; §3.3.3: a literal line end or tab is a space.
        out += text.slice(from, i) + ' ';
        if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
        from = i + 1;
      } else if (!isPlainXmlChar(c)) {
        const low = text.charCodeAt(i + 1);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && low >= 0xdc00 && low <= 0xdfff) i++;
        else
          this.#fail(
            'SENML_XML_VALUE_FORBIDDEN_CHARACTER',
            { character: codePoint(c), attribute: attributeName },
            i,
          );
      }
    }
    return out + text.slice(from, end);
  }

  /** The text of an entity or character reference (§4.1): predefined entities only, legal characters only. */
  #reference(body: string, at: number): string {
    if (body.startsWith('#')) {
      const hex = body.startsWith('#x');
      const digits = body.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9A-Fa-f]{1,6}$/ : /^[0-9]{1,7}$/).test(digits))
        this.#fail('SENML_XML_REFERENCE_MALFORMED', { reference: `&${body};` }, at);
      const code = parseInt(digits, hex ? 16 : 10);
      if (!isXmlCodePoint(code))
        this.#fail('SENML_XML_REFERENCE_FORBIDDEN', { reference: `&${body};` }, at);
      return String.fromCodePoint(code);
    }
    const replacement = PREDEFINED_ENTITIES[body];
    if (replacement === undefined)
      this.#fail('SENML_XML_ENTITY_UNDEFINED', { reference: `&${body};` }, at);
    return replacement;
  }

  /** Resolve a QName's prefix (Namespaces in XML §5); an element without prefix takes the default namespace. */
  #qualify(name: string, isElement: boolean, at: number): QualifiedName {
    const colon = name.indexOf(':');
    if (colon < 0)
      return { name, local: name, namespace: isElement ? this.#lookup('') : undefined };
    const prefix = name.slice(0, colon);
    const local = name.slice(colon + 1);
    if (prefix.length === 0 || local.length === 0 || local.includes(':') || !isXmlName(local)) {
      this.#fail('SENML_XML_NOT_QNAME', { name: JSON.stringify(name) }, at);
    }
    if (prefix === 'xml') return { name, local, namespace: XML_NAMESPACE };
    if (prefix === 'xmlns')
      this.#fail(isElement ? 'SENML_XML_XMLNS_ELEMENT' : 'SENML_XML_XMLNS_ATTRIBUTE', {}, at);
    const namespace = this.#lookup(prefix);
    if (namespace === undefined) this.#fail('SENML_XML_PREFIX_UNDECLARED', { prefix, name }, at);
    return { name, local, namespace };
  }

  #lookup(prefix: string): string | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const namespace = this.#scopes[i].bindings.get(prefix);
      if (namespace !== undefined) return prefix === '' && namespace === '' ? undefined : namespace;
    }
    return undefined;
  }
}
