import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { senml } from '../../../lib';

const now = (): number => 1_700_000_000;

describe('formats and inputs', () => {
  it('tells JSON, XML and CBOR apart from the first byte, after white space and a BOM', () => {
    assert.equal(senml.detectFormat('  \n[{"n":"x","v":1}]'), 'json');
    assert.equal(senml.detectFormat(Buffer.from('\uFEFF[{"n":"x","v":1}]')), 'json');
    assert.equal(senml.detectFormat(Buffer.from('\n<sensml/>')), 'xml');
    assert.equal(senml.detectFormat(Buffer.from([0x81, 0xa1, 0x02, 0x01])), 'cbor');
    assert.equal(
      senml.detectFormat(Buffer.from([0xd9, 0xd9, 0xf7, 0x81, 0xa1, 0x02, 0x01])),
      'cbor',
    );
  });

  it('says what is wrong with input it cannot use', () => {
    assert.throws(
      () => senml.decode('{"n":"x","v":1}'),
      /list of records in \[ \], got a single JSON object/,
    );
    assert.throws(() => senml.decode({ n: 'x', v: 1 }), /got a single object/);
    assert.throws(() => senml.decode(''), /empty/);
    assert.throws(() => senml.decode('hello'), /cannot tell the format/);
    assert.throws(() => senml.decode(42), /cannot decode a number/);
    assert.throws(() => senml.decode(undefined), /there is no input: the payload is empty/);
    assert.throws(() => senml.decode('[{"n":"x",'), /not valid JSON/);
    assert.throws(() => senml.decode(Buffer.from([0x81, 0xa2])), /not valid CBOR/);
    assert.throws(() => senml.decode('x', { format: 'cbor' }), /CBOR is binary/);
  });

  it('decodes the same pack from JSON text, a JSON Buffer, CBOR, XML and parsed records', () => {
    const pack = [
      { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.25, t: 1_700_000_000 },
    ];
    const inputs = [
      senml.encode(pack),
      Buffer.from(senml.encode(pack) as string),
      senml.encode(pack, { format: 'cbor' }),
      senml.encode(pack, { format: 'xml' }),
      pack,
    ];
    for (const input of inputs) assert.deepEqual(senml.decode(input, { now }), pack);
  });

  it('CBOR uses integer labels (§6, Table 4) and byte strings for data values', () => {
    const bytes = senml.encode([{ n: 'x', vd: 'aGkgCg', t: 2 ** 30 }], {
      format: 'cbor',
    }) as Buffer;
    assert.equal(bytes[0], 0x81, 'a definite-length array of one');
    // a map of 3 entries: 0: "x", 8: h'6869200a', 6: 2^30
    const map = bytes.subarray(1);
    assert.equal(map[0], 0xa3);
    assert.deepEqual([...map.subarray(1, 4)], [0x00, 0x61, 0x78]);
    assert.deepEqual([...map.subarray(4, 10)], [0x08, 0x44, 0x68, 0x69, 0x20, 0x0a]);
  });

  it('refuses text labels for SenML fields in CBOR, and ignores undefined integer labels (§4.4)', () => {
    // [{"n": "x", 2: 1}]
    assert.throws(
      () => senml.decode(Buffer.from('81a2616e61780201', 'hex'), { now }),
      /integer label 0 for "n"/,
    );
    // [{0: "x", 2: 1, 9: 1}]
    assert.deepEqual(senml.decode(Buffer.from('81a3006178020109' + '01', 'hex'), { now }), [
      { n: 'x', t: 1_700_000_000, v: 1 },
    ]);
  });

  it('turns a plain object of readings into records with base name, units and time', () => {
    const pack = senml.fromSimpleObject(
      { temperature: 21.5, door: true, note: 'ok' },
      {
        baseName: 'urn:dev:mac:0024befffe804ff1:',
        units: { temperature: 'Cel' },
        time: 1_700_000_000,
      },
    );
    assert.deepEqual(pack, [
      { n: 'urn:dev:mac:0024befffe804ff1:temperature', t: 1_700_000_000, u: 'Cel', v: 21.5 },
      { n: 'urn:dev:mac:0024befffe804ff1:door', t: 1_700_000_000, vb: true },
      { n: 'urn:dev:mac:0024befffe804ff1:note', t: 1_700_000_000, vs: 'ok' },
    ]);
    assert.throws(
      () => senml.fromSimpleObject({ nested: { a: 1 } }),
      /reading "nested" is an object/,
    );
  });

  it("takes a plain object made in another context (a function node's), but not a Date, a Buffer or an array", () => {
    const fromFunctionNode = runInNewContext('({ temperature: 21.5 })') as Record<string, unknown>;
    assert.equal(senml.isSimpleObject(fromFunctionNode), true);
    assert.deepEqual(senml.fromSimpleObject(fromFunctionNode, { time: 1 }), [
      { n: 'temperature', t: 1, v: 21.5 },
    ]);
    assert.equal(senml.isSimpleObject(Object.create(null)), true);
    for (const other of [
      runInNewContext('new Date(0)'),
      runInNewContext('[1]'),
      runInNewContext('new Uint8Array(2)'),
      Buffer.from('x'),
      new Map(),
      null,
    ]) {
      assert.equal(senml.isSimpleObject(other), false, String(other));
    }
  });

  it('marks readings in secondary units as a version 26 pack, so that strict encoding accepts them', () => {
    const pack = senml.fromSimpleObject(
      { energy: 12.5, power: 800 },
      { baseName: 'meter:', units: { energy: 'kWh', power: 'W' }, time: 1_700_000_000 },
    );
    assert.deepEqual(
      pack.map((r) => r.bver),
      [26, 26],
    );
    const decoded = senml.decode(senml.encode(pack), { now, convertUnits: true });
    assert.deepEqual(
      decoded.map((r) => [r.u, r.v, r.bver]),
      [
        ['J', 45_000_000, undefined],
        ['W', 800, undefined],
      ],
    );
  });
});
