/**
 * Every example of RFC 8428 §5.1, §6 and §7, decoded and resolved. Expected
 * resolved forms are worked out from the RFC's rules (§4.1-§4.6) by hand; §5.1.4
 * is the RFC's own resolved form of §5.1.3.
 */
import assert from 'node:assert/strict';
import { senml } from '../../../lib';
import { assertRecordsEqual } from '../../support/approx';

const NOW = 1_700_000_000; // injected clock for relative times (§4.5.3)
const now = (): number => NOW;
const decode = (input: unknown, options: senml.DecodeOptions = {}): senml.ResolvedPack =>
  senml.decode(input, { now, ...options });

describe('RFC 8428 examples', () => {
  it('§5.1.1 single data point: no time means "now"', () => {
    const pack = '[{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}]';
    assertRecordsEqual(decode(pack), [
      { n: 'urn:dev:ow:10e2073a01080063', u: 'Cel', v: 23.1, t: NOW },
    ]);
  });

  it('§5.1.2 multiple data points: base name concatenated', () => {
    const pack = `[
      {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
      {"n":"current","u":"A","v":1.2}]`;
    assertRecordsEqual(decode(pack), [
      { n: 'urn:dev:ow:10e2073a01080063:voltage', u: 'V', v: 120.1, t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:current', u: 'A', v: 1.2, t: NOW },
    ]);
  });

  // §5.1.2 second example; the same data is the CBOR example of §6 and the XML example of §7.
  const T0 = 1276020076.001;
  const currentAt = (offset: number, v: number): Record<string, unknown> => ({
    n: 'urn:dev:ow:10e2073a0108006:current',
    u: 'A',
    v,
    t: T0 + offset,
    bver: 5,
  });
  const expected512 = [
    currentAt(-5, 1.2),
    currentAt(-4, 1.3),
    currentAt(-3, 1.4),
    currentAt(-2, 1.5),
    currentAt(-1, 1.6),
    // the same instant keeps pack order: voltage came first
    { n: 'urn:dev:ow:10e2073a0108006:voltage', u: 'V', v: 120.1, t: T0, bver: 5 },
    currentAt(0, 1.7),
  ];

  it('§5.1.2 base time, base unit, version 5, negative times; resolved in chronological order with the version kept (§4.6)', () => {
    const pack = `[
      {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
       "bu":"A","bver":5,
       "n":"voltage","u":"V","v":120.1},
      {"n":"current","t":-5,"v":1.2},
      {"n":"current","t":-4,"v":1.3},
      {"n":"current","t":-3,"v":1.4},
      {"n":"current","t":-2,"v":1.5},
      {"n":"current","t":-1,"v":1.6},
      {"n":"current","v":1.7}]`;
    assertRecordsEqual(decode(pack), expected512);
  });

  it('§5.1.2 SensML stream: records without a name take the base name', () => {
    const values = [21.2, 21.3, 21.4, 21.4, 21.5, 21.5, 21.5, 21.6, 21.7];
    const pack = [
      { bn: 'urn:dev:ow:10e2073a01080063', bt: 1.320067464e9, bu: '%RH', v: values[0] },
      ...values.slice(1).map((v, i) => ({ t: (i + 1) * 10, v })),
    ];
    assertRecordsEqual(
      decode(JSON.stringify(pack)),
      values.map((v, i) => ({
        n: 'urn:dev:ow:10e2073a01080063',
        u: '%RH',
        v,
        t: 1320067464 + i * 10,
      })),
    );
  });

  it('§5.1.3 multiple measurements resolve to §5.1.4 exactly', () => {
    const pack = `[
      {"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,
       "bu":"%RH","v":20},
      {"u":"lon","v":24.30621},
      {"u":"lat","v":60.07965},
      {"t":60,"v":20.3},
      {"u":"lon","t":60,"v":24.30622},
      {"u":"lat","t":60,"v":60.07965},
      {"t":120,"v":20.7},
      {"u":"lon","t":120,"v":24.30623},
      {"u":"lat","t":120,"v":60.07966},
      {"u":"%EL","t":150,"v":98},
      {"t":180,"v":21.2},
      {"u":"lon","t":180,"v":24.30628},
      {"u":"lat","t":180,"v":60.07967}]`;
    const rfc514 = `[
      {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067464e+09,
       "v":20},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067464e+09,
       "v":24.30621},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067464e+09,
       "v":60.07965},
      {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067524e+09,
       "v":20.3},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067524e+09,
       "v":24.30622},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067524e+09,
       "v":60.07965},
      {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067584e+09,
       "v":20.7},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067584e+09,
       "v":24.30623},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067584e+09,
       "v":60.07966},
      {"n":"urn:dev:ow:10e2073a01080063","u":"%EL","t":1.320067614e+09,
       "v":98},
      {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067644e+09,
       "v":21.2},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067644e+09,
       "v":24.30628},
      {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067644e+09,
       "v":60.07967}]`;
    assert.deepEqual(decode(pack), JSON.parse(rfc514));
    // §5.1.4 is itself a valid pack that resolves to itself.
    assert.deepEqual(decode(rfc514), JSON.parse(rfc514));
  });

  it('§5.1.5 multiple data types', () => {
    const pack = `[
      {"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
      {"n":"label","vs":"Machine Room"},
      {"n":"open","vb":false},
      {"n":"nfv-reader","vd":"aGkgCg"}]`;
    assertRecordsEqual(decode(pack), [
      { n: 'urn:dev:ow:10e2073a01080063:temp', u: 'Cel', v: 23.1, t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:label', vs: 'Machine Room', t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:open', vb: false, t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:nfv-reader', vd: 'aGkgCg', t: NOW },
    ]);
  });

  it('§5.1.6 collection of resources: a later base name, the first base time', () => {
    const pack = `[
      {"bn":"2001:db8::2/","bt":1.320078429e+09,
       "n":"temperature","u":"Cel","v":25.2},
      {"n":"humidity","u":"%RH","v":30},
      {"bn":"2001:db8::1/","n":"temperature","u":"Cel","v":12.3},
      {"n":"humidity","u":"%RH","v":67}]`;
    const t = 1320078429;
    assertRecordsEqual(decode(pack), [
      { n: '2001:db8::2/temperature', u: 'Cel', v: 25.2, t },
      { n: '2001:db8::2/humidity', u: '%RH', v: 30, t },
      { n: '2001:db8::1/temperature', u: 'Cel', v: 12.3, t },
      { n: '2001:db8::1/humidity', u: '%RH', v: 67, t },
    ]);
  });

  it('§5.1.7 setting an actuator: a record holding only a base name is accepted', () => {
    const pack = `[
      {"bn":"urn:dev:ow:10e2073a01080063:"},
      {"n":"temp","u":"Cel","v":23.1},
      {"n":"heat","u":"/","v":1},
      {"n":"fan","u":"/","v":0}]`;
    assertRecordsEqual(decode(pack), [
      { n: 'urn:dev:ow:10e2073a01080063:temp', u: 'Cel', v: 23.1, t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:heat', u: '/', v: 1, t: NOW },
      { n: 'urn:dev:ow:10e2073a01080063:fan', u: '/', v: 0, t: NOW },
    ]);
  });

  it('§5.1.7 two lights on at an absolute time, base unit applied', () => {
    const pack = `[
      {"bt":1.320078429e+09,"bu":"/","n":"2001:db8::3","v":1},
      {"n":"2001:db8::4","v":1}]`;
    assertRecordsEqual(decode(pack), [
      { n: '2001:db8::3', u: '/', v: 1, t: 1320078429 },
      { n: '2001:db8::4', u: '/', v: 1, t: 1320078429 },
    ]);
  });

  it('§5.1.7 two lights dimmed now and off 100 ms later', () => {
    const pack = `[
      {"bt":1.320078429e+09,"bu":"/","n":"2001:db8::3","v":0.5},
      {"n":"2001:db8::4","v":0.5},
      {"n":"2001:db8::3","t":0.1,"v":0},
      {"n":"2001:db8::4","t":0.1,"v":0}]`;
    assertRecordsEqual(decode(pack), [
      { n: '2001:db8::3', u: '/', v: 0.5, t: 1320078429 },
      { n: '2001:db8::4', u: '/', v: 0.5, t: 1320078429 },
      { n: '2001:db8::3', u: '/', v: 0, t: 1320078429.1 },
      { n: '2001:db8::4', u: '/', v: 0, t: 1320078429.1 },
    ]);
  });

  it('§6 CBOR: the RFC hex dump decodes to the §5.1.2 data', () => {
    const dump = `
      87 a7 21 78 1b 75 72 6e 3a 64 65 76 3a 6f 77 3a
      31 30 65 32 30 37 33 61 30 31 30 38 30 30 36 3a
      22 fb 41 d3 03 a1 5b 00 10 62 23 61 41 20 05 00
      67 76 6f 6c 74 61 67 65 01 61 56 02 fb 40 5e 06
      66 66 66 66 66 a3 00 67 63 75 72 72 65 6e 74 06
      24 02 fb 3f f3 33 33 33 33 33 33 a3 00 67 63 75
      72 72 65 6e 74 06 23 02 fb 3f f4 cc cc cc cc cc
      cd a3 00 67 63 75 72 72 65 6e 74 06 22 02 fb 3f
      f6 66 66 66 66 66 66 a3 00 67 63 75 72 72 65 6e
      74 06 21 02 f9 3e 00 a3 00 67 63 75 72 72 65 6e
      74 06 20 02 fb 3f f9 99 99 99 99 99 9a a3 00 67
      63 75 72 72 65 6e 74 06 00 02 fb 3f fb 33 33 33
      33 33 33`;
    const bytes = Buffer.from(dump.replace(/\s+/g, ''), 'hex');
    assert.equal(bytes.length, 0xc3);
    assert.equal(senml.detectFormat(bytes), 'cbor');
    assertRecordsEqual(decode(bytes), expected512);
  });

  it('§7 XML: the RFC example decodes to the §5.1.2 data', () => {
    const xml = `<sensml xmlns="urn:ietf:params:xml:ns:senml">
      <senml bn="urn:dev:ow:10e2073a0108006:" bt="1.276020076001e+09"
      bu="A" bver="5" n="voltage" u="V" v="120.1"></senml>
      <senml n="current" t="-5" v="1.2"></senml>
      <senml n="current" t="-4" v="1.3"></senml>
      <senml n="current" t="-3" v="1.4"></senml>
      <senml n="current" t="-2" v="1.5"></senml>
      <senml n="current" t="-1" v="1.6"></senml>
      <senml n="current" v="1.7"></senml>
    </sensml>`;
    assert.equal(senml.detectFormat(xml), 'xml');
    assertRecordsEqual(decode(xml), expected512);
    assertRecordsEqual(decode(Buffer.from(xml)), expected512);
  });
});
