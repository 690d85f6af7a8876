import { Encoder } from 'cbor-x';
import { readSenmlCbor } from './cbor-reader';
import { CBOR_KEY, isKnownLabel } from './labels';
import type { SenmlRecord } from './model';
import type { NoteListener } from './notes';
import { base64urlToBytes } from './base64url';

// Plain RFC 8949 CBOR: no cbor-x record extension, no tag 259 on maps, byte strings untagged.
// useTag259ForMaps is a cbor-x option its type declarations leave out.
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  useTag259ForMaps: false,
  tagUint8Array: false,
  variableMapSize: true,
} as ConstructorParameters<typeof Encoder>[0]);

/**
 * Parse application/senml+cbor (RFC 8428 §6) into records in JSON form: integer
 * labels become text labels, byte strings in "vd" become base64url. Fields set
 * aside as §4.4 asks (undefined integer labels, extensions holding what SenML
 * cannot carry) are reported to `onIgnored`.
 */
export function parseCbor(bytes: Uint8Array, onIgnored?: NoteListener): unknown {
  return readSenmlCbor(bytes, onIgnored);
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
      if (isKnownLabel(key))
        map.set(CBOR_KEY[key], key === 'vd' ? base64urlToBytes(value as string) : value);
      else map.set(key, value);
    }
    maps[i] = map;
  }
  return encoder.encode(maps);
}
