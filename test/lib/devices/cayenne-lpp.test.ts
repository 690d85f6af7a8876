import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { CAYENNE_LPP_TYPES, decodeCayenneLpp } from '../../../lib/devices/cayenne-lpp';
import { DeviceError } from '../../../lib/devices/errors';
import { DEVICE_MESSAGES } from '../../../lib/devices/messages';
import type { DeviceReading } from '../../../lib/devices/readings';
import { isPrimaryUnit } from '../../../lib/senml/units';

const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const lpp = (text: string): DeviceReading[] => decodeCayenneLpp(hex(text));

function close(actual: DeviceReading[], expected: DeviceReading[]): void {
  assert.equal(actual.length, expected.length, JSON.stringify(actual));
  actual.forEach((reading, i) => {
    const want = expected[i];
    assert.equal(reading.n, want.n);
    assert.equal(reading.u, want.u, reading.n);
    assert.equal(reading.vb, want.vb, reading.n);
    if (want.v === undefined) assert.equal(reading.v, undefined, reading.n);
    else
      assert.ok(
        Math.abs(reading.v! - want.v) < 1e-9,
        `${reading.n}: ${reading.v} is not ${want.v}`,
      );
  });
}

function thrown(bytes: string): DeviceError {
  try {
    lpp(bytes);
  } catch (err) {
    assert.ok(err instanceof DeviceError, String(err));
    return err;
  }
  assert.fail(`${bytes} decoded`);
}

describe('Cayenne LPP', () => {
  describe('the examples of the Cayenne LPP documentation', () => {
    it('two temperature sensors: 27.2 °C on channel 3, 25.5 °C on channel 5', () => {
      assert.deepEqual(lpp('03 67 01 10 05 67 00 FF'), [
        { n: '3/temperature', u: 'Cel', v: 27.2 },
        { n: '5/temperature', u: 'Cel', v: 25.5 },
      ]);
    });

    it('a temperature below zero: -4.1 °C', () => {
      assert.deepEqual(lpp('01 67 FF D7'), [{ n: '1/temperature', u: 'Cel', v: -4.1 }]);
    });

    it('an accelerometer: 1.234 g, -1.234 g, 0 g, in m/s2', () => {
      close(lpp('06 71 04 D2 FB 2E 00 00'), [
        { n: '6/acceleration_x', u: 'm/s2', v: 1.234 * 9.80665 },
        { n: '6/acceleration_y', u: 'm/s2', v: -1.234 * 9.80665 },
        { n: '6/acceleration_z', u: 'm/s2', v: 0 },
      ]);
    });

    it('a GPS position: 42.3519 N, 87.9094 W, 10 m', () => {
      assert.deepEqual(lpp('01 88 06 76 5F F2 96 0A 00 03 E8'), [
        { n: '1/latitude', u: 'lat', v: 42.3519 },
        { n: '1/longitude', u: 'lon', v: -87.9094 },
        { n: '1/altitude', u: 'm', v: 10 },
      ]);
    });
  });

  it('reads every type of the table once, in primary SenML units', () => {
    const frame = [
      '00 00 01', // digital input 1
      '01 01 FF', // digital output 255
      '02 02 FF 38', // analog input -2.00
      '03 03 01 2C', // analog output 3.00
      '04 64 00 01 E2 40', // generic 123456
      '05 65 01 F4', // illuminance 500 lx
      '06 66 01', // presence
      '07 67 00 D2', // 21.0 °C
      '08 68 61', // 48.5 %RH
      '09 71 03 E8 FC 18 00 01', // 1 g, -1 g, 0.001 g
      '0A 73 27 87', // 1011.9 hPa
      '0B 74 01 4A', // 3.30 V
      '0C 75 FF 38', // -0.200 A
      '0D 76 00 0D BB A0', // 900000 Hz
      '0E 78 39', // 57 %
      '0F 79 FF F6', // -10 m
      '10 7A 00 30 39', // 12.345 kg
      '11 7D 01 90', // 400 ppm
      '12 80 05 DC', // 1500 W
      '13 82 00 00 30 39', // 12.345 m
      '14 83 00 00 03 E8', // 1.000 kWh
      '15 84 00 B4', // 180°
      '16 85 65 4B 9C 00', // 1699453952 s
      '17 86 00 64 FF 9C 00 00', // 1 °/s, -1 °/s, 0
      '18 87 FF 80 00', // colour
      '19 88 F9 22 2C 00 83 D6 FF FF 9C', // -45.0004, 3.3750, -1 m
      '1A 8E 00', // switch off
    ].join('');
    const radPerDeg = Math.PI / 180;
    close(lpp(frame), [
      { n: '0/digital_input', v: 1 },
      { n: '1/digital_output', v: 255 },
      { n: '2/analog_input', v: -2 },
      { n: '3/analog_output', v: 3 },
      { n: '4/generic', v: 123456 },
      { n: '5/illuminance', u: 'lx', v: 500 },
      { n: '6/presence', vb: true },
      { n: '7/temperature', u: 'Cel', v: 21 },
      { n: '8/humidity', u: '%RH', v: 48.5 },
      { n: '9/acceleration_x', u: 'm/s2', v: 9.80665 },
      { n: '9/acceleration_y', u: 'm/s2', v: -9.80665 },
      { n: '9/acceleration_z', u: 'm/s2', v: 0.00980665 },
      { n: '10/pressure', u: 'Pa', v: 101190 },
      { n: '11/voltage', u: 'V', v: 3.3 },
      { n: '12/current', u: 'A', v: -0.2 },
      { n: '13/frequency', u: 'Hz', v: 900000 },
      { n: '14/percentage', u: '/', v: 0.57 },
      { n: '15/altitude', u: 'm', v: -10 },
      { n: '16/load', u: 'kg', v: 12.345 },
      { n: '17/concentration', u: '/', v: 0.0004 },
      { n: '18/power', u: 'W', v: 1500 },
      { n: '19/distance', u: 'm', v: 12.345 },
      { n: '20/energy', u: 'J', v: 3_600_000 },
      { n: '21/direction', u: 'rad', v: Math.PI },
      { n: '22/time', u: 's', v: 1699453952 },
      { n: '23/angular_velocity_x', v: radPerDeg },
      { n: '23/angular_velocity_y', v: -radPerDeg },
      { n: '23/angular_velocity_z', v: 0 },
      { n: '24/red', v: 255 },
      { n: '24/green', v: 128 },
      { n: '24/blue', v: 0 },
      { n: '25/latitude', u: 'lat', v: -45.0004 },
      { n: '25/longitude', u: 'lon', v: 3.375 },
      { n: '25/altitude', u: 'm', v: -1 },
      { n: '26/switch', vb: false },
    ]);
    assert.deepEqual(
      CAYENNE_LPP_TYPES,
      [
        0, 1, 2, 3, 100, 101, 102, 103, 104, 113, 115, 116, 117, 118, 120, 121, 122, 125, 128, 130,
        131, 132, 133, 134, 135, 136, 142,
      ],
    );
  });

  it('gives readings in primary units only, with SenML name characters', () => {
    const all = lpp('0171000000000000 018806765FF2960A0003E8 0274FFFF 0A8400FF');
    for (const r of all) {
      assert.match(r.n, /^[-:./_A-Za-z0-9]+$/);
      if (r.u !== undefined) assert.ok(isPrimaryUnit(r.u), r.u);
    }
  });

  it('reads the largest values: unsigned 32-bit, signed 24-bit at both ends', () => {
    close(lpp('01 64 FF FF FF FF 02 88 7F FF FF 80 00 00 00 00 00'), [
      { n: '1/generic', v: 4294967295 },
      { n: '2/latitude', u: 'lat', v: 838.8607 },
      { n: '2/longitude', u: 'lon', v: -838.8608 },
      { n: '2/altitude', u: 'm', v: 0 },
    ]);
  });

  it('gives no reading for no bytes, and reads a Buffer', () => {
    assert.deepEqual(decodeCayenneLpp(new Uint8Array(0)), []);
    assert.deepEqual(decodeCayenneLpp(Buffer.from([1, 0x66, 0])), [{ n: '1/presence', vb: false }]);
  });

  it('refuses an unknown type, naming its byte offset, type and channel', () => {
    const err = thrown('03 67 01 10 05 05 00');
    assert.equal(err.code, 'DEVICE_LPP');
    assert.equal(err.messageId, 'DEVICE_LPP_TYPE_UNKNOWN');
    assert.deepEqual(err.params, { offset: 4, type: 5, channel: 5 });
    assert.match(err.message, /byte 4: type 5 \(channel 5\) is not a Cayenne LPP type/);
    // PPM (143) and RGB (144) of an older ElectronicCats release are not types any more.
    assert.equal(thrown('01 8F 01 90').params.type, 143);
  });

  it('refuses an entry cut short, naming what it needed', () => {
    const err = thrown('03 67 01 10 01 88 06 76 5F F2 96 0A 00 03');
    assert.equal(err.messageId, 'DEVICE_LPP_TRUNCATED');
    assert.deepEqual(err.params, {
      offset: 4,
      kind: 'gps',
      type: 136,
      channel: 1,
      needed: 9,
      left: 8,
    });
    assert.equal(thrown('01 67 00').params.left, 1);
    assert.equal(thrown('01 67').params.needed, 2);
    const noType = thrown('03 67 01 10 07');
    assert.equal(noType.messageId, 'DEVICE_LPP_NO_TYPE');
    assert.deepEqual(noType.params, { offset: 4, channel: 7 });
  });

  it('refuses what is not bytes', () => {
    assert.throws(
      () => decodeCayenneLpp([3, 0x67, 1, 0x10] as unknown as Uint8Array),
      (err: unknown) => err instanceof DeviceError && err.messageId === 'DEVICE_BYTES_INVALID',
    );
  });

  it('throws nothing but a DeviceError of its own on random bytes, and finite values only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          for (const r of decodeCayenneLpp(bytes)) {
            assert.ok(r.vb !== undefined || Number.isFinite(r.v));
            assert.match(r.n, /^\d{1,3}\/[a-z_]+$/);
          }
        } catch (err) {
          if (!(err instanceof DeviceError)) throw err;
          assert.ok(err.messageId in DEVICE_MESSAGES);
          assert.equal(err.code, 'DEVICE_LPP');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes random frames built from the table back to their entries', () => {
    const sizes: Record<number, number> = {
      0: 1,
      1: 1,
      2: 2,
      3: 2,
      100: 4,
      101: 2,
      102: 1,
      103: 2,
      104: 1,
      113: 6,
      115: 2,
      116: 2,
      117: 2,
      118: 4,
      120: 1,
      121: 2,
      122: 3,
      125: 2,
      128: 2,
      130: 4,
      131: 4,
      132: 2,
      133: 4,
      134: 6,
      135: 3,
      136: 9,
      142: 1,
    };
    const entry = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...CAYENNE_LPP_TYPES))
      .chain(([channel, type]) =>
        fc
          .uint8Array({ minLength: sizes[type], maxLength: sizes[type] })
          .map((data) => [channel, type, ...data]),
      );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const readings = decodeCayenneLpp(Uint8Array.from(entries.flat()));
        const channels = readings.map((r) => Number(r.n.split('/')[0]));
        const expected = entries.flatMap(([channel, type]) =>
          Array(type === 113 || type === 134 || type === 135 || type === 136 ? 3 : 1).fill(channel),
        );
        assert.deepEqual(channels, expected);
      }),
    );
  });
});
