/**
 * Numbers: the choices documented in README.md ("Numbers"), tested in every format.
 * - NaN and ±Infinity are refused: SenML numbers must survive JSON.
 * - Integers beyond 2^53 become the nearest double, as JSON.parse does; bver must be below 2^53.
 * - Duplicate keys: the last one wins, as in JSON.parse, cbor-x and ltx.
 */
import assert from 'node:assert/strict';
import { senml } from '../../../lib';

const now = (): number => 1_700_000_000;
const cbor = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

function rejects(input: unknown, code: string, pattern: RegExp): void {
  assert.throws(
    () => senml.decode(input, { now }),
    (err: unknown) =>
      err instanceof senml.SenmlError && err.code === code && pattern.test(err.message),
  );
}

describe('numbers', () => {
  it('refuses NaN and Infinity arriving in CBOR, naming record and field', () => {
    rejects(cbor('81 a2 00 61 78 02 f9 7e00'), 'SENML_NUMBER', /record 0, field "v": NaN/); // [{0:"x", 2:NaN}]
    rejects(cbor('81 a2 00 61 78 02 f9 7c00'), 'SENML_NUMBER', /Infinity/); // +Infinity
    rejects(cbor('81 a3 00 61 78 02 01 06 f9 fc00'), 'SENML_NUMBER', /field "t": -Infinity/);
  });

  it('refuses NaN and INF arriving in XML', () => {
    const ns = 'xmlns="urn:ietf:params:xml:ns:senml"';
    rejects(`<sensml ${ns}><senml n="x" v="NaN"/></sensml>`, 'SENML_NUMBER', /field "v": NaN/);
    rejects(`<sensml ${ns}><senml n="x" v="1" bt="-INF"/></sensml>`, 'SENML_NUMBER', /field "bt"/);
  });

  it('refuses NaN and Infinity handed over as parsed records', () => {
    rejects([{ n: 'x', v: Number.NaN }], 'SENML_NUMBER', /NaN/);
    rejects([{ n: 'x', v: 1, s: Infinity }], 'SENML_NUMBER', /field "s"/);
  });

  it('JSON cannot carry NaN: the text is not JSON', () => {
    rejects('[{"n":"x","v":NaN}]', 'SENML_SYNTAX', /not valid JSON/);
  });

  it('rounds integers beyond 2^53 to the nearest double, in JSON and in CBOR', () => {
    assert.equal(senml.decode('[{"n":"x","v":9007199254740993}]', { now })[0].v, 9007199254740992);
    // uint64 18446744073709551615 → 2^64
    assert.equal(
      senml.decode(cbor('81 a2 00 61 78 02 1b ffffffffffffffff'), { now })[0].v,
      2 ** 64,
    );
    // bignum tag 2 with 2^64
    assert.equal(
      senml.decode(cbor('81 a2 00 61 78 02 c2 49 010000000000000000'), { now })[0].v,
      2 ** 64,
    );
  });

  it('reads CBOR decimal fractions (tag 4, allowed by §6)', () => {
    // 27315 × 10^-2
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 c4 82 21 19 6ab3'), { now })[0].v, 273.15);
  });

  it('reads half and single precision CBOR floats', () => {
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 f9 3e00'), { now })[0].v, 1.5);
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 fa 47c35000'), { now })[0].v, 100000);
  });

  it('refuses a version at or beyond 2^53', () => {
    rejects([{ bver: 2 ** 53, n: 'x', v: 1 }], 'SENML_VERSION', /at most/);
  });

  it('duplicate keys: the last one wins in JSON and CBOR; XML forbids them (XML 1.0 §3.1)', () => {
    assert.equal(senml.decode('[{"n":"x","v":1,"v":2}]', { now })[0].v, 2);
    assert.equal(senml.decode(cbor('81 a3 00 61 78 02 01 02 02'), { now })[0].v, 2);
    rejects(
      '<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="x" v="1" v="2"/></sensml>',
      'SENML_SYNTAX',
      /attribute v appears twice/,
    );
  });

  it('refuses a base value, base sum or base time that overflows to Infinity once added, naming record and field', () => {
    rejects(
      '[{"n":"a","bv":1e308,"v":1e308}]',
      'SENML_NUMBER',
      /record 0, field "v": the value bv \+ v = 1e\+308 \+ 1e\+308 is beyond/,
    );
    rejects('[{"n":"a","bv":-1e308,"v":-1e308}]', 'SENML_NUMBER', /field "v"/);
    rejects(
      '[{"n":"a","bs":1e308,"v":1},{"n":"b","s":1e308}]',
      'SENML_NUMBER',
      /record 1, field "s": the sum bs \+ s/,
    );
    rejects(
      '[{"n":"a","bs":1.7e308,"s":1.7e308}]',
      'SENML_NUMBER',
      /record 0, field "s": the sum bs \+ s = 1\.7e\+308 \+ 1\.7e\+308/,
    );
    rejects(
      '[{"n":"a","bt":1.7e308,"t":1e308,"v":1}]',
      'SENML_NUMBER',
      /record 0, field "t": the time bt \+ t/,
    );
    rejects(
      cbor('81 a4 22 fb 7fe0000000000000 00 61 61 02 01 06 fb 7fe0000000000000'),
      'SENML_NUMBER',
      /field "t"/,
    ); // bt = t = 2^1023, in CBOR
  });

  it('refuses a unit conversion that overflows to Infinity', () => {
    assert.throws(
      () => senml.decode('[{"bver":26,"n":"a","u":"kWh","v":1e303}]', { now, convertUnits: true }),
      /record 0, field "v": 1e\+303 kWh converted to J is beyond/,
    );
    assert.throws(
      () => senml.decode('[{"bver":26,"n":"a","u":"kWh","s":1e303}]', { now, convertUnits: true }),
      /field "s"/,
    );
    assert.equal(
      senml.decode('[{"bver":26,"n":"a","u":"kWh","v":1e300}]', { now, convertUnits: true })[0].v,
      3.6e306,
    );
  });

  it('refuses a relative time that lands before 2^28 once made absolute, instead of shifting it again on every decode', () => {
    // now - 2e9 s is before 1978: as an absolute time it would read as relative again.
    rejects(
      '[{"n":"a","v":1,"t":-2000000000}]',
      'SENML_NUMBER',
      /record 0, field "t": this relative time puts the reading at -300000000 s/,
    );
    rejects('[{"bt":-1500000000,"n":"a","v":1}]', 'SENML_NUMBER', /field "bt"/);
    // Lenient: that record is left out, the others stay.
    const pack = senml.decode('[{"n":"a","v":1,"t":-2000000000},{"n":"b","v":2,"t":-60}]', {
      now,
      strict: false,
    });
    assert.deepEqual(pack, [{ n: 'b', v: 2, t: 1_700_000_000 - 60 }]);
    // What decodes once decodes the same again: the resolved times are absolute.
    const once = senml.decode('[{"n":"a","v":1,"t":-1300000000}]', { now });
    assert.deepEqual(senml.decode(senml.encode(once), { now: () => 1_800_000_000 }), once);
  });

  it('writes numbers so that they read back as the same double, in every format', () => {
    const values = [
      0.1 + 0.2,
      1e-300,
      // eslint-disable-next-line no-loss-of-precision -- more digits than a double holds, on purpose
      123456789.123456789,
      2 ** 53 - 1,
      5e-324,
      1.7976931348623157e308,
    ];
    const pack = values.map((v, i) => ({ n: `x${i}`, v, t: 2 ** 30 }));
    for (const format of senml.SENML_FORMATS) {
      const back = senml.decode(senml.encode(pack, { format }), { now });
      assert.deepEqual(
        back.map((r) => r.v),
        values,
        format,
      );
    }
  });
});
