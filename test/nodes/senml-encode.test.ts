import assert from 'node:assert/strict';
import { senml } from '../../lib';
import {
  inTab,
  catchNode,
  decodeNode,
  encodeNode,
  helper,
  inLanguage,
  nextMessage,
  statuses,
  warnings as warningsOf,
} from './helper';

const flow = (config: object = {}): object[] =>
  inTab([
    {
      id: 'encode',
      type: 'senml-encode',
      name: '',
      format: 'json',
      compact: true,
      strict: true,
      baseName: '',
      units: [],
      ...config,
      wires: [['out']],
    },
    { id: 'out', type: 'helper' },
    { id: 'catch1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ]);

const buoy = [
  { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.25, t: 1_700_000_000 },
  { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.5, t: 1_700_000_060 },
];

describe('senml encode node', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('encodes a resolved pack as compact JSON with the media type', async () => {
    await helper.load([encodeNode, catchNode], flow());
    const shown = statuses('encode');
    const received = nextMessage('out');
    helper.getNode('encode').receive({ payload: buoy });
    const msg = await received;
    assert.equal(msg.contentType, 'application/senml+json');
    assert.deepEqual(JSON.parse(msg.payload), [
      { bn: 'urn:dev:mac:0024befffe804ff1:temperature', bt: 1_700_000_000, bu: 'Cel', v: 18.25 },
      { v: 18.5, t: 60 },
    ]);
    assert.deepEqual(shown.at(-1), {
      fill: 'green',
      shape: 'dot',
      text: 'senml-encode.status.encoded',
    });
  });

  it('writes CBOR as a Buffer and XML as text, both readable again', async () => {
    for (const format of ['cbor', 'xml'] as const) {
      await helper.load([encodeNode, catchNode], flow({ format }));
      const received = nextMessage('out');
      helper.getNode('encode').receive({ payload: buoy });
      const msg = await received;
      assert.equal(msg.contentType, senml.MEDIA_TYPES[format]);
      assert.equal(
        format === 'cbor' ? Buffer.isBuffer(msg.payload) : typeof msg.payload === 'string',
        true,
      );
      assert.deepEqual(senml.decode(msg.payload), buoy);
      await helper.unload();
    }
  });

  it('turns a plain object of readings into records with the configured base name and units', async () => {
    await helper.load(
      [encodeNode, catchNode],
      flow({
        baseName: 'urn:dev:mac:0024befffe804ff1:',
        units: [
          { key: 'temperature', unit: 'Cel' },
          { key: 'humidity', unit: '%RH' },
        ],
      }),
    );
    const received = nextMessage('out');
    const before = Date.now() / 1000;
    helper.getNode('encode').receive({ payload: { temperature: 18.2, humidity: 71 } });
    const pack = senml.decode((await received).payload);
    assert.deepEqual(
      pack.map((r) => [r.n, r.u, r.v]),
      [
        ['urn:dev:mac:0024befffe804ff1:temperature', 'Cel', 18.2],
        ['urn:dev:mac:0024befffe804ff1:humidity', '%RH', 71],
      ],
    );
    assert.ok(
      pack[0].t >= before - 1 && pack[0].t <= Date.now() / 1000 + 1,
      'stamped with the current time',
    );
  });

  it('sends a bad pack to the Catch node, naming the record', async () => {
    await helper.load([encodeNode, catchNode], flow());
    const shown = statuses('encode');
    const caught = nextMessage('errors');
    helper.getNode('encode').receive({
      payload: [
        { n: 'ok', v: 1 },
        { n: 'two values', v: 1, vb: true },
      ],
    });
    const msg = await caught;
    assert.match(msg.error.message, /record 1/);
    assert.equal(shown.at(-1)?.fill, 'red');
  });

  it('refuses an unregistered unit in strict mode and accepts it in lenient mode', async () => {
    await helper.load([encodeNode, catchNode], flow());
    const caught = nextMessage('errors');
    helper.getNode('encode').receive({ payload: [{ n: 'x', u: 'degC', v: 1 }] });
    assert.match((await caught).error.message, /did you mean "Cel"/);
    await helper.unload();
    await helper.load([encodeNode, catchNode], flow({ strict: false }));
    const received = nextMessage('out');
    helper.getNode('encode').receive({ payload: [{ n: 'x', u: 'degC', v: 1 }] });
    assert.deepEqual(JSON.parse((await received).payload), [{ n: 'x', u: 'degC', v: 1 }]);
  });

  it('in lenient mode lists the records it leaves out in msg.senmlSkipped', async () => {
    await helper.load([encodeNode, catchNode], flow({ strict: false }));
    const received = nextMessage('out');
    helper.getNode('encode').receive({
      payload: [
        { n: 'x', v: 1 },
        { n: 'y y', v: 2 },
      ],
    });
    const msg = await received;
    assert.deepEqual(JSON.parse(msg.payload), [{ n: 'x', v: 1 }]);
    assert.deepEqual(
      msg.senmlSkipped.map((s: { index: number; code: string }) => [s.index, s.code]),
      [[1, 'SENML_NAME']],
    );
  });

  it('encode → decode in a flow gives back the readings', async () => {
    await helper.load(
      [encodeNode, decodeNode, catchNode],
      inTab([
        {
          id: 'encode',
          type: 'senml-encode',
          format: 'cbor',
          compact: true,
          strict: true,
          baseName: '',
          units: [],
          wires: [['decode']],
        },
        {
          id: 'decode',
          type: 'senml-decode',
          format: 'auto',
          convertUnits: false,
          strict: true,
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
      ]),
    );
    const received = nextMessage('out');
    helper.getNode('encode').receive({ payload: buoy });
    assert.deepEqual((await received).payload, buoy);
  });
});

describe("senml encode node, in the runtime's language", () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('in French: a record left out in lenient mode is named in French, and a refused pack too', async () => {
    await helper.load([encodeNode, catchNode], flow({ strict: false }));
    await inLanguage('fr', async () => {
      const warnings = warningsOf('encode');
      const received = nextMessage('out');
      helper.getNode('encode').receive({
        payload: [
          { n: 'x', v: 1 },
          { n: 'y y', v: 2 },
        ],
      });
      await received;
      assert.deepEqual(warnings, [
        '1 enregistrement(s) écarté(s) ; premier : enregistrement 1, champ "n" : le nom "y y" contient " " ; seuls les lettres, les chiffres et - : . / _ sont permis (RFC 8428 §4.5.1)',
      ]);
    });
    await helper.unload();
    await helper.load([encodeNode, catchNode], flow());
    await inLanguage('fr', async () => {
      const caught = nextMessage('errors');
      helper.getNode('encode').receive({ payload: { temperature: 21.5, nested: { a: 1 } } });
      assert.equal(
        (await caught).error.message,
        'SenmlError: enregistrement 1, champ "nested" : la mesure "nested" est inutilisable (un objet) ; les mesures sont des nombres, des textes, des booléens ou des octets',
      );
    });
  });
});
