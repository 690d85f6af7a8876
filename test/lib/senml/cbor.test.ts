/**
 * application/senml+cbor (RFC 8428 §6) as the bytes say it: integer labels, text
 * extension keys, tagged records, values no SenML field can hold.
 */
import assert from 'node:assert/strict';
import { Encoder, encode } from 'cbor-x';
import { senml } from '../../../lib';

const now = (): number => 1_700_000_000;
const cbor = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

function rejects(input: unknown, code: string, pattern: RegExp): void {
  assert.throws(
    () => senml.decode(input, { now }),
    (err: unknown) => {
      assert.ok(err instanceof senml.SenmlError, `not a SenmlError: ${String(err)}`);
      assert.equal(err.code, code, err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

function notes(input: Buffer): { pack: senml.ResolvedPack; notes: senml.SenmlNote[] } {
  const seen: senml.SenmlNote[] = [];
  const pack = senml.decode(input, { now, onNote: (note) => seen.push(note) });
  return { pack, notes: seen };
}

describe('CBOR labels and keys', () => {
  it('a text key that reads as a number is an extension, never an integer label (§6)', () => {
    // [{0: "a", "2": 1}]: "2" is text, so not the value label 2, and the record has no value.
    rejects(cbor('81 a2 00 61 61 61 32 01'), 'SENML_VALUE', /no value/);
    // [{0: "a", 2: 5, "2": 1, "1e0": "x", "-1": 7}]: the extensions are kept as such.
    const [record] = senml.decode(
      cbor('81 a5 00 61 61 02 05 61 32 01 63 31 65 30 61 78 62 2d 31 07'),
      { now },
    );
    assert.deepEqual(record, {
      n: 'a',
      t: 1_700_000_000,
      v: 5,
      2: 1,
      '1e0': 'x',
      '-1': 7,
    } as senml.ResolvedRecord);
    assert.equal(record.u, undefined, '"1e0" did not become the unit');
    assert.equal(record.bver, undefined, '"-1" did not become bver');
  });

  it('an extension named "2" survives a round trip through CBOR with its meaning', () => {
    const pack = senml.decode('[{"n":"a","v":1,"t":1073741824,"2":"two"}]', { now });
    const back = senml.decode(senml.encode(pack, { format: 'cbor' }), { now });
    assert.deepEqual(back, pack);
    assert.equal(back[0].v, 1);
  });

  it('refuses a floating-point map key, even 2.0', () => {
    // [{0: "a", 2.0: 1}] with 2.0 as a half float (f9 4000)
    rejects(cbor('81 a2 00 61 61 f9 4000 01'), 'SENML_SHAPE', /floating-point number 2/);
    rejects(cbor('81 a2 00 61 61 fb 4000000000000000 01'), 'SENML_SHAPE', /floating-point/);
  });

  it('reads an integer label written in more bytes than needed as the same label', () => {
    // 0x18 0x02 is 2 written in two bytes (not preferred serialisation, still the integer 2)
    assert.equal(senml.decode(cbor('81 a2 00 61 61 18 02 01'), { now })[0].v, 1);
  });

  it('ignores an integer label outside Table 4, as §4.4 asks, and says so', () => {
    // [{0: "x", 2: 1, 9: 1, -7: "q"}]
    const { pack, notes: said } = notes(cbor('81 a4 00 61 78 02 01 09 01 26 61 71'));
    assert.deepEqual(pack, [{ n: 'x', t: 1_700_000_000, v: 1 }]);
    assert.deepEqual(
      said.map((n) => [n.code, n.index, n.field]),
      [
        ['SENML_IGNORED_FIELD', 0, '9'],
        ['SENML_IGNORED_FIELD', 0, '-7'],
      ],
    );
    assert.match(said[0].message, /CBOR label 9 is not a SenML label/);
  });

  it('still refuses the text spelling of a SenML label ("n" for 0)', () => {
    rejects(cbor('81 a2 61 6e 61 78 02 01'), 'SENML_SHAPE', /integer label 0 for "n"/);
  });
});

describe('CBOR tagged records', () => {
  const record = { n: 'a', v: 1, t: 2 ** 30 };

  it('reads a record that cbor-x wrote from a Map (tag 259), as any map', () => {
    const bytes = encode([
      new Map<number, unknown>([
        [0, 'a'],
        [2, 1],
        [6, 2 ** 30],
      ]),
    ]);
    assert.equal(bytes.subarray(1, 4).toString('hex'), 'd90103', 'cbor-x tags the Map with 259');
    assert.deepEqual(senml.decode(bytes, { now }), [record]);
    assert.deepEqual(senml.decode(bytes, { now, strict: false }), [record]);
  });

  it('refuses records under other tags (a set, a date), in strict mode, and lists them in lenient mode: never an empty pack', () => {
    // [258([1, 2]), {0:"a", 2:1}] and [1(1600000000), {0:"a", 2:1}]
    for (const [hex, tag] of [
      ['82 d90102 82 01 02 a2 00 61 61 02 01', 258],
      ['82 c1 1a 5f5e1000 a2 00 61 61 02 01', 1],
    ] as const) {
      rejects(
        cbor(hex),
        'SENML_SHAPE',
        new RegExp(
          `record 0: a record must be an object with SenML fields, got a record under CBOR tag ${tag}`,
        ),
      );
      const skipped: senml.SenmlError[] = [];
      const pack = senml.decode(cbor(hex), {
        now,
        strict: false,
        onSkip: (err) => skipped.push(err),
      });
      assert.deepEqual(
        pack.map((r) => r.n),
        ['a'],
      );
      assert.deepEqual(
        skipped.map((e) => [e.code, e.index]),
        [['SENML_SHAPE', 0]],
      );
    }
  });

  it("refuses the records of cbor-x's own record extension, which plain CBOR readers do not know", () => {
    const bytes = new Encoder({ useRecords: true }).encode([{ n: 'a', v: 1 }]);
    rejects(bytes, 'SENML_SHAPE', /CBOR tag/);
  });

  it('a Map or a Set handed over as a record is refused, not read as a record of base fields', () => {
    rejects(
      [
        new Map<string, unknown>([
          ['n', 'a'],
          ['v', 1],
        ]),
      ],
      'SENML_SHAPE',
      /got a Map/,
    );
    rejects([new Set([1])], 'SENML_SHAPE', /got a Set/);
  });
});

describe('CBOR values', () => {
  it('refuses undefined (0xf7) where a field needs a value, with the field named', () => {
    // [{-2: undefined, 2: 1}]: the base name is undefined
    rejects(
      cbor('81 a2 21 f7 02 01'),
      'SENML_TYPE',
      /record 0, field "bn": must be a text, got CBOR undefined/,
    );
    // [{0:"a", 4: undefined}] and [{0:"a", 3: undefined}]: no value at all
    rejects(
      cbor('81 a2 00 61 61 04 f7'),
      'SENML_TYPE',
      /field "vb": must be true or false, got CBOR undefined/,
    );
    rejects(
      cbor('81 a2 00 61 61 03 f7'),
      'SENML_TYPE',
      /field "vs": must be a text, got CBOR undefined/,
    );
  });

  it('refuses a floating-point bver (§6: only an unsigned integer is allowed)', () => {
    // [{-1: 10.0, 0:"a", 2:1}] with 10.0 as a half float (f9 4900)
    rejects(
      cbor('81 a3 20 f9 4900 00 61 61 02 01'),
      'SENML_VERSION',
      /unsigned integer in CBOR .*got 10 \(a floating-point number\)/,
    );
    rejects(cbor('81 a3 20 29 00 61 61 02 01'), 'SENML_VERSION', /unsigned integer/); // -10
    assert.equal(senml.decode(cbor('81 a3 20 05 00 61 61 02 01'), { now })[0].bver, 5);
  });

  it('ignores an extension holding what no SenML field can carry (null, a map, an array), and says so', () => {
    // [{0:"a", 2:1, "x": null, "y": {1:2}, "z": [1], "w": "kept"}]
    const { pack, notes: said } = notes(
      cbor('81 a6 00 61 61 02 01 61 78 f6 61 79 a1 01 02 61 7a 81 01 61 77 64 6b 65 70 74'),
    );
    assert.deepEqual(pack, [{ n: 'a', t: 1_700_000_000, v: 1, w: 'kept' }]);
    assert.deepEqual(
      said.map((n) => n.field),
      ['x', 'y', 'z'],
    );
  });

  it('refuses text that is not UTF-8, and strings of indefinite length (§6)', () => {
    rejects(cbor('81 a2 00 62 61 ff 02 01'), 'SENML_SYNTAX', /not valid UTF-8/);
    rejects(cbor('81 a2 00 7f 61 61 ff 02 01'), 'SENML_SYNTAX', /indefinite-length/);
    // A text that starts with U+FEFF keeps it: inside CBOR it is content, not a byte order mark.
    assert.equal(senml.decode(cbor('81 a2 00 61 61 03 64 efbbbf 61'), { now })[0].vs, '\uFEFFa');
  });

  it('reads decimal fractions and bigfloats exactly, and indefinite-length arrays and maps', () => {
    // 4([-2, 27315]) = 273.15; 5([-1, 3]) = 1.5
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 c4 82 21 19 6ab3'), { now })[0].v, 273.15);
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 c5 82 20 03'), { now })[0].v, 1.5);
    // [_ {_ 0: "x", 2: 1}]
    assert.deepEqual(senml.decode(cbor('9f bf 00 61 78 02 01 ff ff'), { now }), [
      { n: 'x', t: 1_700_000_000, v: 1 },
    ]);
  });

  it('gives a SenmlError for bytes that are not well-formed CBOR or not a pack', () => {
    rejects(cbor('81 a3 00 61 61 02'), 'SENML_SYNTAX', /not valid CBOR/);
    rejects(cbor('81 a2 00 61 61 02 01 00'), 'SENML_SYNTAX', /after the end of the pack/);
    assert.throws(
      () => senml.decode(cbor('a1 00 61 61'), { now, format: 'cbor' }),
      /CBOR array of maps, got a map/,
    );
    rejects(cbor('81 a1 00 1c'), 'SENML_SYNTAX', /reserved additional information 28/);
    // 40 nested arrays in an extension: refused before the stack is
    rejects(cbor(`81 a2 00 61 61 61 78 ${'81'.repeat(40)} 01`), 'SENML_SYNTAX', /nested more than/);
  });
});
