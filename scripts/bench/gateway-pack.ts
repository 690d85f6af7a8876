/**
 * A gateway-shaped pack for the benchmark: what a field gateway forwards when it
 * batches the uplinks of five devices into one pack.
 *
 * Each batch is one device's report: its first record sets `bn` and `bt` (the
 * time of the report), every reading has a relative `t` (seconds before the
 * report, RFC 8428 §4.5.3), readings are grouped by sensor (so time goes back
 * and forth inside a batch) and batches of different devices overlap in time:
 * the pack is not in time order, and resolving it means sorting (§4.6). The
 * energy meter sends its counter as `bv` plus increments; since a base value
 * holds until a record changes it (§4.1), the next numeric reading of another
 * sensor sets `bv` back to 0. A door contact sends `vb`, a tank pump `vs`.
 * Eleven units in all; the times are multiples of 1/4 s.
 *
 * The raw input is written here the way a gateway writes it, field by field,
 * as JSON text, CBOR bytes (integer labels, RFC 8428 §6) and XML text (§7):
 * not by senml.encode. The resolved pack a decoder must give back is computed
 * from the gateway's own readings (their absolute times and values), not by
 * resolving the raw records, so a decoder can be checked against it.
 */
import type { senml } from '../../lib';
import { START_TIME, randomGenerator, round } from './packs';

type Resolved = senml.ResolvedRecord;

/** One record as the gateway writes it, fields in the order written. */
export interface GatewayRecord {
  bn?: string;
  bt?: number;
  bv?: number;
  n: string;
  u?: string;
  t: number;
  v?: number;
  vs?: string;
  vb?: boolean;
}

export interface GatewayPack {
  records: GatewayRecord[];
  json: string;
  cbor: Buffer;
  xml: string;
  /** The resolved pack (§4.6), from the readings themselves: full names, absolute times and values, in time order. */
  expected: Resolved[];
}

type Reading = number | string | boolean;

interface Sensor {
  n: string;
  /** Unit of the reading; none for a text state. */
  u?: string;
  /** A counter: sent as `bv` (its first reading in the batch) plus increments. */
  counter?: boolean;
  read(random: () => number): Reading;
}

interface Device {
  bn: string;
  /** Seconds between two readings of a sensor. */
  period: number;
  /** Most readings per sensor in one report. */
  maxReadings: number;
  /** Reports once every this many rounds of the gateway. */
  every: number;
  sensors: Sensor[];
}

/** A reading that drifts around a level, rounded as the device sends it. */
function drifting(start: number, step: number, min: number, max: number, decimals: number) {
  let value = start;
  return (random: () => number): number => {
    value = round(Math.min(max, Math.max(min, value + (random() - 0.5) * step)), decimals);
    return value;
  };
}

function devices(): Device[] {
  let energy = 4_182_937_600; // joules since installation: above 2^32, an integer
  let power = 2300;
  let open = false;
  let pumping = false;
  return [
    {
      bn: 'urn:dev:mac:0024befffe804ff1:',
      period: 30,
      maxReadings: 3,
      every: 1,
      sensors: [
        { n: 'temperature', u: 'Cel', read: drifting(11.4, 0.4, -20, 40, 2) },
        { n: 'humidity', u: '%RH', read: drifting(82.5, 2, 20, 100, 1) },
        { n: 'pressure', u: 'Pa', read: drifting(101_325, 40, 95_000, 105_000, 0) },
        { n: 'illuminance', u: 'lx', read: drifting(12_000, 800, 0, 100_000, 0) },
      ],
    },
    {
      bn: 'urn:dev:mac:0024befffe80a1b2:',
      period: 10,
      maxReadings: 3,
      every: 1,
      sensors: [
        {
          n: 'power',
          u: 'W',
          read: (random) => (power = round(Math.max(0, power + (random() - 0.5) * 400), 1)),
        },
        { n: 'voltage', u: 'V', read: drifting(230.4, 1.5, 215, 245, 1) },
        { n: 'current', u: 'A', read: () => round(power / 230, 2) },
        {
          n: 'energy',
          u: 'J',
          counter: true,
          read: () => (energy += Math.round(power * 10)),
        },
      ],
    },
    {
      bn: 'urn:dev:mac:0024befffe80c7d9:',
      period: 60,
      maxReadings: 1,
      every: 3,
      sensors: [
        // "/" is the unit of a switch's or a contact's state (RFC 8428 §12.1).
        { n: 'open', u: '/', read: (random) => (open = random() < 0.2 ? !open : open) },
        { n: 'battery', u: '%EL', read: drifting(87, 0.4, 0, 100, 0) },
      ],
    },
    {
      bn: 'urn:dev:imei:490154203237518:',
      period: 20,
      maxReadings: 2,
      every: 1,
      sensors: [
        { n: 'level', u: 'm', read: drifting(2.315, 0.02, 0.2, 4, 3) },
        {
          n: 'pump',
          read: (random) => {
            if (random() < 0.1) pumping = !pumping;
            return pumping ? 'running' : 'idle';
          },
        },
        { n: 'water-temperature', u: 'Cel', read: drifting(9.85, 0.1, 0, 30, 2) },
      ],
    },
    {
      bn: 'urn:dev:ow:10e2073a01080063:',
      period: 15,
      maxReadings: 3,
      every: 1,
      sensors: [
        { n: 'temperature', u: 'Cel', read: drifting(22.1, 0.3, 5, 45, 2) },
        { n: 'humidity', u: '%RH', read: drifting(64, 1.5, 20, 100, 1) },
        { n: 'light', u: 'lx', read: drifting(8_500, 600, 0, 60_000, 0) },
        { n: 'battery', u: '%EL', read: drifting(71, 0.3, 0, 100, 0) },
      ],
    },
  ];
}

/**
 * `count` records in the gateway's order and the resolved pack they stand for.
 * Every time is a multiple of 1/4 s and every counter an integer, so that the
 * base plus the relative part is exactly the reading's own time and value.
 */
export function gatewayPack(count: number, seed = 9039): GatewayPack {
  const random = randomGenerator(seed);
  const all = devices();
  const steps = [1, 2.5, 4, 5.75, 7.5, 3.25];
  const records: GatewayRecord[] = [];
  // What the resolved pack holds, in pack order, with the position for a stable sort.
  const readings: { record: Resolved; position: number }[] = [];
  let now = START_TIME;
  let bvInForce = 0;
  for (let cycle = 0; records.length < count; cycle++) {
    for (const device of all) {
      if (records.length === count) break;
      if (cycle % device.every !== 0) continue;
      now += steps[Math.floor(random() * steps.length)];
      const reportTime = now; // bt: the report's own time
      const times = 1 + Math.floor(random() * device.maxReadings);
      let first = true;
      for (const sensor of device.sensors) {
        let counterBase: number | undefined;
        for (let k = 0; k < times && records.length < count; k++) {
          const relative = -(times - 1 - k) * device.period;
          const value = sensor.read(random);
          const record: GatewayRecord = { n: sensor.n, t: relative };
          if (first) {
            record.bn = device.bn;
            record.bt = reportTime;
            first = false;
          }
          const resolved: Resolved = { n: device.bn + sensor.n, t: reportTime + relative };
          if (sensor.u !== undefined) {
            record.u = sensor.u;
            resolved.u = sensor.u;
          }
          if (typeof value === 'number') {
            if (sensor.counter) {
              if (counterBase === undefined) record.bv = bvInForce = counterBase = value;
            } else if (bvInForce !== 0) {
              // The counter's base would apply to this reading too (§4.1): the gateway resets it.
              record.bv = bvInForce = 0;
            }
            record.v = value - bvInForce;
            resolved.v = value;
          } else if (typeof value === 'string') {
            record.vs = resolved.vs = value;
          } else {
            record.vb = resolved.vb = value;
          }
          records.push(sortFields(record));
          readings.push({ record: resolved, position: readings.length });
        }
      }
    }
  }
  readings.sort((a, b) => a.record.t - b.record.t || a.position - b.position);
  return {
    records,
    json: writeJson(records),
    cbor: writeCbor(records),
    xml: writeXml(records),
    expected: readings.map((r) => r.record),
  };
}

/** Base fields first, then name, unit, time, value: the order a gateway's template writes. */
const FIELD_ORDER = ['bn', 'bt', 'bv', 'n', 'u', 't', 'v', 'vs', 'vb'] as const;

function sortFields(record: GatewayRecord): GatewayRecord {
  const ordered: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) if (record[key] !== undefined) ordered[key] = record[key];
  return ordered as unknown as GatewayRecord;
}

function fieldsOf(record: GatewayRecord): [string, string | number | boolean][] {
  return Object.entries(record) as [string, string | number | boolean][];
}

/** The names and states here need no escaping in JSON or XML; say so if one ever does. */
function plainText(text: string): string {
  if (!/^[A-Za-z0-9:%/._-]*$/.test(text)) throw new Error(`bench: text needs escaping: ${text}`);
  return text;
}

/** JSON text as a gateway's printf writes it: no spaces, numbers in their shortest form. */
function writeJson(records: readonly GatewayRecord[]): string {
  const parts: string[] = [];
  for (const record of records) {
    const fields = fieldsOf(record).map(
      ([key, value]) => `"${key}":${typeof value === 'string' ? `"${plainText(value)}"` : value}`,
    );
    parts.push(`{${fields.join(',')}}`);
  }
  return `[${parts.join(',')}]`;
}

/** XML (RFC 8428 §7): one <senml> element per record, each field an attribute. */
function writeXml(records: readonly GatewayRecord[]): string {
  const parts = ['<sensml xmlns="urn:ietf:params:xml:ns:senml">'];
  for (const record of records) {
    const attributes = fieldsOf(record).map(
      ([key, value]) => `${key}="${typeof value === 'string' ? plainText(value) : value}"`,
    );
    parts.push(`<senml ${attributes.join(' ')}/>`);
  }
  parts.push('</sensml>');
  return parts.join('');
}

/** CBOR integer labels (RFC 8428 §6, Table 4). */
const CBOR_LABEL: Readonly<Record<string, number>> = {
  bn: -2,
  bt: -3,
  bv: -5,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  t: 6,
};

/**
 * CBOR (RFC 8949) as a small embedded encoder writes it: definite lengths,
 * integers as integers, other numbers as float64.
 */
function writeCbor(records: readonly GatewayRecord[]): Buffer {
  const out: number[] = [];
  const head = (major: number, length: number): void => {
    const m = major << 5;
    if (length < 24) out.push(m | length);
    else if (length < 0x100) out.push(m | 24, length);
    else if (length < 0x10000) out.push(m | 25, length >> 8, length & 0xff);
    else if (length < 0x100000000)
      out.push(m | 26, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
    else {
      const high = Math.floor(length / 0x100000000);
      const low = length >>> 0;
      out.push(m | 27, high >>> 24, (high >> 16) & 0xff, (high >> 8) & 0xff, high & 0xff);
      out.push(low >>> 24, (low >> 16) & 0xff, (low >> 8) & 0xff, low & 0xff);
    }
  };
  const item = (value: string | number | boolean): void => {
    if (typeof value === 'boolean') out.push(value ? 0xf5 : 0xf4);
    else if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'utf8');
      head(3, bytes.length);
      for (const byte of bytes) out.push(byte);
    } else if (Number.isSafeInteger(value)) {
      if (value >= 0) head(0, value);
      else head(1, -1 - value);
    } else {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value);
      out.push(0xfb, ...bytes);
    }
  };
  head(4, records.length);
  for (const record of records) {
    const fields = fieldsOf(record);
    head(5, fields.length);
    for (const [key, value] of fields) {
      item(CBOR_LABEL[key]);
      item(value);
    }
  }
  return Buffer.from(out);
}
