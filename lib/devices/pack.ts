import { isValidName } from '../senml/names';
import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import { isSecondaryUnit } from '../senml/units';
import { declareSecondaryUnitsFeature } from '../senml/versions';
import { LineFormatError } from './line-messages';
import { type DeviceReading, isReadingName, readingUnit } from './readings';

/** A field of a device's settings: a reading name, and its unit if any. */
export interface FieldSpec {
  name: string;
  /** The unit its readings carry: a primary unit (see readingUnit). */
  unit?: string;
  /** From the unit named to `unit` (mV to V, hPa to Pa…). */
  convert?: (value: number) => number;
}

/**
 * Read `water_temperature:Cel, battery:V` (names with an optional SenML unit,
 * apart by commas or spaces): the columns of a CSV line in order, or the units
 * of named readings. A unit outside the SenML registries is refused; a secondary
 * one (mV, hPa) is carried as its primary unit, the values converted.
 */
export function parseFieldSpecs(text: string): FieldSpec[] {
  const specs: FieldSpec[] = [];
  for (const part of text.split(/[\s,]+/)) {
    if (part === '') continue;
    const at = part.indexOf(':');
    // A name may hold ':' itself (SenML allows it): the unit is what follows the last one.
    const colon = part.lastIndexOf(':');
    const name = at === -1 ? part : part.slice(0, colon);
    const unit = at === -1 ? undefined : part.slice(colon + 1);
    if (!isReadingName(name))
      throw new LineFormatError('LINE_KEY_INVALID', { key: name, line: text });
    if (unit === undefined || unit === '') {
      specs.push({ name });
      continue;
    }
    const carried = readingUnit(unit);
    if (carried === undefined) throw new LineFormatError('LINE_UNIT_UNKNOWN', { unit, name });
    specs.push(
      carried.unit === unit
        ? { name, unit }
        : { name, unit: carried.unit, convert: carried.convert },
    );
  }
  return specs;
}

/**
 * A resolved pack of a device's readings: each named `baseName` + its name, at
 * `time` (seconds since the epoch), with its own unit or the one configured for
 * its name. A name that is not a valid SenML name once prefixed is refused.
 */
export function readingsPack(
  readings: readonly DeviceReading[],
  options: { baseName: string; time: number; fields?: ReadonlyMap<string, FieldSpec> },
): ResolvedPack {
  const pack: ResolvedPack = [];
  for (const reading of readings) {
    const n = options.baseName + reading.n;
    if (!isValidName(n)) throw new LineFormatError('LINE_KEY_INVALID', { key: n, line: reading.n });
    const record: ResolvedRecord = { n, t: options.time };
    const field = reading.u === undefined ? options.fields?.get(reading.n) : undefined;
    const u = reading.u ?? field?.unit;
    if (u !== undefined) record.u = u;
    if (reading.v !== undefined) record.v = field?.convert ? field.convert(reading.v) : reading.v;
    else if (reading.vs !== undefined) record.vs = reading.vs;
    else if (reading.vb !== undefined) record.vb = reading.vb;
    pack.push(record);
  }
  // A secondary unit (kWh, hPa…) is allowed only in a version 26 pack (RFC 9100 §4).
  if (pack.some((r) => r.u !== undefined && isSecondaryUnit(r.u)))
    declareSecondaryUnitsFeature(pack);
  return pack;
}

/** What a packer knows of one reading name: its full name, and the field configured for it. */
interface KnownName {
  /** Base name + reading name, checked once to be a valid SenML name. */
  n: string;
  field: FieldSpec | undefined;
  /** The field's unit is a secondary unit (a version 26 pack). */
  fieldUnitSecondary: boolean;
}

/**
 * readingsPack for one device (one base name and one set of fields), which
 * remembers, per distinct reading name, the full name (and that it is a valid
 * SenML name) and its field: a device prints the same few names on every line,
 * and the name joined and checked for each record of each line was most of the
 * cost of a pack. The same records and the same errors as readingsPack. At most
 * `maxNames` names are remembered (the memory is started again past it), so that
 * a device printing ever new names cannot fill memory.
 */
export class ReadingsPacker {
  readonly #baseName: string;
  readonly #fields: ReadonlyMap<string, FieldSpec> | undefined;
  readonly #maxNames: number;
  readonly #known = new Map<string, KnownName>();

  constructor(baseName: string, fields?: ReadonlyMap<string, FieldSpec>, maxNames = 256) {
    this.#baseName = baseName;
    this.#fields = fields;
    this.#maxNames = maxNames;
  }

  /** readingsPack(readings, { baseName, time, fields }) with this packer's base name and fields. */
  pack(readings: readonly DeviceReading[], time: number): ResolvedPack {
    const pack: ResolvedPack = [];
    let secondary = false;
    for (let i = 0; i < readings.length; i++) {
      const reading = readings[i];
      const known = this.#known.get(reading.n) ?? this.#learn(reading.n);
      const record: ResolvedRecord = { n: known.n, t: time };
      if (reading.u !== undefined) {
        record.u = reading.u;
        if (!secondary && isSecondaryUnit(reading.u)) secondary = true;
        if (reading.v !== undefined) record.v = reading.v;
        else if (reading.vs !== undefined) record.vs = reading.vs;
        else if (reading.vb !== undefined) record.vb = reading.vb;
      } else {
        const field = known.field;
        if (field?.unit !== undefined) {
          record.u = field.unit;
          if (known.fieldUnitSecondary) secondary = true;
        }
        if (reading.v !== undefined)
          record.v = field?.convert ? field.convert(reading.v) : reading.v;
        else if (reading.vs !== undefined) record.vs = reading.vs;
        else if (reading.vb !== undefined) record.vb = reading.vb;
      }
      pack.push(record);
    }
    // A secondary unit (kWh, hPa…) is allowed only in a version 26 pack (RFC 9100 §4).
    if (secondary) declareSecondaryUnitsFeature(pack);
    return pack;
  }

  #learn(name: string): KnownName {
    const n = this.#baseName + name;
    if (!isValidName(n)) throw new LineFormatError('LINE_KEY_INVALID', { key: n, line: name });
    const field = this.#fields?.get(name);
    const known: KnownName = {
      n,
      field,
      fieldUnitSecondary: field?.unit !== undefined && isSecondaryUnit(field.unit),
    };
    if (this.#known.size >= this.#maxNames) this.#known.clear();
    this.#known.set(name, known);
    return known;
  }
}
