import { bytesToBase64url } from './base64url';
import type { Sentence } from '../errors';
import { SenmlError, describe } from './errors';
import { CBOR_KEY, type KnownLabel, isKnownLabel } from './labels';
import type { SenmlErrorMessageId } from './messages';
import { type NoteListener, type SenmlNote, senmlNote } from './notes';
import { type SenmlParams, senmlSentence } from './sentences';
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
  if (reader.pos !== bytes.length)
    reader.fail('SENML_CBOR_TRAILING_BYTES', { bytes: bytes.length - reader.pos });
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

  /** The bytes are not well-formed CBOR: why, and where. */
  fail(reason: SenmlErrorMessageId, params: SenmlParams = {}): never {
    throw new SenmlError(reason, { ...params, byte: this.pos });
  }

  #failField(messageId: SenmlErrorMessageId, params: SenmlParams, field?: string): never {
    throw new SenmlError(messageId, params, { index: this.#record, field });
  }

  readPack(): unknown[] {
    this.#head();
    while (this.#major === MAJOR_TAG && this.#arg === TAG_SELF_DESCRIBED) this.#head();
    if (this.#major !== MAJOR_ARRAY) {
      throw new SenmlError('SENML_CBOR_PACK_NOT_ARRAY', { got: this.#kindOfHead() });
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
    while (
      this.#major === MAJOR_TAG &&
      (this.#arg === TAG_MAP || this.#arg === TAG_SELF_DESCRIBED)
    ) {
      const tag = this.#arg;
      this.#head();
      if (tag === TAG_MAP && this.#major !== MAJOR_MAP)
        return this.#unusable(
          senmlSentence('SENML_KIND_CBOR_TAG_AROUND', { tag: TAG_MAP, got: this.#kindOfHead() }),
          1,
        );
    }
    if (this.#major === MAJOR_MAP) return this.#readMap();
    if (this.#major === MAJOR_TAG)
      return this.#unusable(senmlSentence('SENML_KIND_CBOR_TAGGED_RECORD', { tag: this.#arg }), 1);
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
          case 0:
            record.n = this.#readLabelled('n');
            break;
          case 1:
            record.u = this.#readLabelled('u');
            break;
          case 2:
            record.v = this.#readLabelled('v');
            break;
          case 3:
            record.vs = this.#readLabelled('vs');
            break;
          case 4:
            record.vb = this.#readLabelled('vb');
            break;
          case 5:
            record.s = this.#readLabelled('s');
            break;
          case 6:
            record.t = this.#readLabelled('t');
            break;
          case 7:
            record.ut = this.#readLabelled('ut');
            break;
          case 8:
            record.vd = this.#readLabelled('vd');
            break;
          case -1:
            record.bver = this.#readLabelled('bver');
            break;
          case -2:
            record.bn = this.#readLabelled('bn');
            break;
          case -3:
            record.bt = this.#readLabelled('bt');
            break;
          case -4:
            record.bu = this.#readLabelled('bu');
            break;
          case -5:
            record.bv = this.#readLabelled('bv');
            break;
          case -6:
            record.bs = this.#readLabelled('bs');
            break;
          default:
            this.#skip(1);
            this.#ignored(
              senmlNote(
                'SENML_CBOR_LABEL_IGNORED',
                { label: key },
                { index: this.#record, field: String(key) },
              ),
            );
        }
      } else if (major === MAJOR_TEXT) {
        const key = this.#text();
        if (isKnownLabel(key)) {
          this.#failField('SENML_CBOR_TEXT_LABEL', { key: CBOR_KEY[key], label: key }, key);
        }
        this.#readExtension(record, key);
      } else if (major === MAJOR_SIMPLE && this.#info >= 25 && this.#info <= 27) {
        this.#failField('SENML_CBOR_FLOAT_KEY', { key: this.#arg });
      } else {
        this.#failField('SENML_CBOR_KEY_TYPE', { got: this.#kindOfHead() });
      }
    }
    return record;
  }

  #readLabelled(label: KnownLabel): unknown {
    this.#head();
    if (label === 'vd') {
      if (this.#major !== MAJOR_BYTES)
        this.#failField(
          'SENML_CBOR_DATA_NOT_BYTES',
          { got: describe(this.#readValueAfterHead(1)) },
          label,
        );
      if (this.#info === INDEFINITE) this.#indefiniteString(label);
      return bytesToBase64url(this.#take(this.#length()));
    }
    if (label === 'bver') {
      if (this.#major !== MAJOR_UNSIGNED) {
        const float = this.#major === MAJOR_SIMPLE && this.#info >= 25 && this.#info <= 27;
        const got =
          this.#major === MAJOR_SIMPLE || this.#major === MAJOR_NEGATIVE
            ? describe(this.#readValueAfterHead(1))
            : this.#kindOfHead();
        this.#failField(
          float ? 'SENML_CBOR_VERSION_FLOAT' : 'SENML_CBOR_VERSION_NOT_UNSIGNED',
          { got },
          label,
        );
      }
      return this.#integerArg();
    }
    if (this.#major === MAJOR_BYTES) {
      this.#take(this.#length()); // a string that runs past the end is the first thing wrong
      this.#failField('SENML_CBOR_UNEXPECTED_BYTES', {}, label);
    }
    return this.#readValueAfterHead(1);
  }

  /** Extensions (§4.4): texts, numbers and booleans are kept, bytes become base64url, anything else is ignored. */
  #readExtension(record: Record<string, unknown>, key: string): void {
    this.#head();
    let value: unknown;
    if (this.#major === MAJOR_BYTES) {
      if (this.#info === INDEFINITE) this.#indefiniteString(key);
      value = bytesToBase64url(this.#take(this.#length()));
    } else value = this.#readValueAfterHead(1);
    const kept =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    // A must-understand label (ending in "_") is kept whatever it holds, so that validation refuses the pack.
    if (!kept && key.charCodeAt(key.length - 1) !== 95 /* _ */) {
      this.#ignored(
        senmlNote(
          'SENML_FIELD_IGNORED',
          { got: describe(value) },
          { index: this.#record, field: key },
        ),
      );
      return;
    }
    if (key === '__proto__')
      Object.defineProperty(record, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else record[key] = value;
  }

  /**
   * A value whose head has just been read: texts, numbers, booleans and null as
   * JavaScript values, byte strings as bytes; anything no SenML field can hold
   * as an UnusableValue naming it (its content read past).
   */
  #readValueAfterHead(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('SENML_CBOR_TOO_DEEP', { depth: MAX_DEPTH });
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
        return this.#unusable(
          senmlSentence(
            this.#major === MAJOR_ARRAY ? 'SENML_KIND_CBOR_ARRAY' : 'SENML_KIND_CBOR_MAP',
          ),
          depth,
        );
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
        if (this.#major !== MAJOR_BYTES || this.#info === INDEFINITE)
          return this.#unusableAfterHead(
            senmlSentence('SENML_KIND_CBOR_TAG_AROUND', { tag, got: this.#kindOfHead() }),
            depth,
          );
        let magnitude = 0n;
        for (const byte of this.#take(this.#length())) magnitude = (magnitude << 8n) | BigInt(byte);
        return Number(tag === TAG_POSITIVE_BIGNUM ? magnitude : -1n - magnitude);
      }
      case TAG_DECIMAL_FRACTION:
      case TAG_BIGFLOAT:
        return this.#readFraction(tag, depth);
      default:
        return this.#unusable(senmlSentence('SENML_KIND_CBOR_TAG', { tag }), depth);
    }
  }

  /** Tag 4 (m × 10^e) and tag 5 (m × 2^e), RFC 8949 §3.4.4: the double nearest to the exact value. */
  #readFraction(tag: number, depth: number): unknown {
    const start = this.pos;
    const notAFraction = (): UnusableValue => {
      this.pos = start;
      this.#head();
      return this.#unusableAfterHead(senmlSentence('SENML_KIND_CBOR_NOT_FRACTION', { tag }), depth);
    };
    this.#head();
    if (this.#major !== MAJOR_ARRAY || this.#info === INDEFINITE || this.#arg !== 2)
      return notAFraction();
    this.#head();
    if (this.#major !== MAJOR_UNSIGNED && this.#major !== MAJOR_NEGATIVE) return notAFraction();
    const exponent = this.#readValueAfterHead(depth + 1) as number;
    this.#head();
    let mantissa: bigint | undefined;
    if (this.#major === MAJOR_UNSIGNED || this.#major === MAJOR_NEGATIVE)
      mantissa = this.#exactInteger();
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
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return new UnusableValue(senmlSentence('SENML_KIND_CBOR_UNDEFINED'));
      case 25:
      case 26:
      case 27:
        return this.#arg;
      default:
        return new UnusableValue(
          senmlSentence('SENML_KIND_CBOR_SIMPLE_VALUE', { value: this.#arg }),
        );
    }
  }

  /** Read past an array, a map or a tagged item whose head was just read, and name it. */
  #unusable(description: Sentence, depth: number): UnusableValue {
    this.#skipAfterHead(depth);
    return new UnusableValue(description);
  }

  /** Read past the item whose head was just read (inside a tag), and name the tag. */
  #unusableAfterHead(description: Sentence, depth: number): UnusableValue {
    this.#skipAfterHead(depth + 1);
    return new UnusableValue(description);
  }

  #skip(depth: number): void {
    this.#head();
    this.#skipAfterHead(depth);
  }

  /** Read past the item whose head was just read (a tag's head: the tag and the item it holds). */
  #skipAfterHead(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('SENML_CBOR_TOO_DEEP', { depth: MAX_DEPTH });
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

  #ignored(note: SenmlNote): void {
    this.#onIgnored?.(note);
  }

  #indefiniteString(field?: string): never {
    if (field !== undefined) this.#failField('SENML_CBOR_FIELD_INDEFINITE_STRING', {}, field);
    this.fail('SENML_CBOR_INDEFINITE_STRING');
  }

  #text(): string {
    if (this.#info === INDEFINITE) this.#indefiniteString();
    const length = this.#length();
    const start = this.pos;
    const end = start + length;
    if (end > this.#bytes.length) this.fail('SENML_CBOR_TEXT_PAST_END');
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
      return this.fail('SENML_CBOR_TEXT_NOT_UTF8');
    }
  }

  #take(length: number): Uint8Array {
    const end = this.pos + length;
    if (end > this.#bytes.length) this.fail('SENML_CBOR_STRING_PAST_END');
    const slice = this.#bytes.subarray(this.pos, end);
    this.pos = end;
    return slice;
  }

  /** A string's length, within what remains. */
  #length(): number {
    if (this.#bigArg !== undefined || this.#arg > this.#bytes.length - this.pos)
      this.fail('SENML_CBOR_STRING_PAST_END');
    return this.#arg;
  }

  /** An array's or a map's count, -1 when indefinite; a count beyond what remains cannot be met. */
  #count(): number {
    if (this.#info === INDEFINITE) return -1;
    if (this.#bigArg !== undefined || this.#arg > this.#bytes.length - this.pos)
      this.fail('SENML_CBOR_COUNT_PAST_END');
    return this.#arg;
  }

  #integerArg(): number {
    return this.#bigArg === undefined ? this.#arg : Number(this.#bigArg);
  }

  #atBreak(): boolean {
    if (this.pos >= this.#bytes.length) this.fail('SENML_CBOR_ENDS_IN_INDEFINITE');
    if (this.#bytes[this.pos] !== BREAK) return false;
    this.pos++;
    return true;
  }

  /** Read one head (RFC 8949 §3): major type, additional information and argument. */
  #head(): void {
    const bytes = this.#bytes;
    if (this.pos >= bytes.length) this.fail('SENML_CBOR_ENDS_BEFORE_ITEM');
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
        if (major === MAJOR_UNSIGNED || major === MAJOR_NEGATIVE || major === MAJOR_TAG)
          this.fail('SENML_CBOR_NO_ARGUMENT');
        if (major === MAJOR_SIMPLE) this.fail('SENML_CBOR_STRAY_BREAK');
        this.#arg = -1;
        return;
      default:
        this.fail('SENML_CBOR_RESERVED_INFO', { info });
    }
    this.pos += info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 8;
    if (major === MAJOR_SIMPLE && info === 24 && this.#arg < 32)
      this.fail('SENML_CBOR_SHORT_SIMPLE');
  }

  #need(bytes: number): void {
    if (this.pos + bytes > this.#bytes.length) this.fail('SENML_CBOR_ENDS_IN_ITEM');
  }

  /** The words for the item whose head was just read, by its major type. */
  #kindOfHead(): Sentence {
    switch (this.#major) {
      case MAJOR_UNSIGNED:
      case MAJOR_NEGATIVE:
        return senmlSentence('SENML_KIND_CBOR_INTEGER');
      case MAJOR_BYTES:
        return senmlSentence('SENML_KIND_CBOR_BYTE_STRING');
      case MAJOR_TEXT:
        return senmlSentence('SENML_KIND_CBOR_TEXT_STRING');
      case MAJOR_ARRAY:
        return senmlSentence('SENML_KIND_CBOR_ARRAY_HEAD');
      case MAJOR_MAP:
        return senmlSentence('SENML_KIND_CBOR_MAP_HEAD');
      case MAJOR_TAG:
        return senmlSentence('SENML_KIND_CBOR_TAG', { tag: this.#arg });
      default:
        return senmlSentence(
          this.#info >= 25 && this.#info <= 27 ? 'SENML_KIND_CBOR_FLOAT' : 'SENML_KIND_CBOR_SIMPLE',
        );
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
