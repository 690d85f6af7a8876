import { SenmlError, describe } from './errors';
import type { ResolvedPack, ResolvedRecord } from './model';
import { type NoteListener, senmlNote } from './notes';
import type { SenmlParams } from './sentences';
import { isPlainObject } from './plain-object';
import { RELATIVE_TIME_LIMIT } from './model';
import { allNameChars, checkName, isValidNameParts } from './names';
import { conversionFor, convertValue, isPrimaryUnit, isSecondaryUnit, suggestUnit } from './units';
import { recordError, validatePack } from './validate';
import {
  BASE_VERSION,
  FEATURE_SECONDARY_UNITS,
  VERSION_WITH_SECONDARY_UNITS,
  checkVersion,
  declareSecondaryUnitsFeature,
  hasFeature,
} from './versions';

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
  /** Called for what was set aside although the pack was used: a field ignored as RFC 8428 §4.4 asks. */
  onNote?: NoteListener;
  /**
   * 'feature' (default): a secondary unit (Wh, kWh, hPa…, RFC 8798) needs the
   * Secondary Units feature in the pack's version (bver 26, RFC 9100 §4); strict
   * mode refuses it otherwise.
   * 'accept': a pack of version 10 that uses one without declaring the feature is
   * taken as version 26 (each resolved record gets bver 26), with one note
   * (SENML_UNDECLARED_SECONDARY_UNIT). Peers do this (the Quoalise reference
   * provider sends Wh without bver), and packs to send are completed this way.
   */
  secondaryUnits?: 'feature' | 'accept';
}

const systemNow = (): number => Date.now() / 1000;
/** Errors that make the whole pack unusable, even in lenient mode; so does any error that names no record. */
const PACK_FATAL = new Set(['SENML_VERSION', 'SENML_MUST_UNDERSTAND']);
const isPackFatal = (err: SenmlError): boolean =>
  err.index === undefined || PACK_FATAL.has(err.code);

function requireFinite(value: number, index: number, field: string): number {
  if (Number.isFinite(value)) return value;
  throw new SenmlError('SENML_NUMBER_NOT_FINITE', { value: String(value) }, { index, field });
}

/** The sentences for a result that left the doubles, by the sum or conversion that made it. */
type Overflow =
  | 'SENML_SUM_OVERFLOW'
  | 'SENML_TIME_OVERFLOW'
  | 'SENML_VALUE_OVERFLOW'
  | 'SENML_CONVERSION_OVERFLOW';

/** A base added to a value, or a unit conversion, must not leave the doubles: Infinity cannot travel in SenML. */
function requireFiniteResult(
  result: number,
  index: number,
  field: string,
  how: Overflow,
  params: SenmlParams,
): number {
  if (Number.isFinite(result)) return result;
  throw new SenmlError(how, params, { index, field });
}

/** 2^28 seconds after the epoch, 1978-07-04: an absolute time cannot be earlier (§4.5.3). */
function earliestAbsoluteTime(time: number, index: number, field: string): never {
  throw new SenmlError(
    'SENML_TIME_BEFORE_1978',
    { time, date: new Date(time * 1000).toISOString() },
    { index, field },
  );
}

/** Base values in force while walking a pack (RFC 8428 §4.1: they apply until the next record that sets them). */
interface BaseState {
  bn: string;
  bt: number;
  bu: string | undefined;
  bv: number;
  bs: number | undefined;
  /** The pack's version: the first record's, or 10 (§4.4: one version for every record of a pack). */
  version: number;
  /** Base Content-Format (RFC 9193 §4): the "ct" of the following records that carry a "vd" and no "ct". */
  bct: string | undefined;
  /**
   * Names already checked under the current base name: n → bn + n (one string
   * shared by all records with it). Only for packs long enough to repeat names.
   */
  names: Map<string, string> | undefined;
  /** The base name alone has passed checkName. */
  bnChecked: boolean;
  /** Whether every character of the base name may appear in a name; undefined until looked at. */
  bnChars: boolean | undefined;
  /** ResolveOptions.secondaryUnits is 'accept'. */
  acceptSecondaryUnits: boolean;
  /** The first secondary unit used without the feature in the version, when accepted. */
  undeclaredSecondary: { unit: string; index: number; field: string } | undefined;
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
    if (strict || !(err instanceof SenmlError) || isPackFatal(err)) throw err;
    perRecordCheck = true; // lenient: find and drop each bad record below
  }
  const records = pack as Record<string, unknown>[];
  const keepRelative = options.relativeTimes === 'keep';
  const now = keepRelative ? 0 : (options.now ?? systemNow)();
  const base: BaseState = {
    bn: '',
    bt: 0,
    bu: undefined,
    bv: 0,
    bs: undefined,
    version: BASE_VERSION,
    bct: undefined,
    names: records.length > 32 ? new Map() : undefined,
    bnChecked: false,
    bnChars: undefined,
    acceptSecondaryUnits: options.secondaryUnits === 'accept',
    undeclaredSecondary: undefined,
  };
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
      const resolved = resolveRecord(
        record,
        index,
        base,
        now,
        keepRelative,
        strict,
        convertUnits,
        options.onNote,
      );
      if (resolved) out[count++] = resolved;
    } catch (err) {
      if (strict || !(err instanceof SenmlError) || isPackFatal(err)) throw err;
      options.onSkip?.(err);
    }
  }
  out.length = count;
  if (base.undeclaredSecondary)
    declareSecondaryUnits(out, base.undeclaredSecondary, convertUnits, options.onNote);
  return keepRelative ? out : inChronologicalOrder(out);
}

/** A pack that uses a secondary unit without saying so in its version, accepted: it becomes what it should have been, version 26. */
function declareSecondaryUnits(
  out: ResolvedPack,
  first: { unit: string; index: number; field: string },
  converted: boolean,
  onNote: NoteListener | undefined,
): void {
  // Converted, the records hold primary units only: no feature is needed (RFC 9100 §4).
  const declared = !converted;
  if (declared) declareSecondaryUnitsFeature(out);
  onNote?.(
    senmlNote(
      declared ? 'SENML_SECONDARY_UNIT_DECLARED' : 'SENML_SECONDARY_UNIT_ACCEPTED',
      { unit: first.unit },
      first,
    ),
  );
}

function resolveRecord(
  record: Record<string, unknown>,
  index: number,
  base: BaseState,
  now: number,
  keepRelative: boolean,
  strict: boolean,
  convertUnits: boolean,
  onNote: NoteListener | undefined,
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
    // A field set to undefined (a record built in JavaScript) is a field not given, as for JSON.stringify and the schema.
    if (value === undefined) continue;
    switch (key) {
      case 'bn':
        if (value !== base.bn) {
          base.bn = value as string;
          base.bnChecked = false;
          base.bnChars = undefined;
          if (base.names !== undefined && base.names.size > 0) base.names.clear();
        }
        break;
      case 'bt':
        base.bt = requireFinite(value as number, index, key);
        break;
      case 'bu':
        base.bu = value as string;
        break;
      case 'bv':
        base.bv = requireFinite(value as number, index, key);
        break;
      case 'bs':
        base.bs = requireFinite(value as number, index, key);
        break;
      case 'bver':
        checkVersion(value as number, index);
        // Every record has the pack's version (§4.4), a record of base fields only as much as any other.
        if (index > 0 && value !== base.version) {
          throw new SenmlError(
            'SENML_VERSION_MIXED',
            { version: String(value), previous: base.version },
            { index, field: 'bver' },
          );
        }
        base.version = value as number;
        break;
      case 'bct':
        base.bct = value as string;
        break;
      case 'n':
        n = value as string;
        regular = true;
        break;
      case 'u':
        u = value as string;
        regular = true;
        break;
      case 't':
        t = requireFinite(value as number, index, key);
        regular = true;
        break;
      case 's':
        s = requireFinite(value as number, index, key);
        regular = true;
        break;
      case 'ut':
        ut = requireFinite(value as number, index, key);
        regular = true;
        break;
      case 'v':
        v = requireFinite(value as number, index, key);
        valueCount++;
        break;
      case 'vs':
        vs = value as string;
        valueCount++;
        break;
      case 'vb':
        vb = value as boolean;
        valueCount++;
        break;
      case 'vd':
        vd = value as string;
        valueCount++;
        break;
      default:
        // Unknown fields are ignored (§4.4): not interpreted. Those of a kind SenML
        // carries (text, number, boolean) are kept on the resolved record; unknown base
        // fields cannot be resolved without their definition (§4.6), so they are
        // dropped, as is what no SenML field can hold (an object, null), with a note.
        if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
          if (typeof value === 'number') requireFinite(value, index, key);
          if (key.charCodeAt(0) !== 98 /* b */) (extensions ??= []).push([key, value]);
        } else {
          onNote?.(
            senmlNote('SENML_FIELD_IGNORED', { got: describe(value) }, { index, field: key }),
          );
        }
    }
  }

  // A record of base fields only sets context (as in RFC 8428 §5.1.7).
  if (valueCount === 0 && !regular && extensions === undefined) {
    // ...unless it is no record at all: a Map, a Set, a tagged CBOR item has no fields to read.
    if (!isPlainObject(record))
      throw new SenmlError('SENML_RECORD_NOT_OBJECT', { got: describe(record) }, { index });
    return undefined;
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
    const where = { index, field: present[1] };
    if (present.length === 2)
      throw new SenmlError('SENML_VALUE_TWO', { first: present[0], second: present[1] }, where);
    throw new SenmlError(
      'SENML_VALUE_MANY',
      { number: present.length, values: present.join(', ') },
      where,
    );
  }
  let sum: number | undefined;
  if (s !== undefined || base.bs !== undefined) {
    sum = (base.bs ?? 0) + (s ?? 0);
    if (!Number.isFinite(sum))
      requireFiniteResult(sum, index, s === undefined ? 'bs' : 's', 'SENML_SUM_OVERFLOW', {
        base: base.bs ?? 0,
        value: s ?? 0,
      });
  }
  if (valueCount === 0 && sum === undefined) {
    throw new SenmlError('SENML_VALUE_MISSING', { name: JSON.stringify(name) }, { index });
  }

  let time = base.bt + (t ?? 0);
  const timeField = t === undefined ? 'bt' : 't';
  if (!Number.isFinite(time))
    requireFiniteResult(time, index, timeField, 'SENML_TIME_OVERFLOW', {
      base: base.bt,
      value: t ?? 0,
    });
  // §4.5.3: the 2^28 rule applies to the sum bt + t.
  if (time < RELATIVE_TIME_LIMIT && !keepRelative) {
    time += now;
    if (time < RELATIVE_TIME_LIMIT) earliestAbsoluteTime(time, index, timeField);
  }

  let unit = u ?? base.bu;
  let version = base.version;
  let numeric: number | undefined;
  if (v !== undefined) {
    numeric = base.bv + v;
    if (!Number.isFinite(numeric))
      requireFiniteResult(numeric, index, 'v', 'SENML_VALUE_OVERFLOW', { base: base.bv, value: v });
  }
  let total = sum;
  if (unit !== undefined) {
    if (
      base.acceptSecondaryUnits &&
      base.undeclaredSecondary === undefined &&
      version === BASE_VERSION &&
      isSecondaryUnit(unit)
    ) {
      base.undeclaredSecondary = { unit, index, field: u === undefined ? 'bu' : 'u' };
    }
    checkUnit(
      unit,
      index,
      u === undefined ? 'bu' : 'u',
      base.undeclaredSecondary ? VERSION_WITH_SECONDARY_UNITS : version,
      strict,
    );
    const conversion = convertUnits ? conversionFor(unit) : undefined;
    if (conversion) {
      if (numeric !== undefined) {
        const from = numeric;
        numeric = convertValue(numeric, conversion);
        if (!Number.isFinite(numeric))
          requireFiniteResult(numeric, index, 'v', 'SENML_CONVERSION_OVERFLOW', {
            value: from,
            unit,
            primary: conversion.primary,
          });
      }
      if (total !== undefined) {
        if (conversion.offset !== 0) {
          throw new SenmlError(
            'SENML_UNIT_SUM_OFFSET',
            { unit, primary: conversion.primary },
            { index, field: 's' },
          );
        }
        const from = total;
        total = convertValue(total, conversion);
        if (!Number.isFinite(total))
          requireFiniteResult(total, index, 's', 'SENML_CONVERSION_OVERFLOW', {
            value: from,
            unit,
            primary: conversion.primary,
          });
      }
      unit = conversion.primary;
    }
  }
  // Converted, the pack holds primary units only: it no longer needs the Secondary Units feature (RFC 9100 §4).
  if (convertUnits && hasFeature(version, FEATURE_SECONDARY_UNITS))
    version -= 2 ** FEATURE_SECONDARY_UNITS;
  // The usual record, n t u v, built whole: V8 then lays out all four fields in the object itself.
  // RFC 9193 §4: a base Content-Format applies to records with a data value and no "ct" of their own.
  if (vd !== undefined && base.bct !== undefined && record.ct === undefined)
    (extensions ??= []).push(['ct', base.bct]);
  if (
    unit !== undefined &&
    numeric !== undefined &&
    total === undefined &&
    ut === undefined &&
    version === BASE_VERSION &&
    extensions === undefined
  ) {
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
  // ("__proto__" never gets here: it ends in "_", a must-understand field refused by validation.)
  if (extensions) for (const [key, value] of extensions) resolved[key] = value;
  return resolved;
}

function checkUnit(
  unit: string,
  index: number,
  field: string,
  version: number,
  strict: boolean,
): void {
  if (isPrimaryUnit(unit) || !strict) return;
  if (isSecondaryUnit(unit)) {
    if (hasFeature(version, FEATURE_SECONDARY_UNITS)) return;
    throw new SenmlError('SENML_UNIT_SECONDARY', { unit }, { index, field });
  }
  const suggestion = suggestUnit(unit);
  if (suggestion)
    throw new SenmlError(
      'SENML_UNIT_UNREGISTERED_SUGGESTION',
      { unit, suggestion },
      { index, field },
    );
  throw new SenmlError('SENML_UNIT_UNREGISTERED', { unit }, { index, field });
}

/** §4.6: resolved records are in chronological order; keep equal times in pack order. */
function inChronologicalOrder(records: ResolvedPack): ResolvedPack {
  for (let i = 1; i < records.length; i++) {
    if (records[i].t < records[i - 1].t) return records.sort((a, b) => a.t - b.t);
  }
  return records;
}
