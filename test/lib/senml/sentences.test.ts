/**
 * What SenML says is made of sentences a translation can say again: every error
 * and note carries its messageId and params, and its English message is the
 * template of that messageId filled with those params, framed by its place.
 */
import assert from 'node:assert/strict';
import { senml } from '../../../lib';
import { placeMessage, renderMessage } from '../../../lib/errors';
import { SENML_MESSAGES, type SenmlMessageId } from '../../../lib/senml/messages';
import type { ComposedSentence } from '../../../lib/senml/sentences';

const now = (): number => 1_700_000_000;
const cbor = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const NS = 'urn:ietf:params:xml:ns:senml';

/** The sentence an input is refused with. */
function refusal(input: unknown, options: senml.DecodeOptions = {}): senml.SenmlError {
  try {
    senml.decode(input, { now, ...options });
  } catch (err) {
    assert.ok(err instanceof senml.SenmlError, String(err));
    return err;
  }
  assert.fail('the input was accepted');
}

/** The sentence holds together: a known messageId of its code, and the message made from the template, its parts included. */
function assertRendered(said: ComposedSentence): void {
  assert.ok(said.messageId in SENML_MESSAGES, `unknown messageId ${said.messageId}`);
  const spec = SENML_MESSAGES[said.messageId as SenmlMessageId];
  assert.equal(said.code, spec.code, said.messageId);
  for (const [name, part] of Object.entries(said.parts ?? {})) {
    assert.equal(
      said.params[name],
      part.message,
      `${said.messageId}: param ${name} is its part's message`,
    );
    assertRendered(part);
  }
  assert.equal(said.message, placeMessage(renderMessage(spec.en, said.params), said.params));
}

describe('SenML sentences', () => {
  it('an error names its sentence and the values it is made of, the place in the pack among them', () => {
    const err = refusal('[{"n":"a","v":1},{"n":"b","v":1},{"n":"c","v":"21.5"}]');
    assert.equal(err.code, 'SENML_TYPE');
    assert.equal(err.messageId, 'SENML_TYPE_NUMBER');
    assert.deepEqual(err.params, { got: '"21.5"', record: 2, field: 'v' });
    assert.equal(err.message, 'record 2, field "v": must be a number, got "21.5"');
    assert.deepEqual([err.index, err.field, err.name], [2, 'v', 'SenmlError']);
    assertRendered(err);
  });

  it('an error that names no place is its template alone', () => {
    const err = refusal('hello');
    assert.deepEqual(
      [err.code, err.messageId, err.params],
      ['SENML_FORMAT', 'SENML_FORMAT_UNDETECTABLE', {}],
    );
    assert.equal(err.message, SENML_MESSAGES.SENML_FORMAT_UNDETECTABLE.en);
  });

  it('the words for what arrived are a sentence of their own, kept as a part', () => {
    const err = refusal([{ n: 'a', v: [1, 2] }]);
    assert.equal(err.messageId, 'SENML_TYPE_NUMBER');
    assert.equal(err.params.got, 'a list');
    assert.equal(err.parts?.got.messageId, 'SENML_KIND_LIST');
    assertRendered(err);
  });

  it('parts nest: CBOR tag 259 around an integer, where a record should be', () => {
    const err = refusal(cbor('81 d9 0103 01'));
    assert.equal(
      err.message,
      'record 0: a record must be an object with SenML fields, got CBOR tag 259 around an integer',
    );
    const around = err.parts?.got as ComposedSentence;
    assert.deepEqual(
      [around.messageId, around.params.tag, around.parts?.got.messageId],
      ['SENML_KIND_CBOR_TAG_AROUND', 259, 'SENML_KIND_CBOR_INTEGER'],
    );
    assertRendered(err);
  });

  it('each reason XML or CBOR is not well-formed is its own sentence, with where it is', () => {
    const xml = refusal(`<sensml xmlns="${NS}">\n<!-- open`);
    assert.deepEqual(
      [xml.code, xml.messageId, xml.params],
      ['SENML_SYNTAX', 'SENML_XML_COMMENT_OPEN', { line: 2, column: 1 }],
    );
    assert.equal(xml.message, 'not well-formed XML: a comment is not closed (line 2, column 1)');
    const bytes = refusal(cbor('81 a1 00 1c'));
    assert.deepEqual(
      [bytes.messageId, bytes.params],
      ['SENML_CBOR_RESERVED_INFO', { info: 28, byte: 4 }],
    );
    assertRendered(xml);
    assertRendered(bytes);
  });

  it("the JSON parser's own reason is the cause, and its message the {cause} param", () => {
    const err = refusal('[{"n":"x",');
    assert.equal(err.messageId, 'SENML_JSON_INVALID');
    assert.ok(err.cause instanceof SyntaxError);
    assert.equal(err.params.cause, err.cause.message);
    assert.equal(err.message, `not valid JSON: ${err.cause.message}`);
  });

  it('a note is a sentence too, framed by its record and field', () => {
    const notes: senml.SenmlNote[] = [];
    senml.decode(
      [
        { n: 'a', v: 1, t: 1e9, meta: { by: 'gateway' } },
        { n: 'b', u: 'Wh', v: 2, t: 1e9 },
      ],
      { secondaryUnits: 'accept', onNote: (note) => notes.push(note) },
    );
    assert.deepEqual(
      notes.map(({ code, messageId, params, index, field }) => ({
        code,
        messageId,
        params,
        index,
        field,
      })),
      [
        {
          code: 'SENML_IGNORED_FIELD',
          messageId: 'SENML_FIELD_IGNORED',
          params: { got: 'an object', record: 0, field: 'meta' },
          index: 0,
          field: 'meta',
        },
        {
          code: 'SENML_UNDECLARED_SECONDARY_UNIT',
          messageId: 'SENML_SECONDARY_UNIT_DECLARED',
          params: { unit: 'Wh', record: 1, field: 'u' },
          index: 1,
          field: 'u',
        },
      ],
    );
    assert.equal(
      notes[0].message,
      'record 0, field "meta": holds an object, which a SenML field cannot carry; it is ignored (RFC 8428 §4.4)',
    );
    for (const note of notes) assertRendered(note);
  });

  it('every error of a varied set of broken packs is rendered from its sentence', () => {
    const inputs: unknown[] = [
      '',
      '{"n":"x"}',
      42,
      undefined,
      [],
      [42],
      [{ n: 'x', v: 1, crit_: 1 }],
      [{ n: '-x', v: 1 }],
      [{ n: 'a b', v: 1 }],
      [{ v: 1 }],
      [{ n: 'x', v: 1, vs: 'a' }],
      [{ n: 'x', v: 1, vs: 'a', vb: true }],
      [{ n: 'x' }],
      [{ bver: 42, n: 'x', v: 1 }],
      [{ bver: 27, n: 'x', v: 1 }],
      [{ bver: 0, n: 'x', v: 1 }],
      [{ n: 'x', u: 'degC', v: 1 }],
      [{ n: 'x', u: 'kWh', v: 1 }],
      [{ n: 'x', v: Number.NaN }],
      '[{"n":"a","bv":1e308,"v":1e308}]',
      '[{"n":"a","v":1,"t":-2000000000}]',
      [new Map()],
      cbor('81 a2 00 61 61 02 f7'),
      cbor('81 a2 61 6e 61 78 02 01'),
      cbor('81 a2 00 61 61 f9 4000 01'),
      cbor('81 a3 20 f9 4900 00 61 61 02 01'),
      cbor('81 a2 00 61 61 08 61 61'),
      cbor('81 a2 00 61 61 02 c6 01'),
      cbor('a1 00 61 61'),
      cbor('81 a2 00 61 61 02 01 00'),
      `<sensml xmlns="${NS}"><senml n="x" v="1" v="2"/></sensml>`,
      `<sensml xmlns="${NS}"><senml 1n="x"/></sensml>`,
      `<sensml><senml n="x" v="1"/></sensml>`,
      `<sensml xmlns="${NS}"><senml n="x" v="1">21.5</senml></sensml>`,
      `<sensml xmlns="${NS}"><senml n="x" vs="&foo;"/></sensml>`,
      '<!DOCTYPE x><sensml/>',
    ];
    for (const input of inputs) assertRendered(refusal(input));
  });
});
