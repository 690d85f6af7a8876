import assert from 'node:assert/strict';
import { senml } from '../../lib';
import {
  inTab,
  catchNode,
  decodeNode,
  helper,
  inLanguage,
  nextMessage,
  statuses,
  warnings as warningsOf,
} from './helper';

const flow = (config: object = {}): object[] =>
  inTab([
    {
      id: 'decode',
      type: 'senml-decode',
      name: '',
      format: 'auto',
      convertUnits: false,
      strict: true,
      ...config,
      wires: [['out']],
    },
    { id: 'out', type: 'helper' },
    { id: 'catch1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ]);

const buoy = [
  { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.25, t: 1_700_000_000 },
  { n: 'urn:dev:mac:0024befffe804ff1:battery', u: '%EL', v: 87, t: 1_700_000_000 },
];

describe('senml decode node', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('decodes JSON, CBOR and XML payloads into the resolved pack and shows the count', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const shown = statuses('decode');
    for (const format of senml.SENML_FORMATS) {
      const received = nextMessage('out');
      helper.getNode('decode').receive({ payload: senml.encode(buoy, { format }), topic: 'buoy' });
      const msg = await received;
      assert.deepEqual(msg.payload, buoy, format);
      assert.equal(msg.topic, 'buoy', 'other message properties pass through');
    }
    // The test runtime shows catalog keys; the catalogs themselves are checked in catalogs.test.ts.
    assert.deepEqual(shown.at(-1), {
      fill: 'green',
      shape: 'dot',
      text: 'senml-decode.status.records',
    });
  });

  it('uses the SenML media type of msg.contentType when the format is auto', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const received = nextMessage('out');
    // A CBOR pack whose first byte alone would not tell: use a JSON Buffer labelled as JSON.
    helper.getNode('decode').receive({
      payload: Buffer.from(senml.encode(buoy) as string),
      contentType: 'application/senml+json; charset=utf-8',
    });
    assert.deepEqual((await received).payload, buoy);
  });

  it('sends a broken pack to the Catch node with the record and field named, and keeps the message', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const shown = statuses('decode');
    const caught = nextMessage('errors');
    helper
      .getNode('decode')
      .receive({ payload: '[{"n":"a","v":1},{"n":"b","v":"21.5"}]', topic: 'buoy' });
    const msg = await caught;
    assert.match(msg.error.message, /record 1, field "v": must be a number, got "21.5"/);
    assert.equal(msg.error.source.id, 'decode');
    assert.equal(
      msg.payload,
      '[{"n":"a","v":1},{"n":"b","v":"21.5"}]',
      'the message that caused it is not lost',
    );
    assert.equal(msg.topic, 'buoy');
    assert.equal(shown.at(-1)?.fill, 'red');
    assert.match(shown.at(-1)?.text, /^record 1, field "v"/);
  });

  it('reports input that is not SenML at all, without crashing', async () => {
    await helper.load([decodeNode, catchNode], flow());
    for (const payload of [
      42,
      { n: 'x' },
      'hello',
      Buffer.from([0xff, 0x00]),
      `<!DOCTYPE x [<!ENTITY a "b">]><sensml/>`,
    ]) {
      const caught = nextMessage('errors');
      helper.getNode('decode').receive({ payload });
      assert.ok((await caught).error.message.length > 0);
    }
  });

  it('in lenient mode leaves broken records out, lists them in msg.senmlSkipped and warns', async () => {
    await helper.load([decodeNode, catchNode], flow({ strict: false }));
    const shown = statuses('decode');
    const received = nextMessage('out');
    const warnings = warningsOf('decode');
    const node = helper.getNode('decode');
    node.receive({
      payload: [
        { bn: 'x:', n: 'a', v: 1, t: 1e9 },
        { n: 'bad name', v: 2 },
        { n: 'c', u: 'degC', v: 3, t: 1e9 },
      ],
    });
    const msg = await received;
    assert.deepEqual(
      msg.payload.map((r: senml.ResolvedRecord) => r.n),
      ['x:a', 'x:c'],
    );
    assert.deepEqual(
      msg.senmlSkipped.map((s: { index: number; code: string }) => [s.index, s.code]),
      [[1, 'SENML_NAME']],
    );
    assert.equal(warnings.length, 1);
    assert.deepEqual(shown.at(-1), {
      fill: 'yellow',
      shape: 'dot',
      text: 'senml-decode.status.skipped',
    });
  });

  it('ignores fields SenML cannot carry instead of refusing the pack, lists them in msg.senmlNotes and warns once per field', async () => {
    await helper.load([decodeNode, catchNode], flow());
    const warnings = warningsOf('decode');
    const node = helper.getNode('decode');
    const payload = '[{"n":"buoy:temp","u":"Cel","v":18.5,"t":1700000000,"meta":{"by":"gateway"}}]';
    for (let i = 0; i < 3; i++) {
      const received = nextMessage('out');
      node.receive({ payload });
      const msg = await received;
      assert.deepEqual(msg.payload, [{ n: 'buoy:temp', u: 'Cel', v: 18.5, t: 1_700_000_000 }]);
      assert.deepEqual(
        msg.senmlNotes.map((n: senml.SenmlNote) => [n.index, n.field, n.code]),
        [[0, 'meta', 'SENML_IGNORED_FIELD']],
      );
    }
    assert.equal(warnings.length, 1, 'one warning for the field, not one per message');
  });

  it('converts secondary units when asked', async () => {
    await helper.load([decodeNode, catchNode], flow({ convertUnits: true }));
    const received = nextMessage('out');
    helper
      .getNode('decode')
      .receive({ payload: [{ bver: 26, n: 'meter:energy', u: 'kWh', v: 2, t: 1e9 }] });
    assert.deepEqual((await received).payload, [
      { n: 'meter:energy', u: 'J', v: 7_200_000, t: 1e9 },
    ]);
  });

  it('honours a chosen format over sniffing', async () => {
    await helper.load([decodeNode, catchNode], flow({ format: 'xml' }));
    const caught = nextMessage('errors');
    helper.getNode('decode').receive({ payload: senml.encode(buoy) });
    assert.match((await caught).error.message, /XML/);
  });
});

describe("senml decode node, in the runtime's language", () => {
  afterEach(async () => {
    await helper.unload();
  });

  const brokenPack = '[{"n":"a","v":1},{"n":"b","v":"21.5"}]';

  it('in French, strict: the Catch node and the status say what is wrong in French, the code kept', async () => {
    await helper.load([decodeNode, catchNode], flow());
    await inLanguage('fr', async () => {
      const shown = statuses('decode');
      const caught = nextMessage('errors');
      helper.getNode('decode').receive({ payload: brokenPack });
      const msg = await caught;
      assert.equal(
        msg.error.message,
        'SenmlError: enregistrement 1, champ "v" : doit être un nombre, reçu : "21.5"',
      );
      assert.equal(msg.error.code, 'SENML_TYPE');
      assert.equal(msg.payload, brokenPack, 'the message that caused it is not lost');
      assert.deepEqual(shown.at(-1), {
        fill: 'red',
        shape: 'ring',
        text: 'enregistrement 1, champ "v" : doit être…',
      });
    });
  });

  it('in French, strict: the words for what arrived are French too', async () => {
    await helper.load([decodeNode, catchNode], flow());
    await inLanguage('fr', async () => {
      const caught = nextMessage('errors');
      helper.getNode('decode').receive({ payload: [{ n: 'a', v: [1, 2] }] });
      assert.match(
        (await caught).error.message,
        /enregistrement 0, champ "v" : doit être un nombre, reçu : une liste$/,
      );
    });
  });

  it('in French, lenient: the warning names the first record left out in French; msg.senmlSkipped keeps the English with its messageId and params', async () => {
    await helper.load([decodeNode, catchNode], flow({ strict: false }));
    await inLanguage('fr', async () => {
      const shown = statuses('decode');
      const warnings = warningsOf('decode');
      const received = nextMessage('out');
      helper.getNode('decode').receive({
        payload: [
          { bn: 'x:', n: 'a', v: 1, t: 1e9 },
          { n: 'bad name', v: 2 },
        ],
      });
      const msg = await received;
      assert.deepEqual(warnings, [
        '1 enregistrement(s) écarté(s) ; premier : enregistrement 1, champ "n" : le nom "x:bad name" contient " " ; seuls les lettres, les chiffres et - : . / _ sont permis (RFC 8428 §4.5.1)',
      ]);
      assert.deepEqual(msg.senmlSkipped, [
        {
          index: 1,
          field: 'n',
          code: 'SENML_NAME',
          messageId: 'SENML_NAME_CHARACTER',
          params: { name: '"x:bad name"', character: '" "', record: 1, field: 'n' },
          message:
            'record 1, field "n": name "x:bad name" contains " "; only letters, digits and - : . / _ are allowed (RFC 8428 §4.5.1)',
        },
      ]);
      assert.deepEqual(shown.at(-1), {
        fill: 'yellow',
        shape: 'dot',
        text: '1 enregistrement, 1 écartés',
      });
    });
  });

  it('in French: the note on a field set aside is French, msg.senmlNotes keeps its sentence', async () => {
    await helper.load([decodeNode, catchNode], flow());
    await inLanguage('fr', async () => {
      const warnings = warningsOf('decode');
      const received = nextMessage('out');
      helper.getNode('decode').receive({
        payload: '[{"n":"buoy:temp","u":"Cel","v":18.5,"t":1700000000,"meta":{"by":"gateway"}}]',
      });
      const msg = await received;
      assert.deepEqual(warnings, [
        'Champ ignoré (les suivants de ce genre ne sont listés que dans msg.senmlNotes) : enregistrement 0, champ "meta" : contient un objet, qu\'aucun champ SenML ne peut transporter ; il est ignoré (RFC 8428 §4.4)',
      ]);
      assert.deepEqual(
        msg.senmlNotes.map(({ code, messageId, params }: senml.SenmlNote) => ({
          code,
          messageId,
          params,
        })),
        [
          {
            code: 'SENML_IGNORED_FIELD',
            messageId: 'SENML_FIELD_IGNORED',
            params: { got: 'an object', record: 0, field: 'meta' },
          },
        ],
      );
    });
  });

  it('in Dutch, strict and lenient: the error, the status and the warning are Dutch', async () => {
    await helper.load([decodeNode, catchNode], flow());
    await inLanguage('nl', async () => {
      const shown = statuses('decode');
      const caught = nextMessage('errors');
      helper.getNode('decode').receive({ payload: brokenPack });
      assert.equal(
        (await caught).error.message,
        'SenmlError: record 1, veld "v": moet een getal zijn, ontvangen: "21.5"',
      );
      assert.equal(shown.at(-1)?.text, 'record 1, veld "v": moet een getal zijn…');
    });
    await helper.unload();
    await helper.load([decodeNode, catchNode], flow({ strict: false }));
    await inLanguage('nl', async () => {
      const warnings = warningsOf('decode');
      const received = nextMessage('out');
      helper.getNode('decode').receive({
        payload: [
          { n: 'a', u: 'Cel', v: 1, t: 1e9 },
          { n: 'b', v: 2, vs: 'twee', t: 1e9 },
        ],
      });
      await received;
      assert.deepEqual(warnings, [
        '1 record(s) weggelaten; eerste: record 1, veld "vs": een record bevat precies één waarde, dit record heeft v en vs (RFC 8428 §4.2)',
      ]);
    });
  });
});
