/**
 * SenML units as SensorThings `unitOfMeasurement` (STA 1.1 §8.2.4, Datastream):
 * a name, a UCUM symbol (The Unified Code for Units of Measure, case-sensitive
 * form) and a definition URL, for every unit of the SenML Units registry
 * (RFC 8428 §12.1, RFC 8798 §2) and of the Secondary Units registry
 * (RFC 8798 §3) that lib/senml/units.ts knows.
 *
 * Most SenML symbols are UCUM codes already. Where they are not, the UCUM code
 * of the same unit is given: B (byte) is By in UCUM, where B is the bel; count
 * and beats are dimensionless counts, {count} and {beat}; "/" and "%" (a ratio,
 * not a percentage, RFC 8428 §12.1 Note 2) are 1; /100 is %, /1000 [ppth], ppm
 * [ppm], ppt [pptr]; pH is [pH]; dBW is dB[W], Bspl B[SPL]; lat and lon are
 * degrees; VA and var have no UCUM atom and are written V.A and V.A{reactive}.
 * UCUM has no level relative to a milliwatt (it has B[W] and B[kW]): dBm is
 * written dB{mW}, the decibel annotated, which UCUM programs read as dB.
 *
 * The definition is the IANA registry that defines the SenML unit: the SenML
 * Units registry for primary units, the Secondary Units registry for the others.
 */
import { PRIMARY_UNITS, SECONDARY_UNITS } from '../senml/units';
import type { UnitOfMeasurement } from './model';

export const SENML_UNITS_REGISTRY =
  'https://www.iana.org/assignments/senml/senml.xhtml#senml-units';
export const SECONDARY_UNITS_REGISTRY =
  'https://www.iana.org/assignments/senml/senml.xhtml#secondary-units';

/** [SenML symbol, UCUM code, name]: the name where the registry's description is not one. */
const UCUM: ReadonlyArray<readonly [string, string, string?]> = [
  // RFC 8428 §12.1
  ['m', 'm'],
  ['kg', 'kg'],
  ['g', 'g'],
  ['s', 's'],
  ['A', 'A'],
  ['K', 'K'],
  ['cd', 'cd'],
  ['mol', 'mol'],
  ['Hz', 'Hz'],
  ['rad', 'rad'],
  ['sr', 'sr'],
  ['N', 'N'],
  ['Pa', 'Pa'],
  ['J', 'J'],
  ['W', 'W'],
  ['C', 'C'],
  ['V', 'V'],
  ['F', 'F'],
  ['Ohm', 'Ohm'],
  ['S', 'S'],
  ['Wb', 'Wb'],
  ['T', 'T'],
  ['H', 'H'],
  ['Cel', 'Cel', 'degree Celsius'],
  ['lm', 'lm'],
  ['lx', 'lx'],
  ['Bq', 'Bq'],
  ['Gy', 'Gy'],
  ['Sv', 'Sv'],
  ['kat', 'kat'],
  ['m2', 'm2', 'square meter'],
  ['m3', 'm3', 'cubic meter'],
  ['l', 'l', 'liter'],
  ['m/s', 'm/s', 'meter per second'],
  ['m/s2', 'm/s2', 'meter per square second'],
  ['m3/s', 'm3/s', 'cubic meter per second'],
  ['l/s', 'l/s', 'liter per second'],
  ['W/m2', 'W/m2', 'watt per square meter'],
  ['cd/m2', 'cd/m2', 'candela per square meter'],
  ['bit', 'bit', 'bit'],
  ['bit/s', 'bit/s', 'bit per second'],
  ['lat', 'deg', 'degree latitude'],
  ['lon', 'deg', 'degree longitude'],
  ['pH', '[pH]', 'pH'],
  ['dB', 'dB', 'decibel'],
  ['dBW', 'dB[W]', 'decibel relative to 1 W'],
  ['Bspl', 'B[SPL]', 'bel (sound pressure level)'],
  ['count', '{count}', 'count'],
  ['/', '1', 'ratio'],
  ['%', '1', 'ratio'],
  ['%RH', '%', 'percent (relative humidity)'],
  ['%EL', '%', 'percent (remaining battery energy level)'],
  ['EL', 's', 'second (remaining battery energy level)'],
  ['1/s', '1/s', 'per second'],
  ['1/min', '1/min', 'per minute'],
  ['beat/min', '{beat}/min', 'beats per minute'],
  ['beats', '{beat}', 'beats'],
  ['S/m', 'S/m', 'siemens per meter'],
  // RFC 8798 §2
  ['B', 'By', 'byte'],
  ['VA', 'V.A', 'volt-ampere'],
  ['VAs', 'V.A.s', 'volt-ampere second'],
  ['var', 'V.A{reactive}', 'volt-ampere reactive'],
  ['vars', 'V.A{reactive}.s', 'volt-ampere reactive second'],
  ['J/m', 'J/m', 'joule per meter'],
  ['kg/m3', 'kg/m3', 'kilogram per cubic meter'],
  ['deg', 'deg', 'degree'],
  // Registered 2021-02-18 (ISO 7027-1:2016)
  ['NTU', '[NTU]'],
  // RFC 8798 §3 (secondary units)
  ['ms', 'ms'],
  ['min', 'min'],
  ['h', 'h'],
  ['MHz', 'MHz'],
  ['kW', 'kW'],
  ['kVA', 'kV.A'],
  ['kvar', 'kV.A{reactive}'],
  ['Ah', 'A.h'],
  ['Wh', 'W.h'],
  ['kWh', 'kW.h'],
  ['varh', 'V.A{reactive}.h'],
  ['kvarh', 'kV.A{reactive}.h'],
  ['kVAh', 'kV.A.h'],
  ['Wh/km', 'W.h/km'],
  ['KiB', 'KiBy'],
  ['GB', 'GBy'],
  ['Mbit/s', 'Mbit/s'],
  ['B/s', 'By/s'],
  ['MB/s', 'MBy/s'],
  ['mV', 'mV'],
  ['mA', 'mA'],
  ['dBm', 'dB{mW}', 'decibel relative to 1 mW'],
  ['ug/m3', 'ug/m3'],
  ['mm/h', 'mm/h'],
  ['m/h', 'm/h'],
  ['ppm', '[ppm]'],
  ['/100', '%'],
  ['/1000', '[ppth]'],
  ['hPa', 'hPa'],
  ['mm', 'mm'],
  ['cm', 'cm'],
  ['km', 'km'],
  ['km/h', 'km/h'],
  // Registered 2021-02-18 (IETF CoRE working group)
  ['ppb', '[ppb]'],
  ['ppt', '[pptr]'],
  ['VAh', 'V.A.h'],
  ['mg/l', 'mg/l'],
  ['ug/l', 'ug/l'],
  ['g/l', 'g/l'],
];

/**
 * UCUM's special units (a function, not a factor, from the base units): they
 * cannot be multiplied by another unit, so the sum of their values has no UCUM code.
 */
const SPECIAL = new Set(['Cel', '[pH]', 'dB', 'dB[W]', 'B[SPL]', 'dB{mW}']);

const UNITS: ReadonlyMap<string, UnitOfMeasurement> = new Map(
  UCUM.map(([senml, symbol, name]): [string, UnitOfMeasurement] => {
    const primary = PRIMARY_UNITS.get(senml);
    const description = primary?.description ?? SECONDARY_UNITS.get(senml)?.description ?? senml;
    return [
      senml,
      {
        name: name ?? description,
        symbol,
        definition: primary ? SENML_UNITS_REGISTRY : SECONDARY_UNITS_REGISTRY,
      },
    ];
  }),
);

/** The SenML units the table covers, in registry order. */
export const MAPPED_UNITS: readonly string[] = UCUM.map(([senml]) => senml);

/** A record without a unit: STA allows the three members null. */
export const NO_UNIT: UnitOfMeasurement = Object.freeze({
  name: null,
  symbol: null,
  definition: null,
});

/** The unitOfMeasurement of a SenML unit, or undefined when it is not in the registries. */
export function unitOfMeasurement(senml: string): UnitOfMeasurement | undefined {
  const unit = UNITS.get(senml);
  return unit && { ...unit };
}

/** RFC 8428 §4.2: a sum is "in the unit specified in the Unit value multiplied by seconds". */
export const SUM_DEFINITION = 'https://www.rfc-editor.org/rfc/rfc8428#section-4.2';

/**
 * The unit of a record's sum `s`: its unit times seconds (W gives W.s). A
 * special unit (Cel, dB, pH…) times seconds has no UCUM code: its symbol is null.
 */
export function sumUnitOfMeasurement(unit: UnitOfMeasurement): UnitOfMeasurement {
  if (unit.symbol === null) return { ...NO_UNIT };
  return {
    name: `${unit.name} second`,
    symbol: SPECIAL.has(unit.symbol) ? null : unit.symbol === '1' ? 's' : `${unit.symbol}.s`,
    definition: SUM_DEFINITION,
  };
}
