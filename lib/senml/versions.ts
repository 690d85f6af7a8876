import { SenmlError } from './errors';

/** SenML version of RFC 8428: feature bits Reserved1 and Reserved3 (RFC 9100 §3). */
export const BASE_VERSION = 10;
/** RFC 9100 §4: feature code 4, "Secondary Units". */
export const FEATURE_SECONDARY_UNITS = 4;
/** Version 26 = 10 + 2^4: base version plus secondary units. */
export const VERSION_WITH_SECONDARY_UNITS = BASE_VERSION + 2 ** FEATURE_SECONDARY_UNITS;

/** Give every record of a pack that uses a secondary unit the version it must have (RFC 9100 §4), unless it has one. */
export function declareSecondaryUnitsFeature(records: { bver?: number }[]): void {
  for (const record of records) record.bver ??= VERSION_WITH_SECONDARY_UNITS;
}

const FEATURE_NAMES: Record<number, string> = { [FEATURE_SECONDARY_UNITS]: 'Secondary Units' };
const IMPLEMENTED_FEATURES = new Set<number>([FEATURE_SECONDARY_UNITS]);

/** Feature codes set in a version bitmap (RFC 9100 §2), the four reserved ones left out. */
export function featureCodes(version: number): number[] {
  const codes: number[] = [];
  // Feature codes run to 52; arithmetic, not bit operators, since they stop at 2^31.
  let rest = Math.floor(version / 16);
  for (let code = 4; rest > 0; code++, rest = Math.floor(rest / 2))
    if (rest % 2 === 1) codes.push(code);
  return codes;
}

export function hasFeature(version: number | undefined, code: number): boolean {
  return version !== undefined && version > BASE_VERSION && featureCodes(version).includes(code);
}

/**
 * Throws unless this implementation may use a pack of this version.
 * Versions up to 10 are the linear versions of RFC 8428 §4.4 (its own example
 * uses 5). Above 10, the number is a feature bitmap (RFC 9100 §2): the four low
 * bits must read 0b1010 and every other feature must be one we implement.
 */
export function checkVersion(version: number, index: number): void {
  const where = { index, field: 'bver' };
  if (!Number.isSafeInteger(version) || version < 1)
    throw new SenmlError('SENML_VERSION_NOT_WHOLE', { version }, where);
  if (version <= BASE_VERSION) return;
  if (version % 16 !== BASE_VERSION) {
    throw new SenmlError(
      'SENML_VERSION_RESERVED_BITS',
      { version, bits: (version % 16).toString(2).padStart(4, '0') },
      where,
    );
  }
  const unknown = featureCodes(version).filter((code) => !IMPLEMENTED_FEATURES.has(code));
  if (unknown.length > 0) {
    // Feature names are the registry's (RFC 9100), proper names that stay as they are in every language.
    const known = [...IMPLEMENTED_FEATURES].map((c) => `${c} ${FEATURE_NAMES[c]}`).join(', ');
    throw new SenmlError(
      unknown.length > 1 ? 'SENML_VERSION_UNKNOWN_FEATURES' : 'SENML_VERSION_UNKNOWN_FEATURE',
      { version, features: unknown.join(', '), known },
      where,
    );
  }
}
