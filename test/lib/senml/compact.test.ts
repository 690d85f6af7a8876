import assert from 'node:assert/strict';
import { senml } from '../../../lib';
import { random } from '../../support/random';

const now = (): number => 1_700_000_000;

const DEVICES = [
  'urn:dev:mac:0024befffe804ff1:',
  'urn:dev:mac:0024befffe804ff2:',
  'urn:dev:ow:10e2073a01080063:',
  '2001:db8::2/',
  'buoy',
];
const FIELDS = ['temperature', 'humidity', 'power', 'energy', 'battery', 'state', 'label', ''];
const UNITS = ['Cel', '%RH', 'W', 'J', '%EL', '/', undefined];

function randomPack(seed: number): senml.ResolvedPack {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  // 123456789.123456789 is written with more digits than a double holds, as people write numbers.
  const awkward = [
    0.1 + 0.2,
    1e-300,
    // eslint-disable-next-line no-loss-of-precision
    123456789.123456789,
    -42.5,
    2 ** 53 - 1,
    5e-324,
    1.7976931348623157e308,
    0,
  ];
  const size = 1 + Math.floor(rnd() * 40);
  let t = 1.6e9 + Math.floor(rnd() * 1e8) + (rnd() < 0.5 ? rnd() : 0);
  const pack: senml.ResolvedPack = [];
  for (let i = 0; i < size; i++) {
    if (rnd() < 0.7) t += pick([0, 1, 10, 0.001, 0.1, 3600.5, rnd() * 100]);
    const field = pick(FIELDS);
    const record: senml.ResolvedRecord = { n: pick(DEVICES) + field, t };
    if (record.n.endsWith('/') || record.n.endsWith(':')) record.n += 'x';
    const unit = pick(UNITS);
    if (unit) record.u = unit;
    const kind = rnd();
    if (kind < 0.6) record.v = rnd() < 0.2 ? pick(awkward) : Math.round(rnd() * 10000) / 100;
    else if (kind < 0.7) record.vs = pick(['on', 'off', 'Machine Room', '']);
    else if (kind < 0.8) record.vb = rnd() < 0.5;
    else if (kind < 0.85) record.vd = pick(['aGkgCg', 'AA', '']);
    if (
      rnd() < 0.15 ||
      (record.v === undefined &&
        record.vs === undefined &&
        record.vb === undefined &&
        record.vd === undefined)
    )
      record.s = Math.round(rnd() * 1e6) / 10;
    if (rnd() < 0.1) record.ut = 300;
    pack.push(record);
  }
  return pack;
}

/**
 * Energy-meter packs: sum-only records (counters), sums beside values, runs of equal
 * sums and equal times, a base sum that fits every record, so that compaction has
 * every chance to leave a record with base fields only.
 */
function meterPack(seed: number): senml.ResolvedPack {
  const rnd = random(seed);
  const size = 1 + Math.floor(rnd() * 12);
  const meters = [
    'urn:dev:mac:0024befffe804ff1:energy',
    'urn:dev:mac:0024befffe804ff2:energy',
    'm',
  ];
  const oneMeter = rnd() < 0.6;
  let t = 1.7e9 + Math.floor(rnd() * 1e6);
  let sum = Math.round(rnd() * 1000);
  const pack: senml.ResolvedPack = [];
  for (let i = 0; i < size; i++) {
    if (rnd() < 0.5) t += rnd() < 0.5 ? 0 : 60;
    if (rnd() < 0.4) sum += rnd() < 0.5 ? 1 : 0.5;
    const record: senml.ResolvedRecord = {
      n: oneMeter ? meters[0] : meters[Math.floor(rnd() * meters.length)],
      t,
    };
    if (rnd() < 0.8) record.u = 'J';
    const kind = rnd();
    if (kind < 0.2) record.v = rnd() < 0.5 ? 0 : Math.round(rnd() * 100);
    else if (kind < 0.25) record.vs = 'on';
    else if (kind < 0.3) record.vb = false;
    record.s = rnd() < 0.3 ? 0 : sum;
    pack.push(record);
  }
  return pack;
}

describe('compaction', () => {
  it('keeps sum-only records: two readings of an energy meter decode back as two, in JSON, CBOR and XML', () => {
    const T = 1_700_000_000;
    const pack = [
      { n: 'm', u: 'J', t: T, s: 100 },
      { n: 'm', u: 'J', t: T + 60, s: 101 },
    ];
    for (const format of senml.SENML_FORMATS)
      assert.deepEqual(senml.decode(senml.encode(pack, { format }), { now }), pack, format);
    // Three equal sums at one time: a base sum that fits them all must not leave them empty.
    const same = [0, 1, 2].map(() => ({ n: 'm', u: 'J', t: T, s: 100 }));
    for (const format of senml.SENML_FORMATS)
      assert.equal(senml.decode(senml.encode(same, { format }), { now }).length, 3, format);
  });

  it('compact-then-resolve gives back the same records, in 3,000 energy-meter packs of sums, equal sums and sums beside values', () => {
    let withBaseSum = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const pack = meterPack(seed);
      const compacted = senml.compact(pack);
      if (compacted.some((r) => r.bs !== undefined)) withBaseSum++;
      assert.deepEqual(
        senml.resolve(compacted, { now }),
        senml.resolve(pack, { now }),
        `seed ${seed}: ${JSON.stringify(compacted)}`,
      );
      for (const format of senml.SENML_FORMATS) {
        assert.deepEqual(
          senml.decode(senml.encode(pack, { format }), { now }),
          senml.resolve(pack, { now }),
          `seed ${seed}, ${format}`,
        );
      }
    }
    assert.ok(
      withBaseSum > 100,
      `a base sum was chosen in ${withBaseSum} packs only: the test would not reach the case`,
    );
  });

  it('keeps extension fields whatever their name, "toString", "constructor" and "hasOwnProperty" included', () => {
    const t = 2 ** 30;
    const pack = senml.resolve(
      JSON.parse(
        '[{"n":"a","v":1,"t":1073741824,"toString":"x","constructor":2,"hasOwnProperty":true}]',
      ),
      { now },
    );
    assert.deepEqual(Object.keys(pack[0]).sort(), [
      'constructor',
      'hasOwnProperty',
      'n',
      't',
      'toString',
      'v',
    ]);
    for (const format of senml.SENML_FORMATS) {
      const back = senml.decode(senml.encode(pack, { format }), { now })[0];
      assert.deepEqual(
        [back.toString, back.constructor, back.hasOwnProperty, back.t],
        format === 'xml' ? ['x', '2', 'true', t] : ['x', 2, true, t],
        format,
      );
    }
    // "__proto__" ends in "_": a must-understand field, refused in every format, never a prototype.
    const proto = [{ n: 'a', v: 1, t }];
    Object.defineProperty(proto[0], '__proto__', { value: 'p', enumerable: true });
    for (const format of senml.SENML_FORMATS) {
      const bytes =
        format === 'json'
          ? JSON.stringify(proto)
          : format === 'cbor'
            ? senml.toCbor(proto)
            : senml.toXml(proto);
      assert.throws(
        () => senml.decode(bytes, { now }),
        /"__proto__", a must-understand extension/,
        format,
      );
    }
  });

  it('compact-then-resolve gives back the same records, in 2,000 random packs', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const pack = randomPack(seed);
      const compacted = senml.compact(pack);
      assert.deepEqual(
        senml.resolve(compacted, { now }),
        pack,
        `seed ${seed}: ${JSON.stringify(compacted)}`,
      );
      assert.ok(
        JSON.stringify(compacted).length <= JSON.stringify(pack).length,
        `seed ${seed}: compacted is larger`,
      );
    }
  });

  it('round-trips the same random packs through JSON, CBOR and XML', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const pack = randomPack(seed);
      for (const format of senml.SENML_FORMATS) {
        assert.deepEqual(
          senml.decode(senml.encode(pack, { format }), { now }),
          pack,
          `seed ${seed}, ${format}`,
        );
      }
    }
  });

  it("makes the RFC §5.1.4 resolved pack at least as small as the RFC's own compact form (§5.1.3)", () => {
    const rfc513 = [
      { bn: 'urn:dev:ow:10e2073a01080063', bt: 1.320067464e9, bu: '%RH', v: 20 },
      { u: 'lon', v: 24.30621 },
      { u: 'lat', v: 60.07965 },
      { t: 60, v: 20.3 },
      { u: 'lon', t: 60, v: 24.30622 },
      { u: 'lat', t: 60, v: 60.07965 },
      { t: 120, v: 20.7 },
      { u: 'lon', t: 120, v: 24.30623 },
      { u: 'lat', t: 120, v: 60.07966 },
      { u: '%EL', t: 150, v: 98 },
      { t: 180, v: 21.2 },
      { u: 'lon', t: 180, v: 24.30628 },
      { u: 'lat', t: 180, v: 60.07967 },
    ];
    const resolved = senml.resolve(rfc513, { now });
    const ours = senml.encode(resolved) as string;
    assert.ok(
      ours.length <= JSON.stringify(rfc513).length,
      `${ours.length} > ${JSON.stringify(rfc513).length}: ${ours}`,
    );
    assert.deepEqual(senml.decode(ours, { now }), resolved);
    const cbor = senml.encode(resolved, { format: 'cbor' }) as Buffer;
    assert.ok(cbor.length < ours.length, `CBOR ${cbor.length} bytes`);
  });

  it("shares one base name, one base time and one base unit across a device's records", () => {
    const t = 1_700_000_000;
    const pack = [0, 1, 2].map((i) => ({
      n: `urn:dev:mac:0024befffe804ff1:temperature`,
      u: 'Cel',
      v: 18 + i / 10,
      t: t + i * 60,
    }));
    assert.deepEqual(JSON.parse(senml.encode(pack) as string), [
      { bn: 'urn:dev:mac:0024befffe804ff1:temperature', bt: t, bu: 'Cel', v: 18 },
      { v: 18.1, t: 60 },
      { v: 18.2, t: 120 },
    ]);
  });

  it('never lets a base time turn a relative time absolute: packs with relative times keep them', () => {
    const pack = [
      { n: 'a', v: 1, t: -5 },
      { n: 'b', v: 2, t: 0 },
    ];
    const encoded = JSON.parse(senml.encode(pack) as string);
    assert.equal(
      encoded.some((r: Record<string, unknown>) => 'bt' in r),
      false,
    );
    assert.deepEqual(
      senml.decode(JSON.stringify(encoded), { now }).map((r) => r.t),
      [1_700_000_000 - 5, 1_700_000_000],
    );
  });

  it('writes an empty base name when a run with no common prefix follows a named run', () => {
    const t = 2 ** 30;
    const pack = [
      { n: 'aaaa:x', v: 1, t },
      { n: 'aaaa:y', v: 2, t },
      { n: 'q', v: 3, t },
      { n: 'r', v: 4, t },
    ];
    assert.deepEqual(senml.resolve(senml.compact(pack), { now }), pack);
  });

  it('keeps the version on the first record only, and resolution puts it back on all', () => {
    const pack = [
      { n: 'm:e', u: 'kWh', v: 1, t: 2 ** 30, bver: 26 },
      { n: 'm:p', u: 'kW', v: 2, t: 2 ** 30, bver: 26 },
    ];
    const compacted = senml.compact(pack);
    assert.equal(compacted[0].bver, 26);
    assert.equal(compacted[1].bver, undefined);
    assert.deepEqual(senml.resolve(compacted, { now }), pack);
  });

  it('can avoid base units that records override, for peers that concatenate bu and u', () => {
    const t = 2 ** 30;
    const pack = [
      { n: 'a', u: 'Cel', v: 1, t },
      { n: 'b', u: 'Cel', v: 2, t },
      { n: 'c', u: '%RH', v: 3, t },
    ];
    const plain = senml.compact(pack, { unitOverrides: false });
    assert.equal(
      plain.some((r) => r.bu !== undefined),
      false,
    );
    assert.deepEqual(senml.resolve(plain, { now }), pack);
    const same = senml.compact(pack.slice(0, 2), { unitOverrides: false });
    assert.equal(same[0].bu, 'Cel', 'one unit for all: the base unit is still used');
    assert.equal(
      senml.compact(pack)[0].bu,
      'Cel',
      'by default the most frequent unit is the base unit',
    );
  });

  it('encode without compaction writes the resolved records as they are', () => {
    const pack = [
      { n: 'a:x', u: 'Cel', v: 1, t: 2 ** 30 },
      { n: 'a:y', u: 'Cel', v: 2, t: 2 ** 30 },
    ];
    assert.deepEqual(JSON.parse(senml.encode(pack, { compact: false }) as string), pack);
  });
});
