import { describe } from '../senml/errors';
import { DeviceError } from './errors';
import type { DeviceReading } from './readings';

/**
 * Cayenne Low Power Payload (myDevices), with the extended types of the Arduino
 * libraries (ElectronicCats CayenneLPP, pycayennelpp): a frame is a run of
 * entries `[channel][type][data]`, the type being the IPSO object id − 3200, the
 * data big-endian, its size fixed by the type. LPP has no length field: a type
 * not in the table, or an entry cut short, leaves the rest of the frame unreadable.
 *
 * Each value becomes a reading `<channel>/<quantity>` in a primary SenML unit:
 *
 * | type | LPP | data | reading(s) |
 * |---|---|---|---|
 * | digital input / output | 0 / 1 | uint8 | `digital_input` / `digital_output`, no unit |
 * | analog input / output | 2 / 3 | int16, 0.01 | `analog_input` / `analog_output`, no unit |
 * | generic sensor | 100 | uint32 | `generic`, no unit |
 * | illuminance | 101 | uint16, 1 lx | `illuminance` lx |
 * | presence | 102 | uint8 | `presence` vb (non-zero: true) |
 * | temperature | 103 | int16, 0.1 °C | `temperature` Cel |
 * | humidity | 104 | uint8, 0.5 % | `humidity` %RH |
 * | accelerometer | 113 | 3 × int16, 0.001 g | `acceleration_x/_y/_z` m/s2 (1 g = 9.80665 m/s2) |
 * | barometer | 115 | uint16, 0.1 hPa | `pressure` Pa |
 * | voltage | 116 | int16, 0.01 V | `voltage` V |
 * | current | 117 | int16, 0.001 A | `current` A |
 * | frequency | 118 | uint32, 1 Hz | `frequency` Hz |
 * | percentage | 120 | uint8, 1 % | `percentage` / (a 0..1 ratio: 57 % is 0.57) |
 * | altitude | 121 | int16, 1 m | `altitude` m |
 * | load | 122 | int24, 0.001 kg | `load` kg |
 * | concentration | 125 | uint16, 1 ppm | `concentration` / (400 ppm is 0.0004) |
 * | power | 128 | uint16, 1 W | `power` W |
 * | distance | 130 | uint32, 0.001 m | `distance` m |
 * | energy | 131 | uint32, 0.001 kWh | `energy` J (1 Wh = 3600 J) |
 * | direction | 132 | uint16, 1° | `direction` rad |
 * | unix time | 133 | uint32, 1 s | `time` s (seconds since 1970-01-01T00:00:00Z) |
 * | gyrometer | 134 | 3 × int16, 0.01 °/s | `angular_velocity_x/_y/_z` in rad/s, no unit |
 * | colour | 135 | 3 × uint8 | `red`, `green`, `blue`, no unit |
 * | GPS | 136 | 3 × int24: 0.0001°, 0.0001°, 0.01 m | `latitude` lat, `longitude` lon, `altitude` m |
 * | switch | 142 | uint8 | `switch` vb (non-zero: true) |
 *
 * Sources disagree on two points, settled here as ElectronicCats CayenneLPP
 * 1.4 (its latest) encodes them: direction takes 2 bytes (its decoders/decoder.js
 * and some gateway decoders read 1), and voltage and current are signed (older
 * versions and pycayennelpp read them unsigned; only values above 327.67 V or
 * 32.767 A differ). The gyrometer has no unit because the SenML registry has none
 * for an angular velocity (neither rad/s nor deg/s); its values are in rad/s.
 */

interface LppPart {
  quantity: string;
  /** Bytes, big-endian. */
  size: 1 | 2 | 3 | 4;
  signed: boolean;
  /** The value in `unit` of the integer read. */
  scale: (raw: number) => number;
  unit?: string;
  /** A boolean reading (`vb`): true when the byte is not 0. */
  bool?: boolean;
}

interface LppType {
  /** The type's name in error messages. */
  kind: string;
  parts: readonly LppPart[];
  /** Data bytes: the parts' sizes added. */
  size: number;
}

const G = 9.80665; // standard gravity, m/s2 per g (CGPM 1901)
const RADIANS_PER_DEGREE = Math.PI / 180;

const same = (raw: number): number => raw;
const over =
  (divisor: number) =>
  (raw: number): number =>
    raw / divisor;

function part(
  quantity: string,
  size: LppPart['size'],
  signed: boolean,
  scale: LppPart['scale'],
  unit?: string,
): LppPart {
  return unit === undefined
    ? { quantity, size, signed, scale }
    : { quantity, size, signed, scale, unit };
}

const flag = (quantity: string): LppPart => ({
  quantity,
  size: 1,
  signed: false,
  scale: same,
  bool: true,
});

const axes = (quantity: string, scale: LppPart['scale'], unit?: string): LppPart[] =>
  ['x', 'y', 'z'].map((axis) => part(`${quantity}_${axis}`, 2, true, scale, unit));

const TABLE: ReadonlyArray<readonly [number, string, readonly LppPart[]]> = [
  [0, 'digital_input', [part('digital_input', 1, false, same)]],
  [1, 'digital_output', [part('digital_output', 1, false, same)]],
  [2, 'analog_input', [part('analog_input', 2, true, over(100))]],
  [3, 'analog_output', [part('analog_output', 2, true, over(100))]],
  [100, 'generic_sensor', [part('generic', 4, false, same)]],
  [101, 'illuminance', [part('illuminance', 2, false, same, 'lx')]],
  [102, 'presence', [flag('presence')]],
  [103, 'temperature', [part('temperature', 2, true, over(10), 'Cel')]],
  [104, 'humidity', [part('humidity', 1, false, over(2), '%RH')]],
  [113, 'accelerometer', axes('acceleration', (raw) => (raw * G) / 1000, 'm/s2')],
  [115, 'barometer', [part('pressure', 2, false, (raw) => raw * 10, 'Pa')]],
  [116, 'voltage', [part('voltage', 2, true, over(100), 'V')]],
  [117, 'current', [part('current', 2, true, over(1000), 'A')]],
  [118, 'frequency', [part('frequency', 4, false, same, 'Hz')]],
  [120, 'percentage', [part('percentage', 1, false, over(100), '/')]],
  [121, 'altitude', [part('altitude', 2, true, same, 'm')]],
  [122, 'load', [part('load', 3, true, over(1000), 'kg')]],
  [125, 'concentration', [part('concentration', 2, false, over(1e6), '/')]],
  [128, 'power', [part('power', 2, false, same, 'W')]],
  [130, 'distance', [part('distance', 4, false, over(1000), 'm')]],
  [131, 'energy', [part('energy', 4, false, (raw) => raw * 3600, 'J')]],
  [132, 'direction', [part('direction', 2, false, (raw) => raw * RADIANS_PER_DEGREE, 'rad')]],
  [133, 'unixtime', [part('time', 4, false, same, 's')]],
  [134, 'gyrometer', axes('angular_velocity', (raw) => (raw / 100) * RADIANS_PER_DEGREE)],
  [135, 'colour', ['red', 'green', 'blue'].map((c) => part(c, 1, false, same))],
  [
    136,
    'gps',
    [
      part('latitude', 3, true, over(10000), 'lat'),
      part('longitude', 3, true, over(10000), 'lon'),
      part('altitude', 3, true, over(100), 'm'),
    ],
  ],
  [142, 'switch', [flag('switch')]],
];

const TYPES: ReadonlyMap<number, LppType> = new Map(
  TABLE.map(([type, kind, parts]): [number, LppType] => [
    type,
    { kind, parts, size: parts.reduce((sum, p) => sum + p.size, 0) },
  ]),
);

/** The LPP type numbers this decoder reads, in order. */
export const CAYENNE_LPP_TYPES: readonly number[] = [...TYPES.keys()].sort((a, b) => a - b);

/**
 * The readings of a Cayenne LPP frame, in the order of the frame. Empty bytes give
 * no reading; an unknown type or an entry cut short throws a DeviceError naming
 * the byte offset (from 0) of the entry and its type.
 */
export function decodeCayenneLpp(bytes: Uint8Array): DeviceReading[] {
  if (!(bytes instanceof Uint8Array))
    throw new DeviceError('DEVICE_BYTES_INVALID', { got: describe(bytes) });
  const readings: DeviceReading[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const channel = bytes[offset];
    if (offset + 1 >= bytes.length)
      throw new DeviceError('DEVICE_LPP_NO_TYPE', { offset, channel });
    const typeNumber = bytes[offset + 1];
    const type = TYPES.get(typeNumber);
    if (type === undefined)
      throw new DeviceError('DEVICE_LPP_TYPE_UNKNOWN', { offset, type: typeNumber, channel });
    let at = offset + 2;
    if (at + type.size > bytes.length)
      throw new DeviceError('DEVICE_LPP_TRUNCATED', {
        offset,
        kind: type.kind,
        type: typeNumber,
        channel,
        needed: type.size,
        left: bytes.length - at,
      });
    for (const p of type.parts) {
      const raw = readInteger(bytes, at, p.size, p.signed);
      at += p.size;
      const n = `${channel}/${p.quantity}`;
      if (p.bool === true) readings.push({ n, vb: raw !== 0 });
      else if (p.unit === undefined) readings.push({ n, v: p.scale(raw) });
      else readings.push({ n, u: p.unit, v: p.scale(raw) });
    }
    offset = at;
  }
  return readings;
}

/** A big-endian integer of 1 to 4 bytes, two's complement when signed. */
function readInteger(bytes: Uint8Array, at: number, size: number, signed: boolean): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i];
  const half = 2 ** (size * 8 - 1);
  return signed && value >= half ? value - 2 * half : value;
}
