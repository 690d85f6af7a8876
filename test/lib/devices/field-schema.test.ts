import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DeviceError } from '../../../lib/devices/errors';
import { decodeFields, parseFieldSchema } from '../../../lib/devices/field-schema';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function refused(text: string): DeviceError {
  try {
    parseFieldSchema(text);
  } catch (err) {
    assert.ok(err instanceof DeviceError, String(err));
    assert.equal(err.code, 'DEVICE_SCHEMA');
    return err;
  }
  assert.fail(`"${text}" was accepted`);
}

describe('field schemas for packed structs', () => {
  it('reads named fields with divisors and units', () => {
    const schema = parseFieldSchema('temperature:int16le/100 Cel, battery:uint16le/1000 V');
    assert.equal(schema.size, 4);
    // 0x0929 = 2345, 0x0E10 = 3600
    assert.deepEqual(decodeFields(schema, bytes(0x29, 0x09, 0x10, 0x0e)), [
      { n: 'temperature', u: 'Cel', v: 23.45 },
      { n: 'battery', u: 'V', v: 3.6 },
    ]);
  });

  it('names unnamed fields by position, padding counted', () => {
    const schema = parseFieldSchema('int16le/100 Cel, skip2, uint8');
    assert.equal(schema.size, 5);
    assert.deepEqual(decodeFields(schema, bytes(0x18, 0xfc, 0xaa, 0xbb, 7)), [
      { n: 'field1', u: 'Cel', v: -10 },
      { n: 'field3', v: 7 },
    ]);
  });

  it('reads every type, in both byte orders', () => {
    const schema = parseFieldSchema(
      'a:int8, b:uint8, c:int16le, d:int16be, e:uint16le, f:uint16be, g:int32le, h:int32be, ' +
        'i:uint32le, j:uint32be, k:floatle, l:floatbe, m:doublele, o:doublebe, p:bool, q:bool',
    );
    const frame = Buffer.alloc(schema.size);
    let at = 0;
    at = frame.writeInt8(-2, at);
    at = frame.writeUInt8(250, at);
    at = frame.writeInt16LE(-300, at);
    at = frame.writeInt16BE(-300, at);
    at = frame.writeUInt16LE(65000, at);
    at = frame.writeUInt16BE(65000, at);
    at = frame.writeInt32LE(-70000, at);
    at = frame.writeInt32BE(-70000, at);
    at = frame.writeUInt32LE(4000000000, at);
    at = frame.writeUInt32BE(4000000000, at);
    at = frame.writeFloatLE(1.5, at);
    at = frame.writeFloatBE(-0.25, at);
    at = frame.writeDoubleLE(Math.PI, at);
    at = frame.writeDoubleBE(-1e300, at);
    at = frame.writeUInt8(2, at);
    frame.writeUInt8(0, at);
    assert.deepEqual(
      decodeFields(schema, frame).map((r) => r.v ?? r.vb),
      [
        -2,
        250,
        -300,
        -300,
        65000,
        65000,
        -70000,
        -70000,
        4000000000,
        4000000000,
        1.5,
        -0.25,
        Math.PI,
        -1e300,
        true,
        false,
      ],
    );
  });

  it('gives readings in the primary unit a secondary or NOT RECOMMENDED unit converts to', () => {
    const schema = parseFieldSchema(
      'p:uint16be/10 hPa, e:uint32be kWh, b:uint16be mV, h:uint8 /100, d:uint16be deg',
    );
    const frame = bytes(0x27, 0x87, 0, 0, 0, 2, 0x0c, 0xe4, 50, 0, 90);
    const [p, e, b, h, d] = decodeFields(schema, frame);
    assert.deepEqual(p, { n: 'p', u: 'Pa', v: 101190 });
    assert.deepEqual(e, { n: 'e', u: 'J', v: 7_200_000 });
    assert.deepEqual(b, { n: 'b', u: 'V', v: 3.3 });
    assert.deepEqual(h, { n: 'h', u: '/', v: 0.5 });
    assert.equal(d.u, 'rad');
    assert.ok(Math.abs(d.v! - Math.PI / 2) < 1e-12);
  });

  it('accepts names with SenML characters, spaces around items, decimal divisors and case in types', () => {
    const schema = parseFieldSchema('  urn:x/level.1 : UINT8/0.5 m ,\n flag:bool ');
    assert.deepEqual(decodeFields(schema, bytes(3, 1)), [
      { n: 'urn:x/level.1', u: 'm', v: 6 },
      { n: 'flag', vb: true },
    ]);
  });

  it('refuses a frame too short or too long, with both lengths', () => {
    const schema = parseFieldSchema('int16le, uint8');
    assert.throws(
      () => decodeFields(schema, bytes(1, 2)),
      (err: unknown) =>
        err instanceof DeviceError &&
        err.messageId === 'DEVICE_FRAME_SHORT' &&
        err.params.got === 2 &&
        err.params.expected === 3 &&
        err.message === 'the frame has 2 bytes, too few for the schema, which reads 3',
    );
    assert.throws(
      () => decodeFields(schema, bytes(1, 2, 3, 4)),
      (err: unknown) =>
        err instanceof DeviceError && err.messageId === 'DEVICE_FRAME_LONG' && err.params.got === 4,
    );
  });

  it('refuses a float that SenML cannot carry, naming the field', () => {
    const schema = parseFieldSchema('skip1, t:floatbe');
    assert.throws(
      () => decodeFields(schema, bytes(0, 0x7f, 0xc0, 0, 0)),
      (err: unknown) =>
        err instanceof DeviceError &&
        err.messageId === 'DEVICE_FRAME_NOT_FINITE' &&
        err.params.field === 2 &&
        err.params.value === 'NaN',
    );
  });

  it('refuses bad schemas, naming the field and what is wrong', () => {
    assert.equal(refused('').messageId, 'DEVICE_SCHEMA_EMPTY');
    assert.equal(refused(42 as unknown as string).messageId, 'DEVICE_SCHEMA_NOT_TEXT');
    let err = refused('int16le, int24le');
    assert.equal(err.messageId, 'DEVICE_SCHEMA_TYPE_UNKNOWN');
    assert.equal(err.params.field, 2);
    assert.match(err.message, /field 2: "int24le" is not a field type; use one of int8, uint8/);
    err = refused('int16le,');
    assert.equal(err.messageId, 'DEVICE_SCHEMA_FIELD_SYNTAX');
    assert.equal(err.params.field, 2);
    assert.equal(refused('t:int16le/100 Cel extra').messageId, 'DEVICE_SCHEMA_FIELD_SYNTAX');
    err = refused('temp erature:int8');
    assert.equal(err.messageId, 'DEVICE_SCHEMA_NAME_INVALID');
    assert.equal(err.params.name, 'temp erature');
    err = refused('t:int8, t:uint8');
    assert.equal(err.messageId, 'DEVICE_SCHEMA_NAME_TAKEN');
    assert.deepEqual(err.params, { field: 2, name: 't', other: 1 });
    assert.equal(refused('field2:int8, int8').messageId, 'DEVICE_SCHEMA_NAME_TAKEN');
    for (const divisor of ['0', '-1', 'abc', '1/2'])
      assert.equal(refused(`int8/${divisor}`).messageId, 'DEVICE_SCHEMA_DIVISOR_INVALID', divisor);
    err = refused('t:int16le/100 degC');
    assert.equal(err.messageId, 'DEVICE_SCHEMA_UNIT_SUGGEST');
    assert.equal(err.params.suggestion, 'Cel');
    assert.equal(refused('battery:uint8 %').messageId, 'DEVICE_SCHEMA_UNIT_PERCENT');
    assert.equal(refused('t:int16le furlong').messageId, 'DEVICE_SCHEMA_UNIT_UNKNOWN');
    for (const skip of ['skip0', 'pad:skip2', 'skip2/10', 'skip2 m', 'skip70000'])
      assert.equal(refused(skip).messageId, 'DEVICE_SCHEMA_SKIP_INVALID', skip);
    assert.equal(refused('door:bool/2').messageId, 'DEVICE_SCHEMA_BOOL_SCALED');
    assert.equal(refused('door:bool V').messageId, 'DEVICE_SCHEMA_BOOL_SCALED');
  });

  it('throws nothing but a DeviceError on random schema texts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseFieldSchema(text);
        } catch (err) {
          if (!(err instanceof DeviceError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
