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
  assert.throws(() => senml.decode(input, { now }), (err: unknown) => err instanceof senml.SenmlError && err.code === code && pattern.test(err.message));
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
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 1b ffffffffffffffff'), { now })[0].v, 2 ** 64);
    // bignum tag 2 with 2^64
    assert.equal(senml.decode(cbor('81 a2 00 61 78 02 c2 49 010000000000000000'), { now })[0].v, 2 ** 64);
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

  it('duplicate keys: the last one wins in JSON, CBOR and XML alike', () => {
    assert.equal(senml.decode('[{"n":"x","v":1,"v":2}]', { now })[0].v, 2);
    assert.equal(senml.decode(cbor('81 a3 00 61 78 02 01 02 02'), { now })[0].v, 2);
    assert.equal(senml.decode('<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="x" v="1" v="2"/></sensml>', { now })[0].v, 2);
  });

  it('writes numbers so that they read back as the same double, in every format', () => {
    const values = [0.1 + 0.2, 1e-300, 123456789.123456789, 2 ** 53 - 1, 5e-324, 1.7976931348623157e308];
    const pack = values.map((v, i) => ({ n: `x${i}`, v, t: 2 ** 30 }));
    for (const format of senml.SENML_FORMATS) {
      const back = senml.decode(senml.encode(pack, { format }), { now });
      assert.deepEqual(back.map((r) => r.v), values, format);
    }
  });
});
