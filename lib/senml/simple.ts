import { SenmlError, describe } from './errors';
import type { ResolvedPack, ResolvedRecord } from './model';
import { bytesToBase64url } from './base64url';
import { isSecondaryUnit } from './units';
import { declareSecondaryUnitsFeature } from './versions';
import { isPlainObject } from './plain-object';

export interface SimpleOptions {
  /** Prepended to every key, e.g. "urn:dev:mac:0024befffe804ff1:". */
  baseName?: string;
  /** Unit per key, e.g. { temperature: "Cel" }. */
  units?: Record<string, string>;
  /** Seconds since the epoch for every record; default: now. */
  time?: number;
}

/**
 * Turn a plain object of readings ({ temperature: 21.5, door: true }) into
 * records: one per key, named baseName + key, numbers to v, text to vs,
 * booleans to vb, bytes to vd. The records are checked when encoded.
 */
export function fromSimpleObject(
  readings: Record<string, unknown>,
  options: SimpleOptions = {},
): ResolvedPack {
  const t = options.time ?? Date.now() / 1000;
  const records: ResolvedPack = [];
  let index = 0;
  for (const key of Object.keys(readings)) {
    const value = readings[key];
    const record: ResolvedRecord = { n: (options.baseName ?? '') + key, t };
    const unit = options.units?.[key];
    if (unit) record.u = unit;
    if (typeof value === 'number') record.v = value;
    else if (typeof value === 'string') record.vs = value;
    else if (typeof value === 'boolean') record.vb = value;
    else if (value instanceof Uint8Array) record.vd = bytesToBase64url(value);
    else
      throw new SenmlError(
        'SENML_READING_TYPE',
        { key, got: describe(value) },
        { index, field: key },
      );
    records.push(record);
    index++;
  }
  if (records.length === 0) throw new SenmlError('SENML_READINGS_NONE');
  // A secondary unit (kWh, hPa…) is allowed only in a version 26 pack (RFC 9100 §4).
  if (records.some((r) => r.u !== undefined && isSecondaryUnit(r.u)))
    declareSecondaryUnitsFeature(records);
  return records;
}

/** Is this a plain object of readings rather than a pack? */
export function isSimpleObject(input: unknown): input is Record<string, unknown> {
  return isPlainObject(input);
}
