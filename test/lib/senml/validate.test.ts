/**
 * The pack check runs a hand-written test first and asks the ajv-compiled JSON
 * Schema only when that test cannot vouch for a record. The fast test must never
 * accept a record the schema rejects: checked here on many random records.
 */
import assert from 'node:assert/strict';
import { plainRecord, schemaAccepts } from '../../../lib/senml/validate';
import { random } from '../../support/random';

const LABELS = [
  'bn',
  'bt',
  'bu',
  'bv',
  'bs',
  'bver',
  'n',
  'u',
  'v',
  'vs',
  'vb',
  'vd',
  's',
  't',
  'ut',
  'x',
  'crit_',
  'bfuture',
  '_',
];
const VALUES: unknown[] = [
  '',
  'a',
  'aGkgCg',
  'a=',
  '!',
  0,
  -1,
  1.5,
  10,
  26,
  2 ** 53,
  2 ** 53 - 1,
  -0,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  null,
  undefined,
  [],
  {},
  [1],
  { a: 1 },
  1e308,
];

describe('pack validation', () => {
  it('the fast check accepts nothing that the JSON Schema rejects (20,000 random records)', () => {
    const rnd = random(7);
    let fastAccepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const record: Record<string, unknown> = {};
      const size = Math.floor(rnd() * 5);
      for (let k = 0; k < size; k++)
        record[LABELS[Math.floor(rnd() * LABELS.length)]] =
          VALUES[Math.floor(rnd() * VALUES.length)];
      if (plainRecord(record)) {
        fastAccepted++;
        assert.ok(
          schemaAccepts(record),
          `fast check accepted ${JSON.stringify(record)}, which the schema rejects`,
        );
      }
    }
    assert.ok(fastAccepted > 1000, `only ${fastAccepted} records reached the fast path`);
  });

  it('the fast check vouches for the usual records, so the schema is the exception', () => {
    assert.equal(
      plainRecord({
        bn: 'urn:dev:mac:0024befffe804ff1:',
        bt: 1.7e9,
        bu: 'Cel',
        n: 'temperature',
        v: 18.5,
      }),
      true,
    );
    assert.equal(plainRecord({ n: 'x', vd: 'aGkgCg', quality: 'good' }), true);
    assert.equal(plainRecord({ n: 'x', v: NaN }), false);
    assert.equal(plainRecord({ n: 'x', crit_: 1 }), false);
  });
});
