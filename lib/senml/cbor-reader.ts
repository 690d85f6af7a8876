import { bytesToBase64url } from './base64url';
import { SenmlError, describe } from './errors';
import { CBOR_KEY, CBOR_LABEL_BY_KEY, type KnownLabel, isKnownLabel } from './labels';
import type { NoteListener } from './notes';
import { UnusableValue } from './unusable';

/**
 * Reads application/senml+cbor (RFC 8428 §6) straight from RFC 8949 bytes into
 * records in JSON form. It sees what a general CBOR decoder hides once it has
 * built JavaScript values: whether a map key was an integer, text or a float,
 * and the major type of every value. So:
 *
 * - integer keys are the labels of §6, Table 4; text keys are extension names,
 *   even "2" or "-1" (§6: "any extensions will use string map keys"); a text key
 *   that spells a SenML label ("n") is refused, as is a key of any other type;
 *   an integer key outside the table is ignored (§4.4), and reported;
 * - "bver" must be an unsigned integer (§6); "vd" a definite-length byte string;
 * - a record is a map, or a map under tag 259 (the "map" tag cbor-x writes);
 *   any other tagged record, and every value no SenML field can hold (undefined,
 *   null, arrays, maps, unknown tags), reach validation as what they are, so the
 *   error names them; an extension holding one is ignored (§4.4) and reported;
 * - numbers: integers of any size (64-bit, bignum tags 2 and 3) become the nearest
 *   double, as JSON.parse does; decimal fractions (tag 4) and bigfloats (tag 5)
 *   the double nearest to their exact value; floats of 16, 32 and 64 bits;
 * - text must be valid UTF-8 of definite length (§6).
 */
export function readSenmlCbor(bytes: Uint8Array, onIgnored?: NoteListener): unknown[] {
  const reader = new CborReader(bytes, onIgnored);
  const records = reader.readPack();
  if (reader.pos !== bytes.length) reader.fail(`${bytes.length - reader.pos} byte(s) after the end of the pack`);
  return records;
}

const MAJOR_UNSIGNED: number = 0;
const MAJOR_NEGATIVE: number = 1;
const MAJOR_BYTES: number = 2;
const MAJOR_TEXT: number = 3;
const MAJOR_ARRAY: number = 4;
const MAJOR_MAP: number = 5;
const MAJOR_TAG: number = 6;
const MAJOR_SIMPLE: number = 7;
const INDEFINITE = 31;
const BREAK = 0xff;

const TAG_POSITIVE_BIGNUM = 2;
const TAG_NEGATIVE_BIGNUM = 3;
const TAG_DECIMAL_FRACTION = 4;
const TAG_BIGFLOAT = 5;
/** RFC 8949 §3.4.6: "self-described CBOR", a marker with no meaning of its own. */
const TAG_SELF_DESCRIBED = 55799;
/** IANA CBOR tag 259: a map whose keys may be of any type (what cbor-x writes for a Map). */
const TAG_MAP = 259;

/** Nesting deeper than this is not a SenML pack, and would otherwise exhaust the stack. */
const MAX_DEPTH = 32;

// ignoreBOM: a text string that starts with U+FEFF keeps it; it is content, not a byte order mark.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What a value of a known label is expected to be, for error messages. */
const EXPECTED: Readonly<Record<KnownLabel, string>> = {
  bn: 'a text', bu: 'a text', n: 'a text', u: 'a text', vs: 'a text',
  bt: 'a number', bv: 'a number', bs: 'a number', v: 'a number', s: 'a number', t: 'a number', ut: 'a number',
  bver: 'an unsigned integer', vb: 'true or false', vd: 'a byte string',
};

class CborReader {
  pos = 0;
  /** Argument of the head just read: a count, a length, a tag number, an integer, or a float. */
  #arg = 0;
  /** The argument as read, before Number(): 64-bit integers above 2^53 keep their exact value here. */
  #bigArg: bigint | undefined;
  /** Major type and additional information of the head just read. */
  #major = 0;
  #info = 0;
  /** Index of the record being read, for error messages. */
  #record: number | undefined;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #onIgnored: NoteListener | undefined;

  constructor(bytes: Uint8Array, onIgnored: NoteListener | undefined) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#onIgnored = onIgnored;
  }

  fail(reason: string): never {
    throw new SenmlError('SENML_SYNTAX', `not valid CBOR: ${reason} (at byte ${this.pos})`);
  }

  #failField(code: 'SENML_TYPE' | 'SENML_VERSION' | 'SENML_SHAPE', message: string, field?: string): never {
    throw new SenmlError(code, message, { index: this.#record, field });
  }

  readPack(): unknown[] {
    this.#head();
    while (this.#major === MAJOR_TAG && this.#arg === TAG_SELF_DESCRIBED) this.#head();
    if (this.#major !== MAJOR_ARRAY) {
      throw new SenmlError('SENML_SHAPE', `a SenML pack is a CBOR array of maps, got ${this.#kindOfHead()}`);
    }
    const records: unknown[] = [];
    const count = this.#count();
    for (let index = 0; count < 0 ? !this.#atBreak() : index < count; index++) {
      this.#record = index;
      records.push(this.#readRecord());
    }
    this.#record = undefined;
    return records;
  }

  #readRecord(): unknown {
    this.#head();
    while (this.#major === MAJOR_TAG && (this.#arg === TAG_MAP || this.#arg === TAG_SELF_DESCRIBED)) {
      const tag = this.#arg;
      this.#head();
      if (tag === TAG_MAP && this.#major !== MAJOR_MAP) return this.#unusable(`CBOR tag 259 around ${this.#kindOfHead()}`, 1);
    }
    if (this.#major === MAJOR_MAP) return this.#readMap();
    if (this.#major === MAJOR_TAG) return this.#unusable(`a record under CBOR tag ${this.#arg}, which does not carry a map of SenML fields`, 1);
    return this.#readValueAfterHead(1);
  }

  #readMap(): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    const count = this.#count();
    for (let entry = 0; count < 0 ? !this.#atBreak() : entry < count; entry++) {
      this.#head();
      const major = this.#major;
      if (major === MAJOR_UNSIGNED || major === MAJOR_NEGATIVE) {
        const key = major === MAJOR_UNSIGNED ? this.#arg : -1 - this.#arg;
        // Named stores, one per label: records then share their shapes, as a JSON.parse'd pack's do.
        switch (key) {
          case 0: record.n = this.#readLabelled('n'); break;
          case 1: record.u = this.#readLabelled('u'); break;
          case 2: record.v = this.#readLabelled('v'); break;
          case 3: record.vs = this.#readLabelled('vs'); break;
          case 4: record.vb = this.#readLabelled('vb'); break;
          case 5: record.s = this.#readLabelled('s'); break;
          case 6: record.t = this.#readLabelled('t'); break;
          case 7: record.ut = this.#readLabelled('ut'); break;
          case 8: record.vd = this.#readLabelled('vd'); break;
          case -1: record.bver = this.#readLabelled('bver'); break;
          case -2: record.bn = this.#readLabelled('bn'); break;
          case -3: record.bt = this.#readLabelled('bt'); break;
          case -4: record.bu = this.#readLabelled('bu'); break;
          case -5: record.bv = this.#readLabelled('bv'); break;
          case -6: record.bs = this.#readLabelled('bs'); break;
          default:
            this.#skip(1);
            this.#ignored(`the CBOR label ${key} is not a SenML label (RFC 8428 §6, Table 4 is conclusive); the field is ignored (§4.4)`, String(key));
        }
      } else if (major === MAJOR_TEXT) {
        const key = this.#text();
        if (isKnownLabel(key)) {
          this.#failField('SENML_SHAPE', `SenML CBOR uses the integer label ${CBOR_KEY[key]} for "${key}", not text (RFC 8428 §6)`, key);
        }
        this.#readExtension(record, key);
      } else if (major === MAJOR_SIMPLE && this.#info >= 25 && this.#info <= 27) {
        this.#failField('SENML_SHAPE', `a map key is the floating-point number ${this.#arg}: SenML CBOR labels are integers (RFC 8428 §6, Table 4) and extensions use text keys`);
      } else {
        this.#failField('SENML_SHAPE', `a map key is ${this.#kindOfHead()}: SenML CBOR labels are integers (RFC 8428 §6, Table 4) and extensions use text keys`);
      }
    }
    return record;
  }

  #readLabelled(label: KnownLabel): unknown {
    this.#head();
    if (label === 'vd') {
      if (this.#major !== MAJOR_BYTES) return this.#wrongType(label);
      if (this.#info === INDEFINITE) this.#indefiniteString(label);
      return bytesToBase64url(this.#take(this.#length()));
    }
    if (label === 'bver') {
      if (this.#major !== MAJOR_UNSIGNED) {
        const got = this.#major === MAJOR_SIMPLE || this.#major === MAJOR_NEGATIVE ? describe(this.#readValueAfterHead(1)) : this.#kindOfHead();
        this.#failField('SENML_VERSION', `must be an unsigned integer in CBOR (RFC 8428 §6), got ${got}${this.#major === MAJOR_SIMPLE ? ' (a floating-point number)' : ''}`, label);
      }
      return this.#integerArg();
    }
    if (this.#major === MAJOR_BYTES) this.#failField('SENML_TYPE', `must not be a byte string, got ${describe(this.#take(this.#length()))}`, label);
    return this.#readValueAfterHead(1);
  }

  #wrongType(label: KnownLabel): never {
    const got = describe(this.#readValueAfterHead(1));
    this.#failField('SENML_TYPE', `must be ${EXPECTED[label]}${label === 'vd' ? ' (CBOR major type 2)' : ''}, got ${got}`, label);
  }

  /** Extensions (§4.4): texts, numbers and booleans are kept, bytes become base64url, anything else is ignored. */
  #readExtension(record: Record<string, unknown>, key: string): void {
    this.#head();
    let value: unknown;
    if (this.#major === MAJOR_BYTES) {
      if (this.#info === INDEFINITE) this.#indefiniteString(key);
      value = bytesToBase64url(this.#take(this.#length()));
    } else value = this.#readValueAfterHead(1);
    const kept = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    // A must-understand label (ending in "_") is kept whatever it holds, so that validation refuses the pack.
    if (!kept && key.charCodeAt(key.length - 1) !== 95 /* _ */) {
      this.#ignored(`field ${JSON.stringify(key)} holds ${describe(value)}, which a SenML field cannot carry; it is ignored (RFC 8428 §4.4)`, key);
      return;
    }
    if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    else record[key] = value;
  }

  /**
   * A value whose head has just been read: texts, numbers, booleans and null as
   * JavaScript values, byte strings as bytes; anything no SenML field can hold
   * as an UnusableValue naming it (its content read past).
   */
  #readValueAfterHead(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`items nested more than ${MAX_DEPTH} deep`);
    switch (this.#major) {
      case MAJOR_UNSIGNED:
        return this.#integerArg();
      case MAJOR_NEGATIVE:
        return this.#bigArg === undefined ? -1 - this.#arg : Number(-1n - this.#bigArg);
      case MAJOR_BYTES:
        if (this.#info === INDEFINITE) this.#indefiniteString();
        return this.#take(this.#length());
      case MAJOR_TEXT:
        return this.#text();
      case MAJOR_ARRAY:
      case MAJOR_MAP:
        return this.#unusable(this.#major === MAJOR_ARRAY ? 'a CBOR array' : 'a CBOR map', depth);
      case MAJOR_TAG:
        return this.#readTagged(depth);
      default:
        return this.#simple();
    }
  }

  #readTagged(depth: number): unknown {
    const tag = this.#arg;
    switch (tag) {
      case TAG_SELF_DESCRIBED:
        this.#head();
        return this.#readValueAfterHead(depth + 1);
      case TAG_POSITIVE_BIGNUM:
      case TAG_NEGATIVE_BIGNUM: {
        this.#head();
        if (this.#major !== MAJOR_BYTES || this.#info === INDEFINITE) return this.#unusableAfterHead(`CBOR tag ${tag} around ${this.#kindOfHead()}`, depth);
        let magnitude = 0n;
        for (const byte of this.#take(this.#length())) magnitude = (magnitude << 8n) | BigInt(byte);
        return Number(tag === TAG_POSITIVE_BIGNUM ? magnitude : -1n - magnitude);
      }
      case TAG_DECIMAL_FRACTION:
      case TAG_BIGFLOAT:
        return this.#readFraction(tag, depth);
      default:
        return this.#unusable(`CBOR tag ${tag}`, depth);
    }
  }

  /** Tag 4 (m × 10^e) and tag 5 (m × 2^e), RFC 8949 §3.4.4: the double nearest to the exact value. */
  #readFraction(tag: number, depth: number): unknown {
    const start = this.pos;
    const notAFraction = (): UnusableValue => {
      this.pos = start;
      this.#head();
      return this.#unusableAfterHead(`CBOR tag ${tag} that does not hold [exponent, mantissa]`, depth);
    };
    this.#head();
    if (this.#major !== MAJOR_ARRAY || this.#info === INDEFINITE || this.#arg !== 2) return notAFraction();
    this.#head();
    if (this.#major !== MAJOR_UNSIGNED && this.#major !== MAJOR_NEGATIVE) return notAFraction();
    const exponent = this.#readValueAfterHead(depth + 1) as number;
    this.#head();
    let mantissa: bigint | undefined;
    if (this.#major === MAJOR_UNSIGNED || this.#major === MAJOR_NEGATIVE) mantissa = this.#exactInteger();
    else if (this.#major === MAJOR_TAG) mantissa = this.#exactBignum(depth);
    if (mantissa === undefined) return notAFraction();
    if (tag === TAG_DECIMAL_FRACTION) return Number(`${mantissa}e${exponent}`);
    // Scaled in two steps, so that a large exponent cannot overflow before a small mantissa brings it back.
    const half = Math.trunc(exponent / 2);
    return Number(mantissa) * 2 ** half * 2 ** (exponent - half);
  }

  #exactInteger(): bigint {
    const magnitude = this.#bigArg ?? BigInt(this.#arg);
    return this.#major === MAJOR_UNSIGNED ? magnitude : -1n - magnitude;
  }

  #exactBignum(depth: number): bigint | undefined {
    const tag = this.#arg;
    if (tag !== TAG_POSITIVE_BIGNUM && tag !== TAG_NEGATIVE_BIGNUM) {
      this.#skipAfterHead(depth + 1);
      return undefined;
    }
    this.#head();
    if (this.#major !== MAJOR_BYTES || this.#info === INDEFINITE) {
      this.#skipAfterHead(depth + 1);
      return undefined;
    }
    let magnitude = 0n;
    for (const byte of this.#take(this.#length())) magnitude = (magnitude << 8n) | BigInt(byte);
    return tag === TAG_POSITIVE_BIGNUM ? magnitude : -1n - magnitude;
  }

  #simple(): unknown {
    switch (this.#info) {
      case 20: return false;
      case 21: return true;
      case 22: return null;
      case 23: return new UnusableValue('CBOR undefined');
      case 25: case 26: case 27: return this.#arg;
      default: return new UnusableValue(`the CBOR simple value ${this.#arg}`);
    }
  }

  /** Read past an array, a map or a tagged item whose head was just read, and name it. */
  #unusable(description: string, depth: number): UnusableValue {
    this.#skipAfterHead(depth);
    return new UnusableValue(description);
  }

  /** Read past the item whose head was just read (inside a tag), and name the tag. */
  #unusableAfterHead(description: string, depth: number): UnusableValue {
    this.#skipAfterHead(depth + 1);
    return new UnusableValue(description);
  }

  #skip(depth: number): void {
    this.#head();
    this.#skipAfterHead(depth);
  }

  /** Read past the item whose head was just read (a tag's head: the tag and the item it holds). */
  #skipAfterHead(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`items nested more than ${MAX_DEPTH} deep`);
    switch (this.#major) {
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (this.#info === INDEFINITE) this.#indefiniteString();
        this.#take(this.#length());
        return;
      case MAJOR_ARRAY:
      case MAJOR_MAP: {
        const perEntry = this.#major === MAJOR_MAP ? 2 : 1;
        const count = this.#count();
        if (count < 0) {
          while (!this.#atBreak()) for (let k = 0; k < perEntry; k++) this.#skip(depth + 1);
        } else for (let i = 0; i < count * perEntry; i++) this.#skip(depth + 1);
        return;
      }
      case MAJOR_TAG:
        this.#skip(depth + 1);
        return;
      default:
        return; // integers and simple values are whole in their head
    }
  }

  #ignored(message: string, field: string): void {
    this.#onIgnored?.({ code: 'SENML_IGNORED_FIELD', message, index: this.#record, field });
  }

  #indefiniteString(field?: string): never {
    const message = 'an indefinite-length string: SenML CBOR strings have a definite length (RFC 8428 §6)';
    if (field !== undefined) this.#failField('SENML_TYPE', `must not be ${message}`, field);
    this.fail(message);
  }

  #text(): string {
    if (this.#info === INDEFINITE) this.#indefiniteString();
    const length = this.#length();
    const start = this.pos;
    const end = start + length;
    if (end > this.#bytes.length) this.fail('a text string runs past the end of the data');
    const bytes = this.#bytes;
    if (length <= SHORT_TEXT) {
      const text = shortAscii(bytes, start, end);
      if (text !== undefined) {
        this.pos = end;
        return text;
      }
    }
    try {
      const text = utf8.decode(bytes.subarray(start, end));
      this.pos = end;
      return text;
    } catch {
      return this.fail('a text string is not valid UTF-8 (RFC 8949 §3.1)');
    }
  }

  #take(length: number): Uint8Array {
    const end = this.pos + length;
    if (end > this.#bytes.length) this.fail('a string runs past the end of the data');
    const slice = this.#bytes.subarray(this.pos, end);
    this.pos = end;
    return slice;
  }

  /** A string's length, within what remains. */
  #length(): number {
    if (this.#bigArg !== undefined || this.#arg > this.#bytes.length - this.pos) this.fail('a string runs past the end of the data');
    return this.#arg;
  }

  /** An array's or a map's count, -1 when indefinite; a count beyond what remains cannot be met. */
  #count(): number {
    if (this.#info === INDEFINITE) return -1;
    if (this.#bigArg !== undefined || this.#arg > this.#bytes.length - this.pos) this.fail('an array or a map holds more items than the data has bytes');
    return this.#arg;
  }

  #integerArg(): number {
    return this.#bigArg === undefined ? this.#arg : Number(this.#bigArg);
  }

  #atBreak(): boolean {
    if (this.pos >= this.#bytes.length) this.fail('the data ends inside an indefinite-length item');
    if (this.#bytes[this.pos] !== BREAK) return false;
    this.pos++;
    return true;
  }

  /** Read one head (RFC 8949 §3): major type, additional information and argument. */
  #head(): void {
    const bytes = this.#bytes;
    if (this.pos >= bytes.length) this.fail('the data ends before an item');
    const initial = bytes[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    this.#major = major;
    this.#info = info;
    this.#bigArg = undefined;
    if (info < 24) {
      this.#arg = info;
      return;
    }
    const view = this.#view;
    const at = this.pos;
    switch (info) {
      case 24:
        this.#need(1);
        this.#arg = bytes[at];
        break;
      case 25:
        this.#need(2);
        this.#arg = major === MAJOR_SIMPLE ? halfToNumber(view.getUint16(at)) : view.getUint16(at);
        break;
      case 26:
        this.#need(4);
        this.#arg = major === MAJOR_SIMPLE ? view.getFloat32(at) : view.getUint32(at);
        break;
      case 27:
        this.#need(8);
        if (major === MAJOR_SIMPLE) this.#arg = view.getFloat64(at);
        else {
          const big = view.getBigUint64(at);
          if (big > BigInt(Number.MAX_SAFE_INTEGER)) this.#bigArg = big;
          this.#arg = Number(big);
        }
        break;
      case INDEFINITE:
        if (major === MAJOR_UNSIGNED || major === MAJOR_NEGATIVE || major === MAJOR_TAG) this.fail('an integer or a tag with no argument (not well-formed, RFC 8949 §3.2.4)');
        if (major === MAJOR_SIMPLE) this.fail('a "break" outside an indefinite-length item');
        this.#arg = -1;
        return;
      default:
        this.fail(`reserved additional information ${info} (not well-formed, RFC 8949 §3)`);
    }
    this.pos += info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 8;
    if (major === MAJOR_SIMPLE && info === 24 && this.#arg < 32) this.fail('a simple value in two bytes below 32 (not well-formed, RFC 8949 §3.3)');
  }

  #need(bytes: number): void {
    if (this.pos + bytes > this.#bytes.length) this.fail('the data ends inside an item');
  }

  #kindOfHead(): string {
    switch (this.#major) {
      case MAJOR_UNSIGNED: case MAJOR_NEGATIVE: return 'an integer';
      case MAJOR_BYTES: return 'a byte string';
      case MAJOR_TEXT: return 'a text string';
      case MAJOR_ARRAY: return 'an array';
      case MAJOR_MAP: return 'a map';
      case MAJOR_TAG: return `CBOR tag ${this.#arg}`;
      default: return this.#info >= 25 && this.#info <= 27 ? 'a floating-point number' : 'a simple value';
    }
  }
}

/** Texts up to this length go through the cache of short ASCII texts. */
const SHORT_TEXT = 32;
const TEXT_CACHE_SIZE = 4096; // a power of two
/**
 * Names, units and base names repeat through a pack and from pack to pack: a
 * text already seen is handed out again (checked byte by byte) instead of being
 * built anew, which saves both the building and the garbage.
 */
const textCache: (string | undefined)[] = new Array(TEXT_CACHE_SIZE);

/** The ASCII text of bytes[start, end), or undefined when a byte is not ASCII. */
function shortAscii(bytes: Uint8Array, start: number, end: number): string | undefined {
  let hash = end - start;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte >= 0x80) return undefined;
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  const slot = hash & (TEXT_CACHE_SIZE - 1);
  const cached = textCache[slot];
  if (cached !== undefined && cached.length === end - start) {
    let same = true;
    for (let i = start, j = 0; i < end; i++, j++) {
      if (cached.charCodeAt(j) !== bytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  textCache[slot] = text;
  return text;
}

/** IEEE 754 half precision (RFC 8949 Appendix D). */
function halfToNumber(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
