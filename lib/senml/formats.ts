import { Element } from 'ltx';
import { parseCbor, toCbor } from './cbor';
import { SenmlError } from './errors';
import { parseJson, toJson } from './json';
import type { SenmlRecord } from './model';
import type { NoteListener } from './notes';
import { parseXml, recordsFromElement, toXml } from './xml';

export type SenmlFormat = 'json' | 'cbor' | 'xml';
export const SENML_FORMATS: readonly SenmlFormat[] = ['json', 'cbor', 'xml'];

export const MEDIA_TYPES: Readonly<Record<SenmlFormat, string>> = {
  json: 'application/senml+json',
  cbor: 'application/senml+cbor',
  xml: 'application/senml+xml',
};

function firstSignificant(input: string | Uint8Array): number {
  let i = 0;
  if (typeof input === 'string') {
    while (i < input.length && /\s|\uFEFF/.test(input[i])) i++;
    return i < input.length ? input.charCodeAt(i) : -1;
  }
  if (input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (
    i < input.length &&
    (input[i] === 0x20 || input[i] === 0x09 || input[i] === 0x0a || input[i] === 0x0d)
  )
    i++;
  return i < input.length ? input[i] : -1;
}

/**
 * Tell JSON, CBOR and XML apart by their first significant byte: "[" opens a JSON
 * pack, "<" an XML document, and a CBOR pack starts with an array head (major
 * type 4, 0x80-0x9f) or the self-described CBOR tag 55799 (0xd9d9f7).
 */
export function detectFormat(input: string | Uint8Array): SenmlFormat {
  const first = firstSignificant(input);
  if (first === 0x5b /* [ */) return 'json';
  if (first === 0x3c /* < */) return 'xml';
  if (
    typeof input !== 'string' &&
    ((input[0] >= 0x80 && input[0] <= 0x9f) ||
      (input[0] === 0xd9 && input[1] === 0xd9 && input[2] === 0xf7))
  )
    return 'cbor';
  if (first === 0x7b /* { */) throw new SenmlError('SENML_PACK_SINGLE_JSON_OBJECT');
  throw new SenmlError(first === -1 ? 'SENML_INPUT_EMPTY' : 'SENML_FORMAT_UNDETECTABLE');
}

/** Parse bytes or text of a known format into records in JSON form (unchecked, unresolved). */
export function parse(
  input: string | Uint8Array,
  format: SenmlFormat | 'auto' = 'auto',
  onNote?: NoteListener,
): unknown {
  const chosen = format === 'auto' ? detectFormat(input) : format;
  switch (chosen) {
    case 'json':
      return parseJson(input);
    case 'xml':
      return parseXml(input);
    case 'cbor':
      if (typeof input === 'string') throw new SenmlError('SENML_CBOR_GIVEN_TEXT');
      return parseCbor(input, onNote);
    default:
      throw new SenmlError('SENML_FORMAT_UNKNOWN', { format: JSON.stringify(chosen) });
  }
}

/** Records in JSON form from any input decode accepts. */
export function recordsOf(
  input: unknown,
  format: SenmlFormat | 'auto' = 'auto',
  onNote?: NoteListener,
): unknown {
  if (typeof input === 'string' || input instanceof Uint8Array) return parse(input, format, onNote);
  if (input instanceof Element) return recordsFromElement(input);
  if (Array.isArray(input)) return input;
  if (input === undefined || input === null) throw new SenmlError('SENML_INPUT_MISSING');
  if (typeof input === 'object') throw new SenmlError('SENML_PACK_SINGLE_OBJECT');
  // The JavaScript type's own name (number, boolean, bigint…): a technical word, the same in every language.
  throw new SenmlError('SENML_INPUT_TYPE', { type: typeof input });
}

export function serialise(records: readonly SenmlRecord[], format: SenmlFormat): string | Buffer {
  switch (format) {
    case 'json':
      return toJson(records);
    case 'cbor':
      return toCbor(records);
    case 'xml':
      return toXml(records);
    default:
      throw new SenmlError('SENML_FORMAT_UNKNOWN', { format: JSON.stringify(format) });
  }
}
