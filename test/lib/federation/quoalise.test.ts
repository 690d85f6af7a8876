import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { Element, parse } from 'ltx';
import { senml } from '../../../lib';
import { FederationError } from '../../../lib/federation/errors';
import {
  META_LIMITS,
  type Meta,
  QUOALISE_NS,
  metaElement,
  parseMeta,
  parseQuoaliseElement,
  parseQuoaliseMessage,
  parseUpstreamError,
  quoaliseDataElement,
  quoaliseMessage,
  upstreamErrorElement,
} from '../../../lib/federation/quoalise';
import { assertSafe, genericNasties, mutations, reparse } from './xml-helpers';

const NOW = (): number => 1_700_000_000;
const IDENTIFIER = 'urn:dev:prm:30001610071843_consumption/active_power/raw';
const PACK = senml.decode(
  `[{"bn":"${IDENTIFIER}","bt":1638313200,"bu":"W","v":1234},{"t":1800,"v":1500},{"t":3600,"v":1410}]`,
  { now: NOW },
);

function throwsCode(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof FederationError && err.code === code && pattern.test(err.message),
  );
}

// A pushed message in the shape the Quoalise reference implementation writes
// (Data.to_xml after Sensml.compress: bn/bt/bu on the first record, floats as
// Python prints them), once with default namespaces and once with the ns0/ns1
// prefixes Python's ElementTree invents.
const REFERENCE_MESSAGE = `<message xmlns="jabber:client" from="proxy@sen2.test/quoalise" to="alice@sen1.test" type="normal" id="m1">
  <quoalise xmlns="urn:quoalise:0"><data>
    <meta><device type="electricity-meter" identifier="30001610071843"/><measurement name="active-power" direction="consumption" unit="W" aggregation="mean" sampling-interval="PT30M"/></meta>
    <sensml xmlns="urn:ietf:params:xml:ns:senml">
      <senml bn="${IDENTIFIER}" bt="1638313200.0" bu="W" v="1234.0"/>
      <senml t="1800.0" v="1500.0"/>
      <senml t="3600.0" v="1410.0"/>
    </sensml>
  </data></quoalise>
</message>`;
const REFERENCE_PREFIXED = `<message xmlns="jabber:client" from="proxy@sen2.test/quoalise" to="alice@sen1.test">
  <ns0:quoalise xmlns:ns0="urn:quoalise:0"><ns0:data><ns0:meta><ns0:device type="electricity-meter" identifier="30001610071843"/></ns0:meta>
  <ns1:sensml xmlns:ns1="urn:ietf:params:xml:ns:senml"><ns1:senml bn="${IDENTIFIER}" bt="1638313200.0" bu="W" v="1234.0"/><ns1:senml t="1800.0" v="1500.0"/><ns1:senml t="3600.0" v="1410.0"/></ns1:sensml>
  </ns0:data></ns0:quoalise></message>`;

// A small seeded generator of canonical meta objects (see the rule in quoalise.ts).
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const NAMES = [
  'device',
  'type',
  'identifier',
  'période',
  'unit',
  '_x',
  'a.b-c',
  'Ω',
  'source',
  'purpose',
  'n1',
  'mesure',
];
const CHARS = ['a', 'Z', '0', ' ', '&', '<', '>', '"', "'", 'é', '€', '😀', '/', ':', '=', ';'];
function randomText(rnd: () => number, nonBlank = false): string {
  let text = '';
  const length = Math.floor(rnd() * 8);
  for (let i = 0; i < length; i++) text += CHARS[Math.floor(rnd() * CHARS.length)];
  return nonBlank && text.trim() === '' ? `${text}x` : text;
}
function randomMeta(rnd: () => number, depth: number): Meta {
  const meta: Meta = {};
  const keys = Math.floor(rnd() * 5);
  for (let i = 0; i < keys; i++) {
    const key = NAMES[Math.floor(rnd() * NAMES.length)];
    const pick = rnd();
    if (pick < 0.5 || depth >= 3) meta[key] = randomText(rnd);
    else if (pick < 0.8) meta[key] = randomMeta(rnd, depth + 1);
    else
      meta[key] = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () =>
        randomMeta(rnd, depth + 1),
      );
  }
  if (rnd() < 0.1) meta['#text'] = randomText(rnd, true);
  return meta;
}

describe('federation: Quoalise (urn:quoalise:0)', () => {
  describe('meta: a dictionary as nested elements with attributes', () => {
    it('maps scalars to attributes, objects to elements, lists to repeated elements', () => {
      const meta = {
        source: 'enedis',
        device: { type: 'electricity-meter', identifier: '30001610071843' },
        period: {
          start: { time: '2021-12-01T00:00+01:00' },
          end: { time: '2021-12-02T00:00+01:00' },
        },
        channel: [{ name: 'a' }, { name: 'b' }],
      };
      assert.equal(
        metaElement(meta).toString(),
        '<meta xmlns="urn:quoalise:0" source="enedis"><device type="electricity-meter" identifier="30001610071843"/>' +
          '<period><start time="2021-12-01T00:00+01:00"/><end time="2021-12-02T00:00+01:00"/></period>' +
          '<channel name="a"/><channel name="b"/></meta>',
      );
      assert.deepEqual(parseMeta(reparse(metaElement(meta))), meta);
    });

    it('writes numbers and booleans as text, a one-entry list as its element, text under #text', () => {
      const el = metaElement({
        count: 3,
        ratio: 0.25,
        valid: true,
        one: [{ x: '1' }],
        none: [],
        skipped: undefined,
        nothing: null,
        note: { '#text': 'line 1\nline 2', lang: 'fr' },
      });
      assert.equal(
        el.toString(),
        '<meta xmlns="urn:quoalise:0" count="3" ratio="0.25" valid="true"><one x="1"/><note lang="fr">line 1\nline 2</note></meta>',
      );
      assert.deepEqual(parseMeta(reparse(el)), {
        count: '3',
        ratio: '0.25',
        valid: 'true',
        one: { x: '1' },
        note: { '#text': 'line 1\nline 2', lang: 'fr' },
      });
    });

    it('round-trips canonical meta exactly (300 generated cases)', () => {
      const rnd = generator(8428);
      for (let i = 0; i < 300; i++) {
        const meta = randomMeta(rnd, 0);
        const back = parseMeta(reparse(metaElement(meta)));
        assert.deepEqual(back, meta, JSON.stringify(meta));
      }
    });

    it("takes objects made in another realm, as a function node's are", () => {
      const meta = runInNewContext(
        '({ source: { device: "urn:dev:mac:0024befffe804ff1", kind: "sea buoy" }, channel: [{ name: "a" }] })',
      ) as Meta;
      assert.equal(
        metaElement(meta).toString(),
        '<meta xmlns="urn:quoalise:0"><source device="urn:dev:mac:0024befffe804ff1" kind="sea buoy"/><channel name="a"/></meta>',
      );
      throwsCode(
        () => metaElement(runInNewContext('({ when: new Date(0) })') as Meta),
        'FEDERATION_INPUT',
        /meta\.when: meta values are texts/,
      );
    });

    it('refuses what it cannot write faithfully', () => {
      throwsCode(
        () => metaElement({ when: new Date() as unknown as string }),
        'FEDERATION_INPUT',
        /meta\.when: .*a Date/,
      );
      throwsCode(
        () => metaElement({ tags: ['a', 'b'] as unknown as Meta[] }),
        'FEDERATION_INPUT',
        /meta\.tags\[0\]: a list in meta holds objects/,
      );
      throwsCode(
        () => metaElement({ xmlns: 'urn:evil' }),
        'FEDERATION_INPUT',
        /"xmlns" cannot be a meta name/,
      );
      throwsCode(() => metaElement({ 'a:b': 'x' }), 'FEDERATION_INPUT', /cannot be a meta name/);
      throwsCode(() => metaElement({ '1st': 'x' }), 'FEDERATION_INPUT', /cannot be a meta name/);
      throwsCode(
        () => metaElement(JSON.parse('{"__proto__":"x"}') as Meta),
        'FEDERATION_INPUT',
        /"__proto__" cannot be a meta name/,
      );
      throwsCode(
        () => metaElement({ d: { note: 'two\nlines' } }),
        'FEDERATION_INPUT',
        /meta\.d\.note: a meta attribute cannot hold line breaks/,
      );
      throwsCode(() => metaElement({ x: Infinity }), 'FEDERATION_INPUT', /Infinity/);
      throwsCode(
        () => metaElement({ x: 'bell\u0007' }),
        'FEDERATION_INPUT',
        /character that XML cannot carry/,
      );
      const cycle: Meta = {};
      cycle.self = cycle;
      throwsCode(() => metaElement(cycle), 'FEDERATION_INPUT', /nested more than/);
      throwsCode(
        () => metaElement('meta' as unknown as Meta),
        'FEDERATION_INPUT',
        /meta must be an object/,
      );
    });

    it('reads meta written by others: ignores foreign elements and namespace declarations, refuses ambiguity', () => {
      const el = parse(
        `<meta xmlns="${QUOALISE_NS}" xmlns:o="urn:other" xml:lang="fr" a="1"><o:ext x="1"/><b c="2"/>  </meta>`,
      );
      assert.deepEqual(parseMeta(el), { a: '1', b: { c: '2' } });
      throwsCode(
        () => parseMeta(parse(`<meta xmlns="${QUOALISE_NS}" a="1"><a/></meta>`)),
        'FEDERATION_MALFORMED',
        /both an attribute and an element/,
      );
      throwsCode(
        () => parseMeta(parse('<meta xmlns="urn:wrong"/>')),
        'FEDERATION_MALFORMED',
        /expected <meta/,
      );
    });

    it('keeps names such as __proto__ as plain data', () => {
      const meta = parseMeta(
        parse(
          `<meta xmlns="${QUOALISE_NS}"><__proto__ polluted="yes"/><constructor a="1"/></meta>`,
        ),
      );
      assert.deepEqual(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value, {
        polluted: 'yes',
      });
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf(meta), Object.prototype);
    });

    it('stops at its limits: too deep, too many elements', () => {
      let deep = '';
      for (let i = 0; i < 5000; i++) deep += '<x>';
      for (let i = 0; i < 5000; i++) deep += '</x>';
      throwsCode(
        () => parseMeta(parse(`<meta xmlns="${QUOALISE_NS}">${deep}</meta>`)),
        'FEDERATION_LIMIT',
        new RegExp(`more than ${META_LIMITS.depth} levels`),
      );
      const wide = '<y/>'.repeat(100_000);
      throwsCode(
        () => parseMeta(parse(`<meta xmlns="${QUOALISE_NS}">${wide}</meta>`)),
        'FEDERATION_LIMIT',
        /more than \d+ elements/,
      );
    });
  });

  describe('data and messages', () => {
    it('writes a pushed message exactly', () => {
      const message = quoaliseMessage(
        'alice@sen1.test',
        [{ n: IDENTIFIER, t: 1638313200, u: 'W', v: 1234 }],
        { device: { type: 'electricity-meter', identifier: '30001610071843' } },
      );
      assert.equal(
        message.toString(),
        '<message to="alice@sen1.test" type="normal"><quoalise xmlns="urn:quoalise:0"><data>' +
          '<meta><device type="electricity-meter" identifier="30001610071843"/></meta>' +
          `<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="${IDENTIFIER}" u="W" v="1234" t="1638313200"/></sensml>` +
          '</data></quoalise></message>',
      );
      assert.equal(quoaliseMessage('a@b', PACK, undefined, 'chat').attrs.type, 'chat');
    });

    it('always writes <meta>, which the reference reader requires', () => {
      assert.equal(
        quoaliseDataElement([]).toString(),
        '<quoalise xmlns="urn:quoalise:0"><data><meta/><sensml xmlns="urn:ietf:params:xml:ns:senml"/></data></quoalise>',
      );
    });

    it('round-trips: build, serialise, parse, read gives the same readings and meta', () => {
      const meta = {
        device: { type: 'electricity-meter', identifier: '30001610071843' },
        purpose: 'energy-audit',
      };
      const received = reparse(quoaliseMessage('alice@sen1.test', PACK, meta));
      received.attrs.from = 'proxy@sen2.test/q';
      const parsed = parseQuoaliseMessage(received)!;
      assert.equal(parsed.from, 'proxy@sen2.test/q');
      assert.equal(parsed.to, 'alice@sen1.test');
      assert.equal(parsed.type, 'normal');
      assert.deepEqual(parsed.meta, meta);
      assert.deepEqual(senml.resolve(parsed.records, { now: NOW }), PACK);
    });

    it('reads messages written by the reference implementation, with default or prefixed namespaces', () => {
      for (const xml of [REFERENCE_MESSAGE, REFERENCE_PREFIXED]) {
        const parsed = parseQuoaliseMessage(parse(xml))!;
        assert.equal(parsed.from, 'proxy@sen2.test/quoalise');
        assert.deepEqual((parsed.meta.device as Meta).identifier, '30001610071843');
        assert.deepEqual(senml.resolve(parsed.records, { now: NOW }), PACK);
      }
      assert.equal(
        (parseQuoaliseMessage(parse(REFERENCE_MESSAGE))!.meta.measurement as Meta)[
          'sampling-interval'
        ],
        'PT30M',
      );
    });

    it('answers undefined for messages that carry no Quoalise data, and for error bounces', () => {
      assert.equal(
        parseQuoaliseMessage(parse('<message from="a@b"><body>hello</body></message>')),
        undefined,
      );
      assert.equal(
        parseQuoaliseMessage(
          parse(
            '<message from="a@b"><quoalise xmlns="urn:quoalise:1"><data/></quoalise></message>',
          ),
        ),
        undefined,
      );
      const bounce = reparse(quoaliseMessage('bob@sen2.test', PACK));
      bounce.attrs.type = 'error';
      bounce
        .c('error', { type: 'cancel' })
        .c('service-unavailable', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' });
      assert.equal(parseQuoaliseMessage(bounce), undefined);
      assert.equal(
        parseQuoaliseMessage(parse('<iq type="set"><quoalise xmlns="urn:quoalise:0"/></iq>')),
        undefined,
      );
    });

    it('refuses malformed Quoalise elements with FEDERATION_MALFORMED', () => {
      const msg = (inner: string): Element =>
        parse(`<message from="a@b"><quoalise xmlns="urn:quoalise:0">${inner}</quoalise></message>`);
      const sensml =
        '<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="x" v="1" t="1700000000"/></sensml>';
      throwsCode(
        () => parseQuoaliseMessage(msg('')),
        'FEDERATION_MALFORMED',
        /one <data> element, it holds 0/,
      );
      throwsCode(
        () => parseQuoaliseMessage(msg(`<data>${sensml}</data><data>${sensml}</data>`)),
        'FEDERATION_MALFORMED',
        /it holds 2/,
      );
      throwsCode(
        () => parseQuoaliseMessage(msg('<data><meta/></data>')),
        'FEDERATION_MALFORMED',
        /one <sensml/,
      );
      throwsCode(
        () => parseQuoaliseMessage(msg(`<data><meta/><meta/>${sensml}</data>`)),
        'FEDERATION_MALFORMED',
        /at most one <meta>/,
      );
      assert.throws(
        () =>
          parseQuoaliseMessage(
            msg(
              '<data><sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="x" v="warm"/></sensml></data>',
            ),
          ),
        (err: unknown) =>
          err instanceof FederationError &&
          err.code === 'FEDERATION_MALFORMED' &&
          err.cause instanceof senml.SenmlError &&
          /record 0, field "v"/.test(err.message),
      );
      throwsCode(
        () =>
          parseQuoaliseMessage(
            parse(
              `<message from="a@b"><quoalise xmlns="urn:quoalise:0"><data>${sensml}</data></quoalise><quoalise xmlns="urn:quoalise:0"/></message>`,
            ),
          ),
        'FEDERATION_MALFORMED',
        /holds 2/,
      );
      // Without <meta>, which SenFed reads although the reference reader would not.
      assert.deepEqual(
        parseQuoaliseElement(
          parse(`<quoalise xmlns="urn:quoalise:0"><data>${sensml}</data></quoalise>`),
        ).meta,
        {},
      );
    });

    it('refuses packs that are not resolved with FEDERATION_INPUT', () => {
      throwsCode(
        () => quoaliseDataElement({} as never),
        'FEDERATION_INPUT',
        /list of resolved SenML records/,
      );
      throwsCode(
        () => quoaliseDataElement([{ v: 1 }] as never),
        'FEDERATION_INPUT',
        /record 0 is not a resolved SenML record/,
      );
      throwsCode(
        () => quoaliseDataElement([{ n: 'x', t: 1, vs: 'a\u0000b' }]),
        'FEDERATION_INPUT',
        /cannot be written as SenML XML/,
      );
      throwsCode(
        () => quoaliseMessage('a@b', PACK, undefined, 'headline' as 'chat'),
        'FEDERATION_INPUT',
        /"normal" or "chat"/,
      );
    });
  });

  describe('upstream errors', () => {
    it('writes <upstream-error issuer code/> exactly and reads it back', () => {
      const el = upstreamErrorElement('enedis-data-connect', 'ADAM-ERR0123');
      assert.equal(
        el.toString(),
        '<upstream-error xmlns="urn:quoalise:0" issuer="enedis-data-connect" code="ADAM-ERR0123"/>',
      );
      const iq = parse(
        `<iq type="error" id="1"><error type="cancel"><undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>${el.toString()}</error></iq>`,
      );
      assert.deepEqual(parseUpstreamError(iq), {
        issuer: 'enedis-data-connect',
        code: 'ADAM-ERR0123',
      });
      assert.equal(
        parseUpstreamError(
          parse(
            '<iq type="error"><error type="cancel"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
          ),
        ),
        undefined,
      );
    });
  });

  describe('hostile input: parsers return undefined or throw FederationError', () => {
    const parsers: [string, (x: unknown) => unknown][] = [
      ['parseQuoaliseMessage', parseQuoaliseMessage],
      ['parseQuoaliseElement', parseQuoaliseElement],
      ['parseMeta', parseMeta],
      ['parseUpstreamError', parseUpstreamError],
    ];

    it('on things that are not stanzas, or barely', () => {
      for (const [label, input] of genericNasties())
        for (const [name, fn] of parsers) assertSafe(`${name}(${label})`, () => fn(input));
    });

    it('on every single mutation of valid stanzas', () => {
      const own = reparse(
        quoaliseMessage('alice@sen1.test', PACK, {
          device: { type: 'm', identifier: '1' },
          list: [{ a: '1' }, { a: '2' }],
          note: { '#text': 't' },
        }),
      ).toString();
      let count = 0;
      for (const xml of [
        own,
        REFERENCE_PREFIXED,
        metaElement({ a: '1', b: { c: { d: '2' } } }).toString(),
      ]) {
        for (const [label, mutant] of mutations(xml)) {
          for (const [name, fn] of parsers) {
            assertSafe(`${name}: ${label}`, () => fn(mutant));
            // A Quoalise element nested anywhere: read it directly too.
            const inner = mutant.getChild('quoalise', QUOALISE_NS);
            if (inner) assertSafe(`${name} (inner): ${label}`, () => fn(inner));
            count++;
          }
        }
      }
      assert.ok(count > 200, `only ${count} cases`);
    });

    it('on a hand-built tree without ltx methods', () => {
      const fake = {
        name: 'message',
        attrs: { from: 'a@b' },
        children: [
          {
            name: 'quoalise',
            attrs: { xmlns: QUOALISE_NS },
            children: [
              {
                name: 'data',
                attrs: {},
                children: [
                  {
                    name: 'sensml',
                    attrs: { xmlns: 'urn:ietf:params:xml:ns:senml' },
                    children: [],
                  },
                ],
              },
            ],
          },
        ],
      };
      const { error } = assertSafe('fake tree', () => parseQuoaliseMessage(fake));
      assert.match(error!.message, /not a well-formed ltx tree/);
    });
  });
});
