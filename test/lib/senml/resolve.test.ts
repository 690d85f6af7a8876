import assert from 'node:assert/strict';
import { senml } from '../../../lib';

const NOW = 1_700_000_000;
const T = 1_638_313_200;
const resolve = (pack: unknown, options: senml.ResolveOptions = {}): senml.ResolvedPack =>
  senml.resolve(pack, { now: () => NOW, ...options });

function rejects(
  pack: unknown,
  code: string,
  pattern: RegExp,
  options: senml.ResolveOptions = {},
): senml.SenmlError {
  try {
    resolve(pack, options);
  } catch (err) {
    assert.ok(err instanceof senml.SenmlError, `expected a SenmlError, got ${err}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected ${code} for ${JSON.stringify(pack)}`);
}

describe('resolution (RFC 8428 §4)', () => {
  describe('base values', () => {
    it('bv is added to every later value until another bv (§4.1, §4.5.4)', () => {
      const out = resolve([
        { bn: 'x', bv: 100, v: 1, t: 2 ** 28 },
        { v: 2, t: 2 ** 28 + 1 },
        { bv: 10, v: 3, t: 2 ** 28 + 2 },
        { v: 4, t: 2 ** 28 + 3 },
      ]);
      assert.deepEqual(
        out.map((r) => r.v),
        [101, 102, 13, 14],
      );
    });

    it('bv does not turn a string, boolean or data record into a number', () => {
      const out = resolve([{ bn: 'x', bv: 100, vs: 'a' }, { vb: true }, { vd: 'AA' }]);
      assert.deepEqual(
        out.map((r) => [r.v, r.vs, r.vb, r.vd]),
        [
          [undefined, 'a', undefined, undefined],
          [undefined, undefined, true, undefined],
          [undefined, undefined, undefined, 'AA'],
        ],
      );
    });

    it('bs gives every later record a sum, missing s counting as zero (§4.5.4)', () => {
      const out = resolve([{ bn: 'meter', bs: 1000, s: 5 }, { v: 2 }, { bs: 0, v: 3 }]);
      assert.deepEqual(
        out.map((r) => r.s),
        [1005, 1000, 0],
      );
      assert.deepEqual(
        out.map((r) => r.v),
        [undefined, 2, 3],
      );
    });

    it('a record with only a sum is valid (§4.2)', () => {
      assert.deepEqual(resolve([{ n: 'e', u: 'J', s: 42, t: 2 ** 28 }]), [
        { n: 'e', u: 'J', s: 42, t: 2 ** 28 },
      ]);
    });

    it('a unit on the record overrides the base unit; they are never concatenated', () => {
      const out = resolve([{ bn: 'x', bu: 'V', u: 'A', v: 1 }, { v: 2 }]);
      assert.deepEqual(
        out.map((r) => r.u),
        ['A', 'V'],
      );
    });

    it('records with only base fields produce nothing but set context, anywhere in the pack', () => {
      const out = resolve([
        { bn: 'a:' },
        { n: 'x', v: 1 },
        { bn: 'b:', bt: 2 ** 29 },
        { n: 'y', v: 2 },
      ]);
      // in chronological order: 2^29 s (1987) comes before now
      assert.deepEqual(
        out.map((r) => [r.n, r.t]),
        [
          ['b:y', 2 ** 29],
          ['a:x', NOW],
        ],
      );
    });
  });

  describe('time (§4.5.3)', () => {
    it('the 2^28 rule applies to bt + t, not to each alone', () => {
      const limit = 2 ** 28;
      const out = resolve([
        { bn: 'x', bt: limit - 10, t: 20, v: 1 }, // sum is absolute though bt is not
        { bt: limit + 10, t: -20, v: 2 }, // sum is relative (2^28 - 10 s from now) though bt is absolute
      ]);
      assert.deepEqual(
        out.map((r) => [r.v, r.t]),
        [
          [1, limit + 10],
          [2, NOW + limit - 10],
        ],
      );
    });

    it('negative and future relative times count from the injected now', () => {
      const out = resolve([
        { bn: 'x', t: -60, v: 1 },
        { t: 30, v: 2 },
      ]);
      assert.deepEqual(
        out.map((r) => r.t),
        [NOW - 60, NOW + 30],
      );
    });

    it('resolved records come out in chronological order, equal times in pack order', () => {
      const out = resolve([
        { bn: 'x:', bt: 2 ** 29, n: 'a', t: 5, v: 1 },
        { n: 'b', t: 1, v: 2 },
        { n: 'c', t: 5, v: 3 },
        { n: 'd', t: 1, v: 4 },
      ]);
      assert.deepEqual(
        out.map((r) => r.n),
        ['x:b', 'x:d', 'x:a', 'x:c'],
      );
    });

    it('relativeTimes "keep" leaves bt + t relative and the order as given', () => {
      const out = resolve([{ bn: 'x', t: -5, v: 1 }, { v: 2 }], { relativeTimes: 'keep' });
      assert.deepEqual(
        out.map((r) => r.t),
        [-5, 0],
      );
    });

    it('update time is kept as given', () => {
      assert.equal(resolve([{ n: 'x', v: 1, ut: 300 }])[0].ut, 300);
    });
  });

  describe('names (§4.5.1)', () => {
    it('accepts RFC 9039 device URNs and IPv6-style names', () => {
      assert.equal(
        resolve([{ n: 'urn:dev:mac:0024befffe804ff1:temperature', v: 1 }])[0].n,
        'urn:dev:mac:0024befffe804ff1:temperature',
      );
      assert.equal(resolve([{ n: '2001:db8::3', v: 1 }])[0].n, '2001:db8::3');
    });

    it('rejects a name that starts with a symbol, naming the record and field', () => {
      const err = rejects(
        [
          { n: 'ok', v: 1 },
          { n: '-bad', v: 1 },
        ],
        'SENML_NAME',
        /record 1, field "n": name "-bad" must start with a letter or a digit/,
      );
      assert.equal(err.index, 1);
      assert.equal(err.field, 'n');
    });

    it('rejects characters outside the allowed set, saying which', () => {
      rejects([{ n: 'room 1', v: 1 }], 'SENML_NAME', /contains " "/);
      rejects([{ n: 'température', v: 1 }], 'SENML_NAME', /contains "é"/);
    });

    it('rejects a record with no name at all', () => {
      rejects([{ v: 1 }], 'SENML_NAME', /has no name/);
    });

    it('checks the concatenation, not the parts', () => {
      assert.equal(resolve([{ bn: 'a', n: '-b', v: 1 }])[0].n, 'a-b');
      rejects([{ bn: '', n: '_x', v: 1 }], 'SENML_NAME', /must start/);
    });
  });

  describe('values (§4.2)', () => {
    it('rejects two values in one record', () => {
      rejects(
        [{ n: 'x', v: 1, vs: 'one' }],
        'SENML_VALUE',
        /record 0.*exactly one value, this one has v and vs/,
      );
    });

    it('rejects a record with a name but no value and no sum', () => {
      rejects([{ n: 'x', u: 'Cel' }], 'SENML_VALUE', /has no value/);
    });
  });

  describe('extensions (§4.4)', () => {
    it('rejects a must-understand field ending in "_", naming it', () => {
      rejects(
        [{ n: 'x', v: 1, crit_: 1 }],
        'SENML_MUST_UNDERSTAND',
        /record 0, field "crit_".*must-understand/,
      );
    });

    it('must-understand fields reject the pack even in lenient mode', () => {
      rejects(
        [
          { n: 'x', v: 1 },
          { n: 'y', v: 1, crit_: 1 },
        ],
        'SENML_MUST_UNDERSTAND',
        /crit_/,
        { strict: false },
      );
    });

    it('keeps unknown regular fields on the resolved record and drops unknown base fields', () => {
      const out = resolve([{ n: 'x', v: 1, quality: 'good', bfuture: 3 }]);
      assert.equal(out[0].quality, 'good');
      assert.equal('bfuture' in out[0], false);
    });
  });

  describe('types and shapes', () => {
    it('says a pack must be a list', () => {
      rejects({ n: 'x', v: 1 }, 'SENML_SHAPE', /list of records, got an object/);
      rejects([], 'SENML_SHAPE', /at least one record/);
    });

    it('names the record and field of a wrong type, with the value', () => {
      rejects(
        [
          { n: 'a', v: 1 },
          { n: 'b', v: 1 },
          { n: 'c', v: '21.5' },
        ],
        'SENML_TYPE',
        /record 2, field "v": must be a number, got "21.5"/,
      );
      rejects([{ n: 'a', vb: 'yes' }], 'SENML_TYPE', /field "vb": must be true or false/);
      rejects([{ n: 'a', vd: 'not base64!' }], 'SENML_TYPE', /field "vd": must be base64url/);
      rejects([{ n: 'a', v: 1 }, 42], 'SENML_SHAPE', /record 1: a record must be an object/);
    });
  });
});

describe('versions (RFC 8428 §4.4, RFC 9100)', () => {
  it('accepts the linear versions up to 10 and keeps a non-10 version on resolved records', () => {
    assert.equal(resolve([{ bver: 10, n: 'x', v: 1 }])[0].bver, undefined);
    assert.equal(resolve([{ bver: 5, n: 'x', v: 1 }])[0].bver, 5);
  });

  it('accepts version 26 (Secondary Units) with a secondary unit, keeping bver on every record', () => {
    const out = resolve([
      { bver: 26, bn: 'meter:', n: 'energy', u: 'kWh', v: 1.5 },
      { n: 'power', u: 'kW', v: 2 },
    ]);
    assert.deepEqual(
      out.map((r) => [r.u, r.v, r.bver]),
      [
        ['kWh', 1.5, 26],
        ['kW', 2, 26],
      ],
    );
  });

  it('rejects a version with a feature it does not implement, naming the feature code', () => {
    rejects([{ bver: 42, n: 'x', v: 1 }], 'SENML_VERSION', /needs SenML feature 5/); // 10 + 2^5
    rejects([{ bver: 10 + 2 ** 52, n: 'x', v: 1 }], 'SENML_VERSION', /feature 52/);
  });

  it('rejects versions above 10 whose reserved bits are not 1010', () => {
    rejects([{ bver: 27, n: 'x', v: 1 }], 'SENML_VERSION', /reserved feature bits/);
  });

  it('rejects versions that are not positive whole numbers', () => {
    rejects([{ bver: 0, n: 'x', v: 1 }], 'SENML_VERSION', /at least 1/);
    rejects([{ bver: 10.5, n: 'x', v: 1 }], 'SENML_TYPE', /whole number/);
  });

  it('rejects a pack whose records differ in version', () => {
    rejects(
      [
        { n: 'x', v: 1 },
        { bver: 26, n: 'y', v: 1 },
      ],
      'SENML_VERSION',
      /same version/,
    );
  });

  it('rejects a version change on a record of base fields only: one version per pack (§4.4)', () => {
    rejects(
      [
        { bver: 5, bn: 'x:' },
        { bver: 10, n: 'a', v: 1 },
      ],
      'SENML_VERSION',
      /record 1, field "bver": .*same version.*10 here, 5 before/,
    );
    rejects([{ bn: 'x:' }, { bver: 5, n: 'a', v: 1 }], 'SENML_VERSION', /same version/);
    assert.deepEqual(
      resolve([
        { bver: 5, bn: 'x:' },
        { bver: 5, n: 'a', v: 1 },
        { n: 'b', v: 2 },
      ]).map((r) => r.bver),
      [5, 5],
    );
  });

  it('reports unknown versions even in lenient mode', () => {
    rejects([{ bver: 42, n: 'x', v: 1 }], 'SENML_VERSION', /feature 5/, { strict: false });
  });
});

describe('units (RFC 8428 §12.1, RFC 8798)', () => {
  it('rejects a secondary unit in a version-10 pack, saying how to accept it', () => {
    rejects([{ n: 'x', u: 'kWh', v: 1 }], 'SENML_UNIT', /secondary unit.*version 26/);
  });

  describe("secondaryUnits: 'accept' (peers that send Wh without bver)", () => {
    const accept = (
      pack: unknown,
      options: senml.ResolveOptions = {},
    ): { out: senml.ResolvedPack; notes: senml.SenmlNote[] } => {
      const notes: senml.SenmlNote[] = [];
      const out = resolve(pack, {
        secondaryUnits: 'accept',
        onNote: (note) => notes.push(note),
        ...options,
      });
      return { out, notes };
    };

    it('takes the pack as version 26: every record gets bver 26, and one note names the first such unit', () => {
      const { out, notes } = accept([
        { bn: 'meter:', bu: 'Wh', bt: T, n: 'index', v: 1000 },
        { n: 'index', t: 1800, v: 1250 },
        { n: 'power', u: 'W', t: 1800, v: 500 },
        { n: 'day', u: 'kWh', t: 1800, v: 12 },
      ]);
      assert.deepEqual(out, [
        { n: 'meter:index', t: T, u: 'Wh', v: 1000, bver: 26 },
        { n: 'meter:index', t: T + 1800, u: 'Wh', v: 1250, bver: 26 },
        { n: 'meter:power', t: T + 1800, u: 'W', v: 500, bver: 26 },
        { n: 'meter:day', t: T + 1800, u: 'kWh', v: 12, bver: 26 },
      ]);
      assert.deepEqual(
        notes.map(({ code, index, field }) => ({ code, index, field })),
        [{ code: 'SENML_UNDECLARED_SECONDARY_UNIT', index: 0, field: 'bu' }],
      );
      assert.match(
        notes[0].message,
        /"Wh" is a secondary unit .* accepted, and the pack is given version 26/,
      );
      // What comes out is a valid pack of its own: it resolves strictly as it is.
      assert.deepEqual(resolve(out), out);
    });

    it('leaves a pack without secondary units, or one that declares the feature, as it is, with no note', () => {
      assert.deepEqual(accept([{ n: 'p', u: 'W', t: T, v: 1 }]), {
        out: [{ n: 'p', t: T, u: 'W', v: 1 }],
        notes: [],
      });
      assert.deepEqual(accept([{ bver: 26, n: 'e', u: 'Wh', t: T, v: 1 }]), {
        out: [{ n: 'e', t: T, u: 'Wh', v: 1, bver: 26 }],
        notes: [],
      });
    });

    it('with convertUnits, converts instead (no version needed) and still notes what arrived', () => {
      const { out, notes } = accept([{ n: 'e', u: 'Wh', t: T, v: 2 }], { convertUnits: true });
      assert.deepEqual(out, [{ n: 'e', t: T, u: 'J', v: 7200 }]);
      assert.equal(notes.length, 1);
      assert.doesNotMatch(notes[0].message, /given version 26/);
    });

    it('does not stretch to other versions: a linear version 5 with Wh is still refused', () => {
      rejects([{ bver: 5, n: 'e', u: 'Wh', t: T, v: 1 }], 'SENML_UNIT', /secondary unit/, {
        secondaryUnits: 'accept',
      });
    });
  });

  it('encode gives a pack with a secondary unit and no version bver 26 (RFC 9100 §4) instead of refusing it', () => {
    const text = senml.encode([
      { n: 'meter:e', u: 'Wh', t: T, v: 1000 },
      { n: 'meter:e', u: 'Wh', t: T + 60, v: 1001 },
    ]) as string;
    assert.equal(JSON.parse(text)[0].bver, 26);
    assert.deepEqual(
      senml.decode(text).map((r) => [r.u, r.v, r.bver]),
      [
        ['Wh', 1000, 26],
        ['Wh', 1001, 26],
      ],
    );
    const notes: senml.SenmlNote[] = [];
    senml.encode([{ n: 'e', u: 'Wh', t: T, v: 1 }], { onNote: (note) => notes.push(note) });
    assert.deepEqual(
      notes,
      [],
      'declaring the feature is what the sender should do: nothing to tell',
    );
  });

  it('rejects an unregistered unit with a suggestion', () => {
    rejects(
      [{ n: 'x', u: 'degC', v: 1 }],
      'SENML_UNIT',
      /not in the SenML units registry; did you mean "Cel"/,
    );
    rejects([{ n: 'x', u: 'v', v: 1 }], 'SENML_UNIT', /did you mean "V"/);
  });

  it('accepts unregistered and secondary units in lenient mode', () => {
    const out = resolve(
      [
        { n: 'x', u: 'degC', v: 1 },
        { n: 'y', u: 'kWh', v: 2 },
      ],
      { strict: false },
    );
    assert.deepEqual(
      out.map((r) => r.u),
      ['degC', 'kWh'],
    );
  });

  it('converts kWh to J, values and sums, and drops the Secondary Units version', () => {
    const out = resolve([{ bver: 26, n: 'meter', u: 'kWh', v: 1.5, s: 2 }], { convertUnits: true });
    assert.deepEqual(out, [{ n: 'meter', t: NOW, u: 'J', v: 5_400_000, s: 7_200_000 }]);
  });

  it('converts with an offset: 10 dBm is -20 dBW (RFC 8798 §3 example)', () => {
    assert.deepEqual(
      resolve([{ bver: 26, n: 'rssi', u: 'dBm', v: 10 }], { convertUnits: true })[0].v,
      -20,
    );
  });

  it('converts the RFC 8798 example 100 ms to 0.1 s, and hPa to Pa', () => {
    const out = resolve(
      [
        { bver: 26, bn: 'x:', n: 'a', u: 'ms', v: 100 },
        { n: 'b', u: 'hPa', v: 1013.25 },
      ],
      { convertUnits: true },
    );
    assert.deepEqual(
      out.map((r) => [r.u, r.v]),
      [
        ['s', 0.1],
        ['Pa', 101325],
      ],
    );
  });

  it('maps the NOT RECOMMENDED "%" onto "/" without scaling: it is a ratio, not a percentage', () => {
    assert.deepEqual(resolve([{ n: 'valve', u: '%', v: 0.5 }], { convertUnits: true })[0], {
      n: 'valve',
      t: NOW,
      u: '/',
      v: 0.5,
    });
  });

  it('leaves units alone when not asked to convert', () => {
    assert.equal(resolve([{ n: 'valve', u: '%', v: 0.5 }])[0].u, '%');
  });

  it('the registries hold what IANA publishes: the RFC tables and the later water-quality, concentration and energy units', () => {
    assert.equal(senml.PRIMARY_UNITS.size, 58 + 8 + 1);
    assert.equal(senml.SECONDARY_UNITS.size, 33 + 6);
    for (const conversion of senml.SECONDARY_UNITS.values())
      assert.ok(senml.isPrimaryUnit(conversion.primary), conversion.symbol);
    // A water-quality probe: turbidity, dissolved oxygen, a trace metal, nitrate, all accepted in strict mode.
    const probe: Record<string, unknown>[] = [
      { bn: 'urn:dev:mac:0024befffe804ff1:', n: 'turbidity', u: 'NTU', v: 4.2 },
      { bver: 26, n: 'oxygen', u: 'mg/l', v: 8.1 },
      { n: 'lead', u: 'ug/l', v: 3 },
      { n: 'nitrate', u: 'ppb', v: 410 },
    ];
    assert.throws(() => resolve(probe), /all records of a pack must have the same version/);
    probe[0] = { ...probe[0], bver: 26 };
    delete probe[1].bver;
    const converted = resolve(probe, { convertUnits: true });
    assert.deepEqual(
      converted.map((r) => [r.u, r.v]),
      [
        ['NTU', 4.2],
        ['kg/m3', 0.0081],
        ['kg/m3', 0.000003],
        ['/', 4.1e-7],
      ],
    );
    assert.deepEqual(resolve([{ bver: 26, n: 'm', u: 'VAh', v: 2 }], { convertUnits: true })[0], {
      n: 'm',
      t: NOW,
      u: 'VAs',
      v: 7200,
    });
    assert.equal(
      resolve([{ bver: 26, n: 'x', u: 'g/l', v: 1.5 }], { convertUnits: true })[0].v,
      1.5,
    );
    assert.equal(
      resolve([{ bver: 26, n: 'x', u: 'ppt', v: 2 }], { convertUnits: true })[0].v,
      2e-12,
    );
  });
});

describe('unrecognised fields (§4.4) and registered extensions', () => {
  it('ignores an unknown field holding an object, a list or null instead of refusing the pack, and says so', () => {
    const notes: senml.SenmlNote[] = [];
    const out = resolve(
      JSON.parse('[{"n":"a","v":1,"meta":{"src":"x"},"tags":[1],"none":null,"note":"kept"}]'),
      { onNote: (note) => notes.push(note) },
    );
    assert.deepEqual(out, [{ n: 'a', t: NOW, v: 1, note: 'kept' }]);
    assert.deepEqual(
      notes.map((n) => [n.code, n.index, n.field]),
      [
        ['SENML_IGNORED_FIELD', 0, 'meta'],
        ['SENML_IGNORED_FIELD', 0, 'tags'],
        ['SENML_IGNORED_FIELD', 0, 'none'],
      ],
    );
    // A must-understand field is still refused, whatever it holds.
    rejects([{ n: 'a', v: 1, x_: null }], 'SENML_MUST_UNDERSTAND', /"x_"/);
    // And a known field must still have its type.
    rejects([{ n: 'a', v: null }], 'SENML_TYPE', /field "v": must be a number, got null/);
  });

  it('takes a field set to undefined in JavaScript as a field not given', () => {
    assert.deepEqual(resolve([{ n: 'a', v: 1, vs: undefined, u: undefined }]), [
      { n: 'a', t: NOW, v: 1 },
    ]);
    rejects([{ n: 'a', vb: undefined }], 'SENML_VALUE', /no value/);
  });

  it('resolves a base Content-Format onto the data values that have no "ct" of their own (RFC 9193 §4)', () => {
    const out = resolve([
      { bn: 'dev:', bct: '60', n: 'nfc', vd: 'gmNmb2' },
      { n: 'photo', ct: 'image/png', vd: 'AA' },
      { n: 'temp', v: 1 },
      { bct: 'text/plain', n: 'log', vd: 'aGk' },
    ]);
    assert.deepEqual(
      out.map((r) => [r.n, r.ct]),
      [
        ['dev:nfc', '60'],
        ['dev:photo', 'image/png'],
        ['dev:temp', undefined],
        ['dev:log', 'text/plain'],
      ],
    );
    rejects([{ n: 'a', vd: 'AA', ct: 60 }], 'SENML_TYPE', /field "ct": must be a text/);
  });
});

describe('lenient mode', () => {
  it('leaves broken records out and reports each, keeping the rest', () => {
    const skipped: senml.SenmlError[] = [];
    const out = resolve(
      [
        { bn: 'x:', n: 'a', v: 1 },
        { n: 'b', v: 'oops' },
        { n: 'c c', v: 3 },
        { n: 'd', v: 4, vs: 'x' },
        { n: 'e', v: 5 },
      ],
      {
        strict: false,
        onSkip: (err) => skipped.push(err),
      },
    );
    assert.deepEqual(
      out.map((r) => r.n),
      ['x:a', 'x:e'],
    );
    assert.deepEqual(
      skipped.map((e) => [e.index, e.code]),
      [
        [1, 'SENML_TYPE'],
        [2, 'SENML_NAME'],
        [3, 'SENML_VALUE'],
      ],
    );
  });
});
