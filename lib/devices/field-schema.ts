import { describe } from '../senml/errors';
import { suggestUnit } from '../senml/units';
import { DeviceError } from './errors';
import { type DeviceReading, isReadingName, readingUnit } from './readings';

/**
 * Packed structs described in one line of text, as a maker writes the C struct a
 * board sends: fields separated by commas, each `[name:]type[/divisor] [unit]`:
 *
 *     temperature:int16le/100 Cel, battery:uint16le/1000 V, skip1, door:bool
 *
 * - types: int8, uint8, int16le, int16be, uint16le, uint16be, int32le, int32be,
 *   uint32le, uint32be, floatle, floatbe (32-bit), doublele, doublebe, bool (one
 *   byte, true when not 0), and skipN for N bytes of padding (no name, no unit);
 * - the divisor follows the type with no space (`int16le/100`): the value is the
 *   number read divided by it;
 * - the unit follows after a space and must be a unit of the SenML registry; a
 *   secondary or NOT RECOMMENDED unit (hPa, mV, kWh, /100, deg) gives readings in
 *   the primary unit it converts to (Pa, V, J, /, rad), its values converted; `%`,
 *   a 0..1 ratio in SenML that reads as a percentage, is refused (write /100);
 * - a field with no name is named `field<N>`, N its position in the schema from 1
 *   (padding counted), the number error messages give it.
 */
export interface FieldSchema {
  /** The text the schema was read from. */
  readonly text: string;
  readonly fields: readonly SchemaField[];
  /** Bytes of a frame: every field's and padding's. */
  readonly size: number;
}

export interface SchemaField {
  /** Position in the schema, from 1. */
  readonly position: number;
  /** The reading's name; none for padding. */
  readonly name?: string;
  /** The type as written in lower case: `int16le`, `bool`, `skip2`. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly divisor?: number;
  /** The unit of the readings (primary), when one was given. */
  readonly unit?: string;
  /** A value divided by the divisor, in the unit as written, to a value in `unit`. */
  readonly convert?: (value: number) => number;
}

interface FieldType {
  size: number;
  read: (view: DataView, offset: number) => number;
  bool?: boolean;
}

const FIELD_TYPES: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([
  ['int8', { size: 1, read: (d, o) => d.getInt8(o) }],
  ['uint8', { size: 1, read: (d, o) => d.getUint8(o) }],
  ['int16le', { size: 2, read: (d, o) => d.getInt16(o, true) }],
  ['int16be', { size: 2, read: (d, o) => d.getInt16(o, false) }],
  ['uint16le', { size: 2, read: (d, o) => d.getUint16(o, true) }],
  ['uint16be', { size: 2, read: (d, o) => d.getUint16(o, false) }],
  ['int32le', { size: 4, read: (d, o) => d.getInt32(o, true) }],
  ['int32be', { size: 4, read: (d, o) => d.getInt32(o, false) }],
  ['uint32le', { size: 4, read: (d, o) => d.getUint32(o, true) }],
  ['uint32be', { size: 4, read: (d, o) => d.getUint32(o, false) }],
  ['floatle', { size: 4, read: (d, o) => d.getFloat32(o, true) }],
  ['floatbe', { size: 4, read: (d, o) => d.getFloat32(o, false) }],
  ['doublele', { size: 8, read: (d, o) => d.getFloat64(o, true) }],
  ['doublebe', { size: 8, read: (d, o) => d.getFloat64(o, false) }],
  ['bool', { size: 1, read: (d, o) => d.getUint8(o), bool: true }],
]);

/** The largest padding one skipN may take. */
export const MAX_SKIP = 65535;

// [name:]type[/divisor] [unit]; the name runs to the last colon (names may hold colons).
const FIELD = /^(?:(.*):)?\s*([A-Za-z0-9]+)(?:\/(\S+))?(?:\s+(\S+))?$/;
const SKIP = /^skip(\d+)$/;
const DIVISOR = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Read a field schema, or throw a DeviceError naming the field (from 1) and what is wrong. */
export function parseFieldSchema(text: string): FieldSchema {
  if (typeof text !== 'string')
    throw new DeviceError('DEVICE_SCHEMA_NOT_TEXT', { got: describe(text) });
  if (text.trim().length === 0) throw new DeviceError('DEVICE_SCHEMA_EMPTY');
  const fields: SchemaField[] = [];
  const named = new Map<string, number>();
  let offset = 0;
  text.split(',').forEach((raw, index) => {
    const position = index + 1;
    const item = raw.trim();
    const match = FIELD.exec(item);
    if (match === null)
      throw new DeviceError('DEVICE_SCHEMA_FIELD_SYNTAX', { field: position, text: item });
    const [, rawName, rawType, divisorText, unitText] = match;
    const type = rawType.toLowerCase();
    const skip = SKIP.exec(type);
    if (skip !== null) {
      const size = Number(skip[1]);
      if (
        rawName !== undefined ||
        divisorText !== undefined ||
        unitText !== undefined ||
        size < 1 ||
        size > MAX_SKIP
      )
        throw new DeviceError('DEVICE_SCHEMA_SKIP_INVALID', {
          field: position,
          text: item,
          max: MAX_SKIP,
        });
      fields.push({ position, type, offset, size });
      offset += size;
      return;
    }
    const fieldType = FIELD_TYPES.get(type);
    if (fieldType === undefined)
      throw new DeviceError('DEVICE_SCHEMA_TYPE_UNKNOWN', {
        field: position,
        type: rawType,
        known: [...FIELD_TYPES.keys()].join(', '),
      });
    const name = rawName === undefined ? `field${position}` : rawName.trim();
    if (!isReadingName(name))
      throw new DeviceError('DEVICE_SCHEMA_NAME_INVALID', { field: position, name });
    const other = named.get(name);
    if (other !== undefined)
      throw new DeviceError('DEVICE_SCHEMA_NAME_TAKEN', { field: position, name, other });
    named.set(name, position);
    if (fieldType.bool === true && (divisorText !== undefined || unitText !== undefined))
      throw new DeviceError('DEVICE_SCHEMA_BOOL_SCALED', { field: position });
    const field: { -readonly [K in keyof SchemaField]: SchemaField[K] } = {
      position,
      name,
      type,
      offset,
      size: fieldType.size,
    };
    if (divisorText !== undefined) {
      const divisor = Number(divisorText);
      if (!DIVISOR.test(divisorText) || !(divisor > 0) || !Number.isFinite(divisor))
        throw new DeviceError('DEVICE_SCHEMA_DIVISOR_INVALID', {
          field: position,
          divisor: divisorText,
        });
      field.divisor = divisor;
    }
    if (unitText !== undefined) {
      // RFC 8428: "%" is a ratio (0..1), which makers mean as a percentage: ask for /100.
      if (unitText === '%')
        throw new DeviceError('DEVICE_SCHEMA_UNIT_PERCENT', { field: position });
      const unit = readingUnit(unitText);
      if (unit === undefined) {
        const suggestion = suggestUnit(unitText);
        throw suggestion === undefined
          ? new DeviceError('DEVICE_SCHEMA_UNIT_UNKNOWN', { field: position, unit: unitText })
          : new DeviceError('DEVICE_SCHEMA_UNIT_SUGGEST', {
              field: position,
              unit: unitText,
              suggestion,
            });
      }
      field.unit = unit.unit;
      field.convert = unit.convert;
    }
    fields.push(field);
    offset += fieldType.size;
  });
  return { text, fields, size: offset };
}

/**
 * The readings of one frame, one per field (padding gives none), in schema order.
 * A frame shorter or longer than the schema, or a float field holding NaN or an
 * infinity, throws a DeviceError.
 */
export function decodeFields(schema: FieldSchema, bytes: Uint8Array): DeviceReading[] {
  if (!(bytes instanceof Uint8Array))
    throw new DeviceError('DEVICE_BYTES_INVALID', { got: describe(bytes) });
  if (bytes.length < schema.size)
    throw new DeviceError('DEVICE_FRAME_SHORT', { got: bytes.length, expected: schema.size });
  if (bytes.length > schema.size)
    throw new DeviceError('DEVICE_FRAME_LONG', { got: bytes.length, expected: schema.size });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readings: DeviceReading[] = [];
  for (const field of schema.fields) {
    if (field.name === undefined) continue;
    const fieldType = FIELD_TYPES.get(field.type)!;
    const raw = fieldType.read(view, field.offset);
    if (fieldType.bool === true) {
      readings.push({ n: field.name, vb: raw !== 0 });
      continue;
    }
    const divided = field.divisor === undefined ? raw : raw / field.divisor;
    const value = field.convert === undefined ? divided : field.convert(divided);
    if (!Number.isFinite(value))
      throw new DeviceError('DEVICE_FRAME_NOT_FINITE', {
        field: field.position,
        name: field.name,
        value: String(value),
      });
    readings.push(
      field.unit === undefined
        ? { n: field.name, v: value }
        : { n: field.name, u: field.unit, v: value },
    );
  }
  return readings;
}
