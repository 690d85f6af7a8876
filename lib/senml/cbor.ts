import { Decoder, Encoder } from 'cbor-x';
import { SenmlError, describe } from './errors';
import { CBOR_KEY, CBOR_LABEL_BY_KEY, isKnownLabel } from './labels';
import type { SenmlRecord } from './model';
import { base64urlToBytes, bytesToBase64url } from './base64url';

// Plain RFC 8949 CBOR: no cbor-x record extension, no tag 259 on maps, byte strings untagged.
// useTag259ForMaps is a cbor-x option its type declarations leave out.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, useTag259ForMaps: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<typeof Encoder>[0]);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/** Marks a map key the fast path leaves to parseCborExactly (text labels, undefined or odd keys). */
const ODD_KEY = '\u0000';

/**
 * cbor-x with a key map calls decodeKey on every map key: here integer labels
 * become their text labels while the map is read, so no second object per record
 * is built. Keys that need an error or a judgement come out as ODD_KEY.
 */
class LabellingDecoder extends Decoder {
  decodeKey(key: unknown): unknown {
    if (typeof key === 'number') return (Number.isInteger(key) && CBOR_LABEL_BY_KEY[key + 6]) || ODD_KEY;
    if (typeof key !== 'string') return ODD_KEY;
    const code = key.charCodeAt(0);
    // Text that reads as a number, or a SenML label written as text: the exact path decides.
    if (code === 45 || (code >= 48 && code <= 57) || code === 0 || isKnownLabel(key)) return ODD_KEY;
    return key;
  }
}
// The key map only switches cbor-x onto its decodeKey path; decodeKey above does the mapping.
const labellingDecoder = new LabellingDecoder({ useRecords: false, mapsAsObjects: true, keyMap: CBOR_KEY } as ConstructorParameters<typeof Decoder>[0]);

function toNumber(value: unknown): unknown {
  // Integers beyond 2^53 (major types 0/1 past 53 bits, bignum tags 2/3) become the nearest double: SenML numbers are doubles (§5).
  return typeof value === 'bigint' ? Number(value) : value;
}

/**
 * Parse application/senml+cbor (RFC 8428 §6) into records in JSON form: integer
 * labels become text labels, byte strings in "vd" become base64url.
 * Decimal fractions (tag 4) arrive as numbers.
 */
export function parseCbor(bytes: Uint8Array): unknown {
  let data: unknown;
  try {
    data = labellingDecoder.decode(bytes);
  } catch {
    return parseCborExactly(bytes); // the same decoder without the key map reports the error
  }
  if (!Array.isArray(data)) return parseCborExactly(bytes);
  for (let index = 0; index < data.length; index++) {
    const record = data[index] as Record<string, unknown>;
    if (record === null || typeof record !== 'object' || Array.isArray(record) || record instanceof Uint8Array) continue;
    for (const key in record) {
      const value = record[key];
      if (key === ODD_KEY) return parseCborExactly(bytes);
      if (typeof value === 'object' && value !== null) {
        if (!(value instanceof Uint8Array) || (key !== 'vd' && isKnownLabel(key))) return parseCborExactly(bytes);
        record[key] = bytesToBase64url(value);
      } else if (key === 'vd') return parseCborExactly(bytes); // not a byte string: the exact path says so
      else if (typeof value === 'bigint') record[key] = Number(value);
    }
  }
  return data;
}

/** The reference mapping: plain cbor-x maps, then labels; every error and odd key handled here. */
function parseCborExactly(bytes: Uint8Array): unknown {
  let data: unknown;
  try {
    data = decoder.decode(bytes);
  } catch (err) {
    throw new SenmlError('SENML_SYNTAX', `not valid CBOR: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) return data;
  const records: unknown[] = new Array(data.length);
  for (let index = 0; index < data.length; index++) {
    const raw = data[index] as Record<string, unknown>;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
      records[index] = raw;
      continue;
    }
    const record: Record<string, unknown> = {};
    for (const key in raw) {
      const value = toNumber(raw[key]);
      const code = key.charCodeAt(0);
      // cbor-x gives integer keys as their decimal text; text keys of known labels are not SenML CBOR.
      if (code === 45 /* - */ || (code >= 48 && code <= 57)) {
        const label = CBOR_LABEL_BY_KEY[Number(key) + 6];
        if (label === undefined) {
          throw new SenmlError('SENML_SHAPE', `CBOR label ${key} is not defined (RFC 8428 §6, Table 4 is conclusive)`, { index });
        }
        if (label === 'vd') {
          if (!(value instanceof Uint8Array)) throw new SenmlError('SENML_TYPE', `must be a CBOR byte string, got ${describe(value)}`, { index, field: 'vd' });
          record.vd = bytesToBase64url(value);
        } else record[label] = value instanceof Uint8Array ? describeBytes(value, index, label) : value;
      } else if (isKnownLabel(key)) {
        throw new SenmlError('SENML_SHAPE', `SenML CBOR uses the integer label ${CBOR_KEY[key]} for "${key}", not text (RFC 8428 §6)`, { index, field: key });
      } else record[key] = value instanceof Uint8Array ? bytesToBase64url(value) : value;
    }
    records[index] = record;
  }
  return records;
}

function describeBytes(value: Uint8Array, index: number, field: string): never {
  throw new SenmlError('SENML_TYPE', `must not be a byte string, got ${describe(value)}`, { index, field });
}

/** Serialise records as application/senml+cbor: a definite-length array of integer-keyed maps. */
export function toCbor(records: readonly SenmlRecord[]): Buffer {
  const maps = new Array<Map<number | string, unknown>>(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const map = new Map<number | string, unknown>();
    for (const key in record) {
      const value = record[key];
      if (value === undefined) continue;
      if (isKnownLabel(key)) map.set(CBOR_KEY[key], key === 'vd' ? base64urlToBytes(value as string) : value);
      else map.set(key, value);
    }
    maps[i] = map;
  }
  return encoder.encode(maps);
}
