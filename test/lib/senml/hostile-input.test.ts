/**
 * Whatever arrives, decode answers with resolved records or a SenmlError with a
 * code and a sentence: never another error, never a record that breaks the resolved form.
 */
import assert from 'node:assert/strict';
import { senml } from '../../../lib';
import { placeMessage, renderMessage } from '../../../lib/errors';
import { SENML_MESSAGES, type SenmlMessageId } from '../../../lib/senml/messages';
import { random } from '../../support/random';

const now = (): number => 1_700_000_000;
const CODES = new Set([
  'SENML_SYNTAX',
  'SENML_SHAPE',
  'SENML_TYPE',
  'SENML_NAME',
  'SENML_VALUE',
  'SENML_NUMBER',
  'SENML_VERSION',
  'SENML_MUST_UNDERSTAND',
  'SENML_UNIT',
  'SENML_FORMAT',
  'SENML_INPUT',
]);

/** Decode, and hold the outcome to the contract; the error or the pack, for the caller to look at. */
function decodeAnything(
  input: unknown,
  options: senml.DecodeOptions,
  what: string,
): senml.ResolvedPack | senml.SenmlError {
  let pack: senml.ResolvedPack;
  try {
    pack = senml.decode(input, { now, ...options });
  } catch (err) {
    assert.ok(
      err instanceof senml.SenmlError,
      `${what}: ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
    assert.ok(CODES.has(err.code), `${what}: code ${err.code}`);
    // ...and says one of its sentences, the message made from its template and params.
    const spec = SENML_MESSAGES[err.messageId as SenmlMessageId];
    assert.equal(spec?.code, err.code, `${what}: messageId ${err.messageId}`);
    assert.equal(err.message, placeMessage(renderMessage(spec.en, err.params), err.params), what);
    return err;
  }
  for (const record of pack) {
    assert.equal(typeof record.n, 'string', what);
    assert.ok(
      Number.isFinite(record.t) && record.t >= senml.RELATIVE_TIME_LIMIT,
      `${what}: t ${record.t}`,
    );
    const values = ['v', 'vs', 'vb', 'vd'].filter((label) => record[label] !== undefined);
    assert.ok(
      values.length === 1 || (values.length === 0 && Number.isFinite(record.s)),
      `${what}: values ${values.join(',')} in ${JSON.stringify(record)}`,
    );
    if (record.v !== undefined) assert.ok(Number.isFinite(record.v), what);
  }
  return pack;
}

function seaBuoyPack(seed: number): senml.ResolvedPack {
  const rnd = random(seed);
  const pack: senml.ResolvedPack = [];
  for (let i = 0; i < 1 + Math.floor(rnd() * 6); i++) {
    const record: senml.ResolvedRecord = {
      n: `urn:dev:mac:0024befffe804ff1:${['temperature', 'battery', 'label', 'energy'][i % 4]}`,
      t: 1.7e9 + i * 60,
    };
    if (i % 4 === 0) Object.assign(record, { u: 'Cel', v: Math.round(rnd() * 3000) / 100 });
    else if (i % 4 === 1) Object.assign(record, { u: 'V', v: 3.7, ut: 600 });
    else if (i % 4 === 2) record.vs = 'buoy 7';
    else Object.assign(record, { u: 'J', s: 1000 + i });
    pack.push(record);
  }
  return pack;
}

/**
 * Bytes that mean something to a parser: CBOR undefined, null, floats, tags, break,
 * indefinite heads; JSON and XML markup, quotes, escapes, a NUL.
 */
const MEANINGFUL = [
  0xf7, 0xf6, 0xf9, 0xfb, 0xc1, 0xc4, 0xd9, 0x01, 0x03, 0xff, 0x9f, 0xbf, 0x7f, 0x1b, 0x20, 0x21,
  0x3c, 0x3e, 0x22, 0x26, 0x3b, 0x5b, 0x7b, 0x7d, 0x3a, 0x2c, 0x00, 0x5c, 0x2d, 0x2e, 0x65,
];

function someByte(rnd: () => number): number {
  return rnd() < 0.5 ? MEANINGFUL[Math.floor(rnd() * MEANINGFUL.length)] : Math.floor(rnd() * 256);
}

/** One random change: a byte replaced, inserted, removed, or the data cut short. */
function mutate(bytes: Buffer, rnd: () => number): Buffer {
  const copy = Buffer.from(bytes);
  const at = Math.floor(rnd() * copy.length);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      copy[at] = someByte(rnd);
      return copy;
    case 1:
      return Buffer.concat([copy.subarray(0, at), Buffer.from([someByte(rnd)]), copy.subarray(at)]);
    case 2:
      return Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1)]);
    default:
      return copy.subarray(0, at);
  }
}

describe('hostile input', () => {
  it('gives a SenmlError with a code, never another error, for 3,000 damaged packs in each format, strict and lenient', function () {
    this.timeout(60_000);
    for (const format of senml.SENML_FORMATS) {
      const rnd = random(format.length * 7919);
      let refused = 0;
      for (let round = 0; round < 3000; round++) {
        const original = senml.encode(seaBuoyPack(round + 1), { format });
        let bytes: Buffer = Buffer.from(original);
        for (let changes = 1 + Math.floor(rnd() * 3); changes > 0; changes--)
          bytes = mutate(bytes, rnd);
        for (const strict of [true, false]) {
          if (
            decodeAnything(
              bytes,
              { strict },
              `${format} round ${round}: ${bytes.toString('hex')}`,
            ) instanceof senml.SenmlError
          )
            refused++;
        }
      }
      assert.ok(
        refused > 1000,
        `${format}: only ${refused} of 6000 refused: the damage does not reach the decoder`,
      );
    }
  });

  it('refuses CBOR whose base name is undefined with a SenmlError (was a TypeError)', () => {
    const outcome = decodeAnything(Buffer.from('81a221f70201', 'hex'), {}, 'bn undefined');
    assert.ok(
      outcome instanceof senml.SenmlError && outcome.code === 'SENML_TYPE',
      String(outcome),
    );
  });

  it('answers fields of five million characters without overflowing the stack (was a RangeError)', function () {
    this.timeout(30_000);
    const long = 'A'.repeat(5_000_000);
    assert.equal(
      (decodeAnything(JSON.stringify([{ n: 'a', vd: long }]), {}, 'vd') as senml.ResolvedPack)[0].vd
        ?.length,
      5_000_000,
    );
    for (const [record, code] of [
      [{ n: 'a', vd: `${long}=` }, 'SENML_TYPE'],
      [{ n: 'a', vd: `${long}A` }, 'SENML_TYPE'], // 4k + 1 characters
      [{ n: `a${long}!`, v: 1 }, 'SENML_NAME'],
      [{ bn: `${long}:`, n: 'x!', v: 1 }, 'SENML_NAME'],
      [{ n: 'a', u: long, v: 1 }, 'SENML_UNIT'],
    ] as const) {
      for (const format of ['json', 'xml', 'cbor'] as const) {
        const input =
          format === 'json'
            ? JSON.stringify([record])
            : format === 'xml'
              ? `<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml ${Object.entries(record)
                  .map(([k, v]) => `${k}="${String(v)}"`)
                  .join(' ')}/></sensml>`
              : undefined;
        if (input === undefined) continue; // CBOR of such records is made by encode, which refuses them first
        const outcome = decodeAnything(input, {}, `${format} ${Object.keys(record).join(',')}`);
        assert.ok(
          outcome instanceof senml.SenmlError && outcome.code === code,
          `${format}: ${String(outcome).slice(0, 200)}`,
        );
      }
    }
    const huge = decodeAnything(
      `<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="a" vs="${long}"/></sensml>`,
      {},
      'xml vs',
    ) as senml.ResolvedPack;
    assert.equal(huge[0].vs?.length, 5_000_000);
  });
});
