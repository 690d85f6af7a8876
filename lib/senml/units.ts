/**
 * The IANA "SenML Units" registry (RFC 8428 §12.1, RFC 8798 §2) and the
 * "Secondary Units" registry (RFC 8798 §3), with conversion to primary units,
 * as IANA publishes them (https://www.iana.org/assignments/senml, read as last
 * updated 2026-02-02; the units are those of its 2025-03-27 edition, to which no
 * unit was added since). Entries registered after the RFCs carry their source.
 */

export interface PrimaryUnit {
  symbol: string;
  description: string;
  /** Marked with '*' in the registry: NOT RECOMMENDED for producers. */
  notRecommended: boolean;
}

export interface UnitConversion {
  /** The unit converted from. */
  symbol: string;
  description: string;
  /** The SenML (primary) unit converted to. */
  primary: string;
  /** primary = value × scaleNumerator / scaleDenominator + offset (RFC 8798 §3). */
  scaleNumerator: number;
  scaleDenominator: number;
  offset: number;
  /** 'secondary' from RFC 8798 §3; 'preferred' maps a NOT RECOMMENDED primary unit onto the one preferred. */
  kind: 'secondary' | 'preferred';
}

// [symbol, description, not recommended]
const PRIMARY: ReadonlyArray<readonly [string, string, boolean?]> = [
  // RFC 8428 §12.1, Table 6
  ['m', 'meter'],
  ['kg', 'kilogram'],
  ['g', 'gram', true],
  ['s', 'second'],
  ['A', 'ampere'],
  ['K', 'kelvin'],
  ['cd', 'candela'],
  ['mol', 'mole'],
  ['Hz', 'hertz'],
  ['rad', 'radian'],
  ['sr', 'steradian'],
  ['N', 'newton'],
  ['Pa', 'pascal'],
  ['J', 'joule'],
  ['W', 'watt'],
  ['C', 'coulomb'],
  ['V', 'volt'],
  ['F', 'farad'],
  ['Ohm', 'ohm'],
  ['S', 'siemens'],
  ['Wb', 'weber'],
  ['T', 'tesla'],
  ['H', 'henry'],
  ['Cel', 'degrees Celsius'],
  ['lm', 'lumen'],
  ['lx', 'lux'],
  ['Bq', 'becquerel'],
  ['Gy', 'gray'],
  ['Sv', 'sievert'],
  ['kat', 'katal'],
  ['m2', 'square meter (area)'],
  ['m3', 'cubic meter (volume)'],
  ['l', 'liter (volume)', true],
  ['m/s', 'meter per second (velocity)'],
  ['m/s2', 'meter per square second (acceleration)'],
  ['m3/s', 'cubic meter per second (flow rate)'],
  ['l/s', 'liter per second (flow rate)', true],
  ['W/m2', 'watt per square meter (irradiance)'],
  ['cd/m2', 'candela per square meter (luminance)'],
  ['bit', 'bit (information content)'],
  ['bit/s', 'bit per second (data rate)'],
  ['lat', 'degrees latitude'],
  ['lon', 'degrees longitude'],
  ['pH', 'pH value (acidity; logarithmic quantity)'],
  ['dB', 'decibel (logarithmic quantity)'],
  ['dBW', 'decibel relative to 1 W (power level)'],
  ['Bspl', 'bel (sound pressure level; logarithmic quantity)', true],
  ['count', '1 (counter value)'],
  ['/', '1 (ratio, e.g., value of a switch)'],
  ['%', '1 (ratio, e.g., value of a switch; not a percentage)', true],
  ['%RH', 'percentage (relative humidity)'],
  ['%EL', 'percentage (remaining battery energy level)'],
  ['EL', 'seconds (remaining battery energy level)'],
  ['1/s', '1 per second (event rate)'],
  ['1/min', '1 per minute (event rate, "rpm")', true],
  ['beat/min', '1 per minute (heart rate in beats per minute)', true],
  ['beats', '1 (cumulative number of heart beats)', true],
  ['S/m', 'siemens per meter (conductivity)'],
  // RFC 8798 §2, Table 1
  ['B', 'byte (information content)'],
  ['VA', 'volt-ampere (apparent power)'],
  ['VAs', 'volt-ampere second (apparent energy)'],
  ['var', 'volt-ampere reactive (reactive power)'],
  ['vars', 'volt-ampere reactive second (reactive energy)'],
  ['J/m', 'joule per meter (energy per distance)'],
  ['kg/m3', 'kilogram per cubic meter (mass density, mass concentration)'],
  ['deg', 'degree (angle)', true],
  // Registered 2021-02-18, source ISO 7027-1:2016 (water quality: turbidity)
  ['NTU', 'nephelometric turbidity unit'],
];

// [symbol, description, primary, numerator, denominator, offset]; RFC 8798 §3, Table 2.
const SECONDARY: ReadonlyArray<readonly [string, string, string, number, number, number]> = [
  ['ms', 'millisecond', 's', 1, 1000, 0],
  ['min', 'minute', 's', 60, 1, 0],
  ['h', 'hour', 's', 3600, 1, 0],
  ['MHz', 'megahertz', 'Hz', 1000000, 1, 0],
  ['kW', 'kilowatt', 'W', 1000, 1, 0],
  ['kVA', 'kilovolt-ampere', 'VA', 1000, 1, 0],
  ['kvar', 'kilovar', 'var', 1000, 1, 0],
  ['Ah', 'ampere-hour', 'C', 3600, 1, 0],
  ['Wh', 'watt-hour', 'J', 3600, 1, 0],
  ['kWh', 'kilowatt-hour', 'J', 3600000, 1, 0],
  ['varh', 'var-hour', 'vars', 3600, 1, 0],
  ['kvarh', 'kilovar-hour', 'vars', 3600000, 1, 0],
  ['kVAh', 'kilovolt-ampere-hour', 'VAs', 3600000, 1, 0],
  ['Wh/km', 'watt-hour per kilometer', 'J/m', 3.6, 1, 0],
  ['KiB', 'kibibyte', 'B', 1024, 1, 0],
  ['GB', 'gigabyte', 'B', 1e9, 1, 0],
  ['Mbit/s', 'megabit per second', 'bit/s', 1000000, 1, 0],
  ['B/s', 'byte per second', 'bit/s', 8, 1, 0],
  ['MB/s', 'megabyte per second', 'bit/s', 8000000, 1, 0],
  ['mV', 'millivolt', 'V', 1, 1000, 0],
  ['mA', 'milliampere', 'A', 1, 1000, 0],
  ['dBm', 'decibel (milliwatt)', 'dBW', 1, 1, -30],
  ['ug/m3', 'microgram per cubic meter', 'kg/m3', 1, 1e9, 0],
  ['mm/h', 'millimeter per hour', 'm/s', 1, 3600000, 0],
  ['m/h', 'meter per hour', 'm/s', 1, 3600, 0],
  ['ppm', 'parts per million', '/', 1, 1e6, 0],
  ['/100', 'percent', '/', 1, 100, 0],
  ['/1000', 'permille', '/', 1, 1000, 0],
  ['hPa', 'hectopascal', 'Pa', 100, 1, 0],
  ['mm', 'millimeter', 'm', 1, 1000, 0],
  ['cm', 'centimeter', 'm', 1, 100, 0],
  ['km', 'kilometer', 'm', 1000, 1, 0],
  ['km/h', 'kilometer per hour', 'm/s', 1, 3.6, 0],
  // Registered 2021-02-18, source: the IETF CoRE working group's mailing list
  // (https://mailarchive.ietf.org/arch/msg/core/I7u1kV6VXIrU7wjfRhghlTplfxA/): concentrations and apparent energy.
  ['ppb', 'parts per billion', '/', 1, 1e9, 0],
  ['ppt', 'parts per trillion', '/', 1, 1e12, 0],
  ['VAh', 'volt-ampere-hour', 'VAs', 3600, 1, 0],
  ['mg/l', 'milligram per liter', 'kg/m3', 1, 1000, 0],
  ['ug/l', 'microgram per liter', 'kg/m3', 1, 1e6, 0],
  ['g/l', 'gram per liter', 'kg/m3', 1, 1, 0],
];

// NOT RECOMMENDED primary units with an exact preferred unit beside them.
const PREFERRED: ReadonlyArray<readonly [string, string, number, number]> = [
  ['%', '/', 1, 1], // RFC 8428 §12.1 Note 2: the same unit, "/" preferred
  ['g', 'kg', 1, 1000],
  ['l', 'm3', 1, 1000],
  ['l/s', 'm3/s', 1, 1000],
  ['1/min', '1/s', 1, 60],
  ['beat/min', '1/s', 1, 60],
  ['deg', 'rad', Math.PI, 180],
];

export const PRIMARY_UNITS: ReadonlyMap<string, PrimaryUnit> = new Map(
  PRIMARY.map(([symbol, description, notRecommended]) => [
    symbol,
    { symbol, description, notRecommended: notRecommended === true },
  ]),
);

export const SECONDARY_UNITS: ReadonlyMap<string, UnitConversion> = new Map(
  SECONDARY.map(([symbol, description, primary, scaleNumerator, scaleDenominator, offset]) => [
    symbol,
    {
      symbol,
      description,
      primary,
      scaleNumerator,
      scaleDenominator,
      offset,
      kind: 'secondary' as const,
    },
  ]),
);

const CONVERSIONS: ReadonlyMap<string, UnitConversion> = new Map([
  ...SECONDARY_UNITS,
  ...PREFERRED.map(
    ([symbol, primary, scaleNumerator, scaleDenominator]): [string, UnitConversion] => [
      symbol,
      {
        symbol,
        description: PRIMARY_UNITS.get(symbol)!.description,
        primary,
        scaleNumerator,
        scaleDenominator,
        offset: 0,
        kind: 'preferred',
      },
    ],
  ),
]);

export function isPrimaryUnit(symbol: string): boolean {
  return PRIMARY_UNITS.has(symbol);
}

export function isSecondaryUnit(symbol: string): boolean {
  return SECONDARY_UNITS.has(symbol);
}

/** The conversion that turns values in `symbol` into its preferred primary unit, if there is one. */
export function conversionFor(symbol: string): UnitConversion | undefined {
  return CONVERSIONS.get(symbol);
}

/** Apply a conversion to a value: value × scale + offset (RFC 8798 §3). */
export function convertValue(value: number, conversion: UnitConversion): number {
  return (value * conversion.scaleNumerator) / conversion.scaleDenominator + conversion.offset;
}

/** Registered unit symbols that differ from `symbol` only in letter case, for "did you mean". */
export function suggestUnit(symbol: string): string | undefined {
  const lower = symbol.toLowerCase();
  const aliases: Record<string, string> = {
    degc: 'Cel',
    '°c': 'Cel',
    c: 'Cel',
    celsius: 'Cel',
    percent: '/100',
    rh: '%RH',
    v: 'V',
    volt: 'V',
    w: 'W',
    watt: 'W',
  };
  if (aliases[lower]) return aliases[lower];
  for (const known of [...PRIMARY_UNITS.keys(), ...SECONDARY_UNITS.keys()])
    if (known.toLowerCase() === lower) return known;
  return undefined;
}
