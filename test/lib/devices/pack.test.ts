import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineFormatError } from '../../../lib/devices/line-messages';
import {
  type FieldSpec,
  parseFieldSpecs,
  ReadingsPacker,
  readingsPack,
} from '../../../lib/devices/pack';
import type { DeviceReading } from '../../../lib/devices/readings';

const BUOY = 'urn:dev:mac:0004a30b001c4a2f:';

/** What a call gave: its pack, or the error's class, id, parameters and text. */
function outcome(run: () => unknown): unknown {
  try {
    return { pack: run() };
  } catch (err) {
    assert.ok(err instanceof LineFormatError, `not a LineFormatError: ${String(err)}`);
    return { name: err.name, messageId: err.messageId, params: err.params, message: err.message };
  }
}

// Names valid and not (a leading '-' is refused once there is no base name, a space or é always).
const NAMES = ['t', 'v', 'seq', 'water_temperature', 'a:b/c.d', '-x', 'x y', 'é', '', '0'];
const UNITS = ['Cel', 'V', '%RH', 'kWh', 'hPa', 'mV', ''];
const BASE_NAMES = [BUOY, '', 'urn:dev:eui64:0004a30b001c4a2f:', '-bad:', 'b'];

const readingArb: fc.Arbitrary<DeviceReading> = fc
  .record(
    {
      n: fc.constantFrom(...NAMES),
      u: fc.constantFrom(...UNITS),
      value: fc.oneof(
        fc.record({ v: fc.double({ noNaN: true }) }),
        fc.record({ vs: fc.string({ maxLength: 5 }) }),
        fc.record({ vb: fc.boolean() }),
      ),
    },
    { requiredKeys: ['n', 'value'] },
  )
  .map(({ n, u, value }) => ({ n, ...(u === undefined ? {} : { u }), ...value }));

// Fields as parseFieldSpecs makes them (mV read as V), and by hand: a secondary unit kept, a unit-less field.
const fieldsArb: fc.Arbitrary<Map<string, FieldSpec> | undefined> = fc.option(
  fc
    .uniqueArray(
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom(...NAMES.filter((n) => /^[-:./_A-Za-z0-9]+$/.test(n))),
            fc.constantFrom('Cel', 'mV', 'hPa', 'V'),
          )
          .map(([name, unit]) => parseFieldSpecs(`${name}:${unit}`)[0]),
        fc.constantFrom<FieldSpec>(
          { name: 'v', unit: 'kWh' },
          { name: 't' },
          { name: 'seq', unit: '%' },
        ),
      ),
      { selector: (f) => f.name, maxLength: 4 },
    )
    .map((specs) => new Map(specs.map((f) => [f.name, f]))),
  { nil: undefined },
);

describe('readings packer', () => {
  it('gives what readingsPack gives, pack after pack, invalid names refused with the same error (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASE_NAMES),
        fieldsArb,
        fc.array(fc.array(readingArb, { maxLength: 6 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(1, 2, 256),
        (baseName, fields, lines, time, maxNames) => {
          const packer = new ReadingsPacker(baseName, fields, maxNames);
          for (const readings of lines)
            assert.deepEqual(
              outcome(() => packer.pack(readings, time)),
              outcome(() => readingsPack(readings, { baseName, time, fields })),
            );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('remembers a valid name once, and refuses an invalid one every time', () => {
    const packer = new ReadingsPacker(
      BUOY,
      new Map(parseFieldSpecs('t:Cel, v:mV').map((f) => [f.name, f])),
    );
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(
        packer.pack(
          [
            { n: 't', v: 21.5 },
            { n: 'v', v: 3710 },
          ],
          1796284800,
        ),
        [
          { n: `${BUOY}t`, t: 1796284800, u: 'Cel', v: 21.5 },
          { n: `${BUOY}v`, t: 1796284800, u: 'V', v: 3.71 },
        ],
      );
      assert.throws(() => packer.pack([{ n: 'a b', v: 1 }], 1796284800), {
        messageId: 'LINE_KEY_INVALID',
        params: { key: `${BUOY}a b`, line: 'a b' },
      });
    }
    // A secondary unit a reading carries makes a version 26 pack, as readingsPack does.
    assert.deepEqual(packer.pack([{ n: 'e', u: 'kWh', v: 2 }], 1), [
      { n: `${BUOY}e`, t: 1, u: 'kWh', v: 2, bver: 26 },
    ]);
  });
});
