import { decode } from '../senml/decode';
import type { ResolvedPack } from '../senml/model';
import { LineFormatError } from './line-messages';
import { type DeviceReading, isReadingName, objectReadings } from './readings';

/**
 * The lines a board prints on its serial port, read as readings. Each format
 * turns one line (without its line end) into readings named relative to the
 * device, or a LineFormatError that quotes the line and says what is wrong.
 *
 * - `csv`: `21.50,3.71`, the column names (and units) configured;
 * - `keyvalue`: `water_temperature=21.50 battery=3.71` (pairs apart by spaces,
 *   commas or semicolons);
 * - `json`: `{"water_temperature":21.5,"battery":3.71}`, nested objects flattened
 *   with `/`;
 * - `lpp-hex`: Cayenne LPP bytes as hexadecimal (given a decoder);
 * - `senml`: a SenML JSON pack per line, taken as it is (its own names and units);
 * - `lora-receiver`: what the arduino-LoRa receiver example prints,
 *   `Received packet '…' with RSSI -67`, the packet read in an inner format.
 */
export type LineFormat = 'csv' | 'keyvalue' | 'json' | 'lpp-hex' | 'senml' | 'lora-receiver';

export const LINE_FORMATS: readonly LineFormat[] = [
  'csv',
  'keyvalue',
  'json',
  'lpp-hex',
  'senml',
  'lora-receiver',
];

export interface LineFormatOptions {
  format: LineFormat;
  /** csv: the column names, in order. */
  columns?: readonly string[];
  /** csv: the separator; default: a comma, or a semicolon or tab when the line has no comma. */
  delimiter?: string;
  /** lora-receiver: the format of the packet between the quotes (default keyvalue). */
  inner?: Exclude<LineFormat, 'lora-receiver'>;
  /** lpp-hex: the Cayenne LPP decoder. */
  decodeLpp?: (bytes: Uint8Array) => DeviceReading[];
}

/** What one line said: readings, or (a SenML line) a whole pack; radio details of a LoRa receiver line. */
export interface ReadLine {
  readings?: DeviceReading[];
  /** A SenML line: its records, resolved. */
  pack?: ResolvedPack;
  /** lora-receiver: the signal the packet came with. */
  radio?: { rssi: number; snr?: number };
}

const LORA_RECEIVER =
  /^Received packet '(.*)' with RSSI (-?\d+(?:\.\d+)?)(?: and SNR (-?\d+(?:\.\d+)?))?\s*$/;

export function parseLine(line: string, options: LineFormatOptions): ReadLine {
  switch (options.format) {
    case 'csv':
      return { readings: csvReadings(line, options) };
    case 'keyvalue':
      return { readings: keyValueReadings(line) };
    case 'json':
      return { readings: jsonReadings(line) };
    case 'lpp-hex':
      return { readings: lppReadings(line, options) };
    case 'senml':
      return { pack: senmlLine(line) };
    case 'lora-receiver': {
      const match = LORA_RECEIVER.exec(line);
      if (match === null) throw new LineFormatError('LINE_LORA_RECEIVER', { line });
      const inner = parseLine(match[1], { ...options, format: options.inner ?? 'keyvalue' });
      const radio: ReadLine['radio'] = { rssi: Number(match[2]) };
      if (match[3] !== undefined) radio.snr = Number(match[3]);
      return { ...inner, radio };
    }
    default:
      throw new LineFormatError('LINE_FORMAT_UNKNOWN', { format: String(options.format) });
  }
}

/**
 * Whether text is a number as boards print it, `^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`:
 * no hex, no Infinity, no empty text (Number('') is 0). Read character by character,
 * which is several times quicker than that regular expression on every value of a line.
 */
function isNumberText(text: string): boolean {
  const length = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 43 || c === 45) c = text.charCodeAt(++i); // + -
  let digits = 0;
  while (c >= 48 && c <= 57) {
    digits++;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    // .
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      digits++;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0) return false;
  if (c === 101 || c === 69) {
    // e E
    c = text.charCodeAt(++i);
    if (c === 43 || c === 45) c = text.charCodeAt(++i);
    let exponent = 0;
    while (c >= 48 && c <= 57) {
      exponent++;
      c = text.charCodeAt(++i);
    }
    if (exponent === 0) return false;
  }
  return i === length;
}

/** A value as text: a number when it reads as one, true/false as booleans, else text. */
function valueOf(name: string, text: string): DeviceReading {
  const trimmed = text.trim();
  if (isNumberText(trimmed)) return { n: name, v: Number(trimmed) };
  if (trimmed === 'true' || trimmed === 'false') return { n: name, vb: trimmed === 'true' };
  return { n: name, vs: trimmed };
}

function csvReadings(line: string, options: LineFormatOptions): DeviceReading[] {
  const columns = options.columns ?? [];
  if (columns.length === 0) throw new LineFormatError('LINE_CSV_NO_COLUMNS');
  const delimiter =
    options.delimiter ??
    (line.includes(',') ? ',' : line.includes(';') ? ';' : line.includes('\t') ? '\t' : ',');
  const cells = line.split(delimiter);
  if (cells.length !== columns.length)
    throw new LineFormatError('LINE_CSV_COLUMNS', {
      got: cells.length,
      expected: columns.length,
      columns: columns.join(delimiter),
      line,
    });
  const readings: DeviceReading[] = [];
  cells.forEach((cell, i) => {
    // An empty cell is a reading the board did not have this time.
    if (cell.trim() === '') return;
    readings.push(valueOf(columns[i], cell));
  });
  if (readings.length === 0) throw new LineFormatError('LINE_EMPTY_READINGS', { line });
  return readings;
}

// Key=value lines read character by character: 1 for the ASCII characters of `[\s,;]`, 2 for
// those of a reading name (isReadingName); a character beyond ASCII goes the general way.
const KEYVALUE_CHARS = new Uint8Array(128);
for (const c of '\t\n\v\f\r ,;') KEYVALUE_CHARS[c.charCodeAt(0)] = 1;
for (let c = 0; c < 128; c++) if (isReadingName(String.fromCharCode(c))) KEYVALUE_CHARS[c] = 2;

/** keyValueReadings in one pass over an ASCII line, the same readings and errors; undefined for other lines. */
function asciiKeyValueReadings(line: string): DeviceReading[] | undefined {
  const readings: DeviceReading[] = [];
  const length = line.length;
  let i = 0;
  while (i < length) {
    let c = line.charCodeAt(i);
    if (c >= 128) return undefined;
    if (KEYVALUE_CHARS[c] === 1) {
      i++;
      continue;
    }
    const start = i;
    let at = -1;
    let validKey = true;
    for (; i < length; i++) {
      c = line.charCodeAt(i);
      if (c >= 128) return undefined;
      if (KEYVALUE_CHARS[c] === 1) break;
      if (at === -1) {
        if (c === 61)
          at = i; // =
        else if (KEYVALUE_CHARS[c] !== 2) validKey = false;
      }
    }
    if (at <= start)
      throw new LineFormatError('LINE_KEYVALUE_PAIR', { part: line.slice(start, i), line });
    const key = line.slice(start, at);
    if (!validKey) throw new LineFormatError('LINE_KEY_INVALID', { key, line });
    readings.push(valueOf(key, line.slice(at + 1, i)));
  }
  if (readings.length === 0) throw new LineFormatError('LINE_EMPTY_READINGS', { line });
  return readings;
}

function keyValueReadings(line: string): DeviceReading[] {
  const ascii = asciiKeyValueReadings(line);
  if (ascii !== undefined) return ascii;
  const readings: DeviceReading[] = [];
  for (const part of line.split(/[\s,;]+/)) {
    if (part === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) throw new LineFormatError('LINE_KEYVALUE_PAIR', { part, line });
    const key = part.slice(0, at);
    if (!isReadingName(key)) throw new LineFormatError('LINE_KEY_INVALID', { key, line });
    readings.push(valueOf(key, part.slice(at + 1)));
  }
  if (readings.length === 0) throw new LineFormatError('LINE_EMPTY_READINGS', { line });
  return readings;
}

function jsonReadings(line: string): DeviceReading[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new LineFormatError('LINE_JSON_INVALID', {
      reason: err instanceof Error ? err.message : String(err),
      line,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LineFormatError('LINE_JSON_NOT_OBJECT', {
      got: Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value,
      line,
    });
  const readings = objectReadings(
    value as Record<string, unknown>,
    (first, second, name) => new LineFormatError('LINE_KEY_CLASH', { first, second, name, line }),
  );
  if (readings.length === 0) throw new LineFormatError('LINE_EMPTY_READINGS', { line });
  return readings;
}

function lppReadings(line: string, options: LineFormatOptions): DeviceReading[] {
  const hex = line.replace(/[\s:-]/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex))
    throw new LineFormatError('LINE_HEX_INVALID', { line });
  if (options.decodeLpp === undefined)
    throw new LineFormatError('LINE_FORMAT_UNKNOWN', { format: 'lpp-hex' });
  return options.decodeLpp(Buffer.from(hex, 'hex'));
}

function senmlLine(line: string): ResolvedPack {
  try {
    return decode(line, { format: 'json' });
  } catch (err) {
    throw new LineFormatError(
      'LINE_SENML_INVALID',
      { reason: err instanceof Error ? err.message : String(err), line },
      { cause: err },
    );
  }
}
