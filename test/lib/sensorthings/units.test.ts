/**
 * Every unit SenFed knows from the SenML registries has a unitOfMeasurement with
 * a UCUM symbol and a definition, and the symbols where SenML and UCUM differ are
 * UCUM's.
 */
import assert from 'node:assert/strict';
import { PRIMARY_UNITS, SECONDARY_UNITS } from '../../../lib/senml/units';
import {
  MAPPED_UNITS,
  SECONDARY_UNITS_REGISTRY,
  SENML_UNITS_REGISTRY,
  sumUnitOfMeasurement,
  unitOfMeasurement,
} from '../../../lib/sensorthings/units';

/**
 * A small UCUM reader (case-sensitive c/s syntax): terms of components joined by
 * "." and "/", each a number, an annotation, or a prefix + atom + exponent with an
 * optional annotation. The atoms are the ones the table uses, checked against
 * UCUM's ucum-essence.xml (metric ones take prefixes).
 */
const METRIC = new Set(
  'm g s A K cd mol Hz rad sr N Pa J W C V F Ohm S Wb T H Cel lm lx Bq Gy Sv kat l L bit By B B[SPL] B[W]'.split(
    ' ',
  ),
);
const NON_METRIC = new Set([
  'deg',
  'min',
  'h',
  '%',
  '[pH]',
  '[ppm]',
  '[ppb]',
  '[pptr]',
  '[ppth]',
  '[NTU]',
]);
const PREFIXES = [
  'Ki',
  'Mi',
  'Gi',
  'Y',
  'Z',
  'E',
  'P',
  'T',
  'G',
  'M',
  'k',
  'h',
  'da',
  'd',
  'c',
  'm',
  'u',
  'n',
  'p',
  'f',
  'a',
  'z',
  'y',
];

function isUcumComponent(text: string): boolean {
  const bare = text.replace(/\{[!-z|~]*\}$/, '');
  if (bare.length === 0) return text.length > 0; // an annotation alone
  if (/^\d+$/.test(bare)) return true;
  const unit = bare.replace(/[+-]?\d+$/, '');
  if (METRIC.has(unit) || NON_METRIC.has(unit)) return true;
  return PREFIXES.some((p) => unit.startsWith(p) && METRIC.has(unit.slice(p.length)));
}

function isUcum(code: string): boolean {
  const components = code.startsWith('/') ? code.slice(1).split(/[./]/) : code.split(/[./]/);
  return components.every(isUcumComponent);
}

describe('sensorthings units: the SenML registries as unitOfMeasurement', () => {
  const all = [...PRIMARY_UNITS.keys(), ...SECONDARY_UNITS.keys()];

  it('cover every SenML unit SenFed knows, and nothing else', () => {
    assert.deepEqual([...MAPPED_UNITS].sort(), [...all].sort());
    assert.equal(new Set(MAPPED_UNITS).size, MAPPED_UNITS.length);
  });

  for (const senml of all)
    it(`${senml}: a name, a UCUM symbol and the registry that defines it`, () => {
      const unit = unitOfMeasurement(senml);
      assert.ok(unit, senml);
      assert.ok(unit.name && unit.name.length > 0);
      assert.ok(unit.symbol, `${senml} has no symbol`);
      assert.ok(isUcum(unit.symbol), `${senml} → ${unit.symbol} is not UCUM`);
      assert.equal(
        unit.definition,
        PRIMARY_UNITS.has(senml) ? SENML_UNITS_REGISTRY : SECONDARY_UNITS_REGISTRY,
      );
      assert.match(unit.definition!, /^https:\/\/www\.iana\.org\/assignments\/senml\//);
    });

  it('uses UCUM codes where SenML symbols differ from them', () => {
    const expected: Record<string, string> = {
      Cel: 'Cel',
      '%RH': '%',
      '%EL': '%',
      count: '{count}',
      '/': '1',
      '%': '1',
      '/100': '%',
      '/1000': '[ppth]',
      ppm: '[ppm]',
      ppb: '[ppb]',
      ppt: '[pptr]',
      B: 'By',
      KiB: 'KiBy',
      'B/s': 'By/s',
      pH: '[pH]',
      dBW: 'dB[W]',
      dBm: 'dB{mW}',
      Bspl: 'B[SPL]',
      lat: 'deg',
      lon: 'deg',
      VA: 'V.A',
      var: 'V.A{reactive}',
      kWh: 'kW.h',
      Ah: 'A.h',
      NTU: '[NTU]',
      beats: '{beat}',
      'beat/min': '{beat}/min',
    };
    for (const [senml, ucum] of Object.entries(expected))
      assert.equal(unitOfMeasurement(senml)?.symbol, ucum, senml);
  });

  it('names units as people say them', () => {
    assert.equal(unitOfMeasurement('Cel')?.name, 'degree Celsius');
    assert.equal(unitOfMeasurement('%RH')?.name, 'percent (relative humidity)');
    assert.equal(unitOfMeasurement('hPa')?.name, 'hectopascal');
  });

  it('knows no unit outside the registries', () => {
    assert.equal(unitOfMeasurement('degC'), undefined);
    assert.equal(unitOfMeasurement('cel'), undefined, 'UCUM and SenML are case-sensitive');
  });

  it('hands out copies: changing one does not change the table', () => {
    unitOfMeasurement('V')!.symbol = 'changed';
    assert.equal(unitOfMeasurement('V')?.symbol, 'V');
  });

  it('gives sums their unit times seconds, in UCUM where UCUM can say it', () => {
    const sum = (u: string) => sumUnitOfMeasurement(unitOfMeasurement(u)!).symbol;
    assert.equal(sum('W'), 'W.s');
    assert.equal(sum('m/s'), 'm/s.s');
    assert.equal(sum('/'), 's');
    assert.equal(sum('Cel'), null, 'a special unit cannot be multiplied');
    assert.equal(sum('dBm'), null);
    for (const u of MAPPED_UNITS) {
      const symbol = sum(u);
      if (symbol !== null) assert.ok(isUcum(symbol), `${u} sum → ${symbol}`);
    }
  });

  it('the UCUM reader of this test refuses what is not UCUM', () => {
    for (const bad of ['B/s2x', 'degC', 'kdeg', 'count', '%RH', 'dBm', 'VA', 'var'])
      assert.equal(isUcum(bad), false, bad);
  });
});
