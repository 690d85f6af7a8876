import assert from 'node:assert/strict';
import { senml } from '../../../lib';

const now = (): number => 1_700_000_000;
const NS = 'urn:ietf:params:xml:ns:senml';

function rejects(xml: string, code: string, pattern: RegExp): void {
  assert.throws(
    () => senml.decode(xml, { now, format: 'xml' }),
    (err: unknown) =>
      err instanceof senml.SenmlError && err.code === code && pattern.test(err.message),
  );
}

describe('SenML XML (RFC 8428 §7)', () => {
  it('accepts a prefixed namespace, self-closing records, an XML declaration, comments and a BOM', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
      <!-- buoy 7 --><s:sensml xmlns:s="${NS}"><s:senml bn="buoy7:" n="temp" u="Cel" v="18.5" t="1700000000"/></s:sensml>`;
    assert.deepEqual(senml.decode(xml, { now }), [
      { n: 'buoy7:temp', u: 'Cel', v: 18.5, t: 1700000000 },
    ]);
  });

  it('reads booleans as xsd:boolean (true, false, 1, 0) and versions as integers', () => {
    const xml = `<sensml xmlns="${NS}"><senml bver="10" bn="d:" n="a" vb="1"/><senml n="b" vb="false"/></sensml>`;
    assert.deepEqual(
      senml.decode(xml, { now }).map((r) => r.vb),
      [true, false],
    );
  });

  it('unescapes entities and character references in attribute values', () => {
    const xml = `<sensml xmlns="${NS}"><senml n="x" vs="a&amp;b &lt;c&gt; &quot;d&quot; &#233;&#x20AC;"/></sensml>`;
    assert.equal(senml.decode(xml, { now })[0].vs, 'a&b <c> "d" é€');
  });

  it('keeps extension attributes as text and ignores attributes of other namespaces', () => {
    const xml = `<sensml xmlns="${NS}" xmlns:o="urn:other"><senml n="x" v="1" quality="good" o:note="ignored"/></sensml>`;
    const [record] = senml.decode(xml, { now });
    assert.equal(record.quality, 'good');
    assert.equal(
      Object.keys(record).some((k) => k.includes('note')),
      false,
    );
  });

  it('rejects the wrong namespace or a missing one', () => {
    rejects(
      '<sensml><senml n="x" v="1"/></sensml>',
      'SENML_SHAPE',
      /namespace urn:ietf:params:xml:ns:senml.*without namespace/,
    );
    rejects(
      '<sensml xmlns="urn:wrong"><senml n="x" v="1"/></sensml>',
      'SENML_SHAPE',
      /in urn:wrong/,
    );
    rejects(
      `<sensml xmlns="${NS}"><senml xmlns="urn:wrong" n="x" v="1"/></sensml>`,
      'SENML_SHAPE',
      /element 0 must be <senml>/,
    );
  });

  it('names the record and field of a badly typed attribute', () => {
    rejects(
      `<sensml xmlns="${NS}"><senml n="a" v="1"/><senml n="b" v="twelve"/></sensml>`,
      'SENML_TYPE',
      /record 1, field "v": must be a number/,
    );
    rejects(
      `<sensml xmlns="${NS}"><senml n="a" vb="yes"/></sensml>`,
      'SENML_TYPE',
      /field "vb": must be true or false/,
    );
    rejects(
      `<sensml xmlns="${NS}"><senml bver="ten" n="a" v="1"/></sensml>`,
      'SENML_TYPE',
      /field "bver": must be a whole number/,
    );
  });

  describe('hostile and broken documents: a clear error, never a crash or a hang', () => {
    it('refuses a DTD, so no entity can expand (billion laughs, external entities)', () => {
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <sensml xmlns="${NS}"><senml n="x" vs="&lol2;"/></sensml>`;
      rejects(laughs, 'SENML_SYNTAX', /DTD/);
      const external = `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sensml xmlns="${NS}"><senml n="x" vs="&xxe;"/></sensml>`;
      rejects(external, 'SENML_SYNTAX', /DTD/);
    });

    it('refuses an undefined entity', () => {
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" vs="&xxe;"/></sensml>`,
        'SENML_SYNTAX',
        /entity/i,
      );
    });

    it('refuses unclosed, mismatched and doubled roots', () => {
      rejects(`<sensml xmlns="${NS}"><senml n="x" v="1"/>`, 'SENML_SYNTAX', /ends inside <sensml>/);
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1"></sensml></senml>`,
        'SENML_SYNTAX',
        /<\/sensml> closes <senml>/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1"/></sensml><sensml xmlns="${NS}"/>`,
        'SENML_SYNTAX',
        /after the end of the root/,
      );
    });

    it('refuses text and nested elements where SenML has attributes only', () => {
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1">21.5</senml></sensml>`,
        'SENML_SHAPE',
        /unexpected text "21.5" inside <senml>/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1"><v>2</v></senml></sensml>`,
        'SENML_SHAPE',
        /must be empty/,
      );
    });

    it('refuses what XML 1.0 calls not well-formed: a doubled attribute, "<" in a value, a name that starts with a digit', () => {
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1" v="2"/></sensml>`,
        'SENML_SYNTAX',
        /attribute v appears twice in <senml>/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x<y" v="1"/></sensml>`,
        'SENML_SYNTAX',
        /"<" in the value of attribute n/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml 1n="x" v="1"/></sensml>`,
        'SENML_SYNTAX',
        /attribute name cannot start with "1"/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x"v="1"/></sensml>`,
        'SENML_SYNTAX',
        /no white space before the attribute/,
      );
      rejects(`<sensml xmlns="${NS}"><senml n=x v="1"/></sensml>`, 'SENML_SYNTAX', /not quoted/);
      rejects(`<sensml xmlns="${NS}"><senml n v="1"/></sensml>`, 'SENML_SYNTAX', /has no "="/);
      // Two prefixes for one namespace make the same attribute twice (Namespaces in XML §6.3).
      rejects(
        `<sensml xmlns="${NS}" xmlns:a="urn:o" xmlns:b="urn:o"><senml n="x" v="1" a:q="1" b:q="2"/></sensml>`,
        'SENML_SYNTAX',
        /two attributes of <senml> are q in urn:o/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" v="1" p:q="1"/></sensml>`,
        'SENML_SYNTAX',
        /prefix p of p:q is not declared/,
      );
      rejects(
        `<sensml xmlns="${NS}"><!-- a -- b --><senml n="x" v="1"/></sensml>`,
        'SENML_SYNTAX',
        /"--" inside a comment/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" vs="&#0;"/></sensml>`,
        'SENML_SYNTAX',
        /names a character that XML forbids/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" vs="\u0001"/></sensml>`,
        'SENML_SYNTAX',
        /character that XML forbids \(U\+0001\)/,
      );
      rejects(
        `<sensml xmlns="${NS}"><senml n="x" vs="a & b"/></sensml>`,
        'SENML_SYNTAX',
        /"&" that starts no reference|entity/,
      );
      rejects(
        `<?xml version="1.0" encoding="ISO-8859-1"?><sensml xmlns="${NS}"><senml n="x" v="1"/></sensml>`,
        'SENML_SYNTAX',
        /encoding ISO-8859-1/,
      );
      rejects(
        `<sensml xmlns="${NS}"><?xml version="1.0"?><senml n="x" v="1"/></sensml>`,
        'SENML_SYNTAX',
        /XML declaration that is not at the very start/,
      );
    });

    it('normalises attribute values as XML 1.0 §3.3.3 says: a literal tab or line end reads as a space, a reference as itself', () => {
      const xml = `<sensml xmlns="${NS}"><senml n="x" vs="a\tb\nc\r\nd\re &#9;&#10;&#13;" v2="1"/></sensml>`;
      const [record] = senml.decode(xml, { now });
      assert.equal(record.vs, 'a b c d e \t\n\r');
      assert.equal(
        senml.decode(`<sensml xmlns="${NS}"><senml n="x" v="\n 21.5\t"/></sensml>`, { now })[0].v,
        21.5,
      );
    });

    it('accepts what XML allows: single quotes, white space around "=", end tags with space, processing instructions, CDATA of white space', () => {
      const xml = `<?xml version='1.0'?><?app hint?><sensml xmlns = '${NS}' ><senml n = 'x' v='1' ></senml ><![CDATA[ ]]><senml n="y" vs="&#x1F30A;"/></sensml >`;
      assert.deepEqual(senml.decode(xml, { now }), [
        { n: 'x', v: 1, t: 1_700_000_000 },
        { n: 'y', vs: '\u{1F30A}', t: 1_700_000_000 },
      ]);
    });

    it('refuses bytes that are not UTF-8', () => {
      const bytes = Buffer.concat([
        Buffer.from(`<sensml xmlns="${NS}"><senml n="x" vs="`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"/></sensml>'),
      ]);
      rejects(bytes as unknown as string, 'SENML_SYNTAX', /not valid UTF-8/);
    });

    it('handles a 5 MB attribute and 50,000 records without trouble', () => {
      const big = 'a'.repeat(5_000_000);
      assert.equal(
        senml.decode(`<sensml xmlns="${NS}"><senml n="x" vs="${big}"/></sensml>`, { now })[0].vs
          ?.length,
        5_000_000,
      );
      const many = `<sensml xmlns="${NS}"><senml bn="d:" bt="1700000000" n="x" v="0"/>${'<senml n="x" v="1"/>'.repeat(49_999)}</sensml>`;
      assert.equal(senml.decode(many, { now }).length, 50_000);
    });
  });

  it('writes text that needs escaping so that it reads back the same', () => {
    const text = `a & b < c > d " e ' f\nline\ttab\r`;
    const pack = [{ n: 'x', vs: text, t: 2 ** 30 }];
    const xml = senml.encode(pack, { format: 'xml' }) as string;
    assert.ok(!xml.includes('\n'), 'line ends are written as references');
    assert.equal(senml.decode(xml, { now })[0].vs, text);
  });

  it('refuses to write text that XML cannot carry', () => {
    assert.throws(
      () => senml.encode([{ n: 'x', vs: 'bell\u0007', t: 2 ** 30 }], { format: 'xml' }),
      /XML cannot carry/,
    );
    assert.throws(
      () => senml.encode([{ n: 'x', v: 1, 'odd name': 'x', t: 2 ** 30 }], { format: 'xml' }),
      /cannot be an XML attribute/,
    );
  });

  it('builds an ltx element for XMPP and reads one back', () => {
    const pack = [
      { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.25, t: 1_700_000_000 },
    ];
    const element = senml.toXmlElement(senml.compact(pack));
    assert.equal(element.getNS(), NS);
    assert.deepEqual(senml.decode(element, { now }), pack);
  });
});
