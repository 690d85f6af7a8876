import { SenmlError, describe } from './errors';
import type { ResolvedPack, ResolvedRecord } from './model';
import { RELATIVE_TIME_LIMIT } from './model';
import { allNameChars, checkName, isValidNameParts } from './names';
import { conversionFor, convertValue, isPrimaryUnit, isSecondaryUnit, suggestUnit } from './units';
import { recordError, validatePack } from './validate';
import { BASE_VERSION, FEATURE_SECONDARY_UNITS, checkVersion, hasFeature } from './versions';

export interface ResolveOptions {
  /** Seconds since the epoch that relative times are counted from (RFC 8428 §4.5.3). Default: the system clock. */
  now?: () => number;
  /** 'absolute' (default) turns relative times into absolute ones; 'keep' leaves bt+t as it is. */
  relativeTimes?: 'absolute' | 'keep';
  /** Convert secondary and NOT RECOMMENDED units into their preferred primary unit. Default false. */
  convertUnits?: boolean;
  /**
   * true (default): any broken record rejects the whole pack.
   * false: records that break a rule are left out and reported through `onSkip`;
   * units outside the registries are accepted. Errors that make the whole pack
   * unusable (version, must-understand fields, not a pack) still reject it.
   */
  strict?: boolean;
  /** Called, in lenient mode, for every record left out. */
  onSkip?: (error: SenmlError) => void;
}

const systemNow = (): number => Date.now() / 1000;
const PACK_FATAL = new Set(['SENML_VERSION', 'SENML_MUST_UNDERSTAND', 'SENML_SHAPE', 'SENML_SYNTAX']);

function requireFinite(value: number, index: number, field: string): number {
  if (Number.isFinite(value)) return value;
  throw new SenmlError('SENML_NUMBER', `${describe(value)} is not a number SenML can carry: values must be finite (see README, "Numbers")`, { index, field });
}

/** Base values in force while walking a pack (RFC 8428 §4.1: they apply until the next record that sets them). */
interface BaseState {
  bn: string;
  bt: number;
  bu: string | undefined;
  bv: number;
  bs: number | undefined;
  version: number;
  /** Version of the first record that produced output, to enforce one version per pack (§4.4). */
  packVersion: number | undefined;
  /**
   * Names already checked under the current base name: n → bn + n (one string
   * shared by all records with it). Only for packs long enough to repeat names.
   */
  names: Map<string, string> | undefined;
  /** The base name alone has passed checkName. */
  bnChecked: boolean;
  /** Whether every character of the base name may appear in a name; undefined until looked at. */
  bnChars: boolean | undefined;
}

/** Names remembered per base name; a pack of all-different names stops caching there. */
const NAME_CACHE_LIMIT = 1024;

/**
 * Resolve a SenML pack (JSON form, as parsed from JSON, CBOR or XML) into resolved
 * records (RFC 8428 §4.6): base values applied, names checked, times absolute, in
 * chronological order.
 */
export function resolve(pack: unknown, options: ResolveOptions = {}): ResolvedPack {
  const strict = options.strict !== false;
  let perRecordCheck = false;
  try {
    validatePack(pack);
  } catch (err) {
    if (strict || (err as SenmlError).index === undefined || PACK_FATAL.has((err as SenmlError).code)) throw err;
    perRecordCheck = true; // lenient: find and drop each bad record below
  }
  const records = pack as Record<string, unknown>[];
  const keepRelative = options.relativeTimes === 'keep';
  const now = keepRelative ? 0 : (options.now ?? systemNow)();
  const base: BaseState = { bn: '', bt: 0, bu: undefined, bv: 0, bs: undefined, version: BASE_VERSION, packVersion: undefined, names: records.length > 32 ? new Map() : undefined, bnChecked: false, bnChars: undefined };
  const convertUnits = options.convertUnits === true;
  // Sized once: a pack of many records would otherwise grow its output array again and again.
  const out: ResolvedPack = new Array(records.length);
  let count = 0;

  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    try {
      if (perRecordCheck) {
        const error = recordError(record, index);
        if (error) throw error;
      }
      const resolved = resolveRecord(record, index, base, now, keepRelative, strict, convertUnits);
      if (resolved) out[count++] = resolved;
    } catch (err) {
      if (strict || !(err instanceof SenmlError) || PACK_FATAL.has(err.code)) throw err;
      options.onSkip?.(err);
    }
  }
  out.length = count;
  return keepRelative ? out : inChronologicalOrder(out);
}

function resolveRecord(
  record: Record<string, unknown>,
  index: number,
  base: BaseState,
  now: number,
  keepRelative: boolean,
  strict: boolean,
  convertUnits: boolean,
): ResolvedRecord | undefined {
  let n: string | undefined;
  let u: string | undefined;
  let t: number | undefined;
  let v: number | undefined;
  let s: number | undefined;
  let ut: number | undefined;
  let vs: string | undefined;
  let vb: boolean | undefined;
  let vd: string | undefined;
  let valueCount = 0;
  let regular = false;
  let extensions: [string, unknown][] | undefined;

  // One pass over the record's own fields; base fields take effect for this record too.
  for (const key in record) {
    const value = record[key];
    switch (key) {
      case 'bn':
        if (value !== base.bn) {
          base.bn = value as string;
          base.bnChecked = false;
          base.bnChars = undefined;
          if (base.names !== undefined && base.names.size > 0) base.names.clear();
        }
        break;
      case 'bt': base.bt = requireFinite(value as number, index, key); break;
      case 'bu': base.bu = value as string; break;
      case 'bv': base.bv = requireFinite(value as number, index, key); break;
      case 'bs': base.bs = requireFinite(value as number, index, key); break;
      case 'bver':
        checkVersion(value as number, index);
        base.version = value as number;
        break;
      case 'n': n = value as string; regular = true; break;
      case 'u': u = value as string; regular = true; break;
      case 't': t = requireFinite(value as number, index, key); regular = true; break;
      case 's': s = requireFinite(value as number, index, key); regular = true; break;
      case 'ut': ut = requireFinite(value as number, index, key); regular = true; break;
      case 'v': v = requireFinite(value as number, index, key); valueCount++; break;
      case 'vs': vs = value as string; valueCount++; break;
      case 'vb': vb = value as boolean; valueCount++; break;
      case 'vd': vd = value as string; valueCount++; break;
      default:
        // Unknown fields are ignored (§4.4). Unknown base fields cannot be resolved
        // without their definition (§4.6), so they are dropped; others are kept.
        if (key.charCodeAt(0) !== 98 /* b */) (extensions ??= []).push([key, value]);
    }
  }

  // A record of base fields only sets context (as in RFC 8428 §5.1.7).
  if (valueCount === 0 && !regular && extensions === undefined) return undefined;

  if (base.packVersion === undefined) base.packVersion = base.version;
  else if (base.version !== base.packVersion) {
    throw new SenmlError('SENML_VERSION', `all records of a pack must have the same version (RFC 8428 §4.4): ${base.version} here, ${base.packVersion} before`, { index, field: 'bver' });
  }

  let name: string;
  if (n === undefined) {
    name = base.bn;
    if (!base.bnChecked) {
      if (!isValidNameParts(name, '')) checkName(name, index);
      base.bnChecked = true;
    }
  } else {
    const known = base.names?.get(n);
    if (known !== undefined) name = known;
    else {
      name = base.bn + n;
      base.bnChars ??= allNameChars(base.bn);
      if (!isValidNameParts(base.bn, n, base.bnChars)) checkName(name, index);
      if (base.names !== undefined && base.names.size < NAME_CACHE_LIMIT) base.names.set(n, name);
    }
  }

  if (valueCount > 1) {
    const present = ['v', 'vs', 'vb', 'vd'].filter((label) => record[label] !== undefined);
    throw new SenmlError('SENML_VALUE', `a record holds exactly one value, this one has ${present.join(' and ')} (RFC 8428 §4.2)`, { index, field: present[1] });
  }
  const sum = s !== undefined || base.bs !== undefined ? (base.bs ?? 0) + (s ?? 0) : undefined;
  if (valueCount === 0 && sum === undefined) {
    throw new SenmlError('SENML_VALUE', `record for ${JSON.stringify(name)} has no value: give it one of v, vs, vb, vd, or a sum s (RFC 8428 §4.2)`, { index });
  }

  let time = base.bt + (t ?? 0);
  // §4.5.3: the 2^28 rule applies to the sum bt + t.
  if (time < RELATIVE_TIME_LIMIT && !keepRelative) time += now;

  let unit = u ?? base.bu;
  let version = base.version;
  let numeric = v === undefined ? undefined : base.bv + v;
  let total = sum;
  if (unit !== undefined) {
    checkUnit(unit, index, u === undefined ? 'bu' : 'u', version, strict);
    const conversion = convertUnits ? conversionFor(unit) : undefined;
    if (conversion) {
      if (numeric !== undefined) numeric = convertValue(numeric, conversion);
      if (total !== undefined) {
        if (conversion.offset !== 0) {
          throw new SenmlError('SENML_UNIT', `a sum in "${unit}" cannot be converted to "${conversion.primary}": the unit has an offset`, { index, field: 's' });
        }
        total = convertValue(total, conversion);
      }
      unit = conversion.primary;
    }
  }
  // Converted, the pack holds primary units only: it no longer needs the Secondary Units feature (RFC 9100 §4).
  if (convertUnits && hasFeature(version, FEATURE_SECONDARY_UNITS)) version -= 2 ** FEATURE_SECONDARY_UNITS;
  // The usual record, n t u v, built whole: V8 then lays out all four fields in the object itself.
  if (unit !== undefined && numeric !== undefined && total === undefined && ut === undefined && version === BASE_VERSION && extensions === undefined) {
    return { n: name, t: time, u: unit, v: numeric };
  }
  const resolved: ResolvedRecord = { n: name, t: time };
  if (unit !== undefined) resolved.u = unit;
  if (numeric !== undefined) resolved.v = numeric;
  else if (vs !== undefined) resolved.vs = vs;
  else if (vb !== undefined) resolved.vb = vb;
  else if (vd !== undefined) resolved.vd = vd;
  if (total !== undefined) resolved.s = total;
  if (ut !== undefined) resolved.ut = ut;
  // §4.6: the version is in every resolved record unless it is 10.
  if (version !== BASE_VERSION) resolved.bver = version;
  if (extensions) for (const [key, value] of extensions) resolved[key] = value;
  return resolved;
}

function checkUnit(unit: string, index: number, field: string, version: number, strict: boolean): void {
  if (isPrimaryUnit(unit) || !strict) return;
  if (isSecondaryUnit(unit)) {
    if (hasFeature(version, FEATURE_SECONDARY_UNITS)) return;
    throw new SenmlError(
      'SENML_UNIT',
      `"${unit}" is a secondary unit (RFC 8798), allowed only in packs of version 26 (bver with the Secondary Units feature, RFC 9100 §4); decode leniently to accept it`,
      { index, field },
    );
  }
  const hint = suggestUnit(unit);
  throw new SenmlError(
    'SENML_UNIT',
    `unit "${unit}" is not in the SenML units registry${hint ? `; did you mean "${hint}"?` : ''} (decode leniently to accept it)`,
    { index, field },
  );
}

/** §4.6: resolved records are in chronological order; keep equal times in pack order. */
function inChronologicalOrder(records: ResolvedPack): ResolvedPack {
  for (let i = 1; i < records.length; i++) {
    if (records[i].t < records[i - 1].t) return records.sort((a, b) => a.t - b.t);
  }
  return records;
}
