import { conversionFor, convertValue, isPrimaryUnit, isSecondaryUnit } from '../senml/units';

/**
 * One reading decoded from a device's bytes, before it becomes a SenML record.
 *
 * - `n` is the name relative to the device (the node layer puts the device's URN
 *   base name in front), made only of SenML name characters: A-Z a-z 0-9 - : . / _;
 * - `u` is a unit of the SenML units registry, a primary unit wherever one fits
 *   (values are converted to it: hPa to Pa, kWh to J, g to m/s2);
 * - exactly one of `v` (number), `vs` (text) and `vb` (boolean) is present.
 */
export interface DeviceReading {
  n: string;
  u?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
}

/** A-Z a-z 0-9 - : . / _, the characters of a SenML name (RFC 8428 §4.5.1). */
const NAME_CHARACTERS = /^[-:./_A-Za-z0-9]+$/;

/** Whether a relative name is made of SenML name characters only (and is not empty). */
export function isReadingName(name: string): boolean {
  return NAME_CHARACTERS.test(name);
}

/** A key turned into a relative name: every other character becomes `_`, an empty key `_`. */
export function sanitizeReadingName(key: string): string {
  const name = key.replace(/[^-:./_A-Za-z0-9]/g, '_');
  return name.length === 0 ? '_' : name;
}

/** A unit a reading may carry, and how a value in it becomes a value in that unit. */
export interface ReadingUnit {
  /** The unit the readings carry: the symbol given, or the primary unit it converts to. */
  unit: string;
  /** The value in `unit` of a value in the symbol given. */
  convert: (value: number) => number;
}

/**
 * The unit a reading carries for a unit a user named, or undefined when the SenML
 * registry does not know it. A secondary unit (RFC 8798, such as hPa or kWh) and a
 * NOT RECOMMENDED primary unit (such as % or deg) are replaced by the primary unit
 * they convert to, so that every reading of SenFed is in a primary unit.
 */
export function readingUnit(symbol: string): ReadingUnit | undefined {
  if (!isPrimaryUnit(symbol) && !isSecondaryUnit(symbol)) return undefined;
  const conversion = conversionFor(symbol);
  if (conversion === undefined) return { unit: symbol, convert: (value) => value };
  return { unit: conversion.primary, convert: (value) => convertValue(value, conversion) };
}

/**
 * An object of readings as readings, the same whichever way it came (a JSON line
 * from a board, a decodeUplink script's `data`, a network server's decoded
 * payload): numbers as `v`, texts as `vs`, booleans as `vb`; objects flattened
 * with `/` (`gps/lat`), lists with the index (`cells/0`); keys made SenML names
 * (other characters become `_`); null (which NaN and Infinity become in JSON)
 * gives no reading. Two keys that become the same name are refused through
 * `clash`, never merged. `units` gives the unit of a numeric reading by name.
 */
export function objectReadings(
  data: Record<string, unknown>,
  clash: (first: string, second: string, name: string) => Error,
  units: ReadonlyMap<string, ReadingUnit> = new Map(),
): DeviceReading[] {
  const readings: DeviceReading[] = [];
  const keyOf = new Map<string, string>();
  const walk = (value: unknown, key: string, name: string): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      const entries = Array.isArray(value)
        ? value.map((item, i): [string, unknown] => [String(i), item])
        : Object.entries(value as Record<string, unknown>);
      for (const [k, item] of entries)
        walk(
          item,
          key === '' ? k : `${key}/${k}`,
          name === '' ? sanitizeReadingName(k) : `${name}/${sanitizeReadingName(k)}`,
        );
      return;
    }
    const first = keyOf.get(name);
    if (first !== undefined) throw clash(first, key, name);
    keyOf.set(name, key);
    if (typeof value === 'number') {
      const unit = units.get(name);
      readings.push(
        unit === undefined
          ? { n: name, v: value }
          : { n: name, u: unit.unit, v: unit.convert(value) },
      );
    } else if (typeof value === 'boolean') readings.push({ n: name, vb: value });
    else readings.push({ n: name, vs: String(value) });
  };
  walk(data, '', '');
  return readings;
}
