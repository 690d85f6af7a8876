import type { ResolvedRecord, SenmlRecord } from './model';
import { RELATIVE_TIME_LIMIT } from './model';

/**
 * Compaction: from resolved records, choose base name, time, unit, value and sum
 * so that the pack is small, and so that resolving it gives back exactly the same
 * records (RFC 8428 §4.1: a base field holds until a later record sets it again).
 *
 * Sizes are counted in JSON characters; CBOR follows the same choices. Every base
 * value is checked to round-trip bit for bit in IEEE doubles before it is used.
 */
export interface CompactOptions {
  /**
   * false: a base unit is used only when no record overrides it. For peers that,
   * against RFC 8428 §4.5.2, concatenate "bu" and "u" (the Quoalise reference
   * client does). Default true.
   */
  unitOverrides?: boolean;
}

export function compact(
  records: readonly ResolvedRecord[],
  options: CompactOptions = {},
): SenmlRecord[] {
  const count = records.length;
  const out: SenmlRecord[] = new Array(count);
  if (count === 0) return out;

  // The chosen fields, one array per label, so that each output record is built once, in order.
  const fields: Fields = {
    bn: new Array(count),
    n: new Array(count),
    bt: new Array(count),
    t: new Array(count),
    bu: undefined,
    u: new Array(count),
    bv: new Array(count),
    v: new Array(count),
    bs: new Array(count),
    s: new Array(count),
  };
  compactNames(records, fields);
  compactTimes(records, fields);
  compactUnits(records, fields, options.unitOverrides !== false);
  compactNumbers(records, fields.bv, fields.v, 'v', alwaysWritten);
  // A record with a sum and no value must keep its "s", even at zero from the base sum:
  // without it the record holds base fields only and resolves to nothing (RFC 8428 §4.2, §5.1.7).
  compactNumbers(records, fields.bs, fields.s, 's', (i) => !hasValue(records[i]));

  const version = records[0].bver;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    // Field order of the RFC's examples: base fields, n, u, value, s, t, ut, extensions.
    const ordered: SenmlRecord = {};
    if (i === 0 && version !== undefined) ordered.bver = version;
    if (fields.bn[i] !== undefined) ordered.bn = fields.bn[i];
    if (fields.bt[i] !== undefined) ordered.bt = fields.bt[i];
    if (i === 0 && fields.bu !== undefined) ordered.bu = fields.bu;
    if (fields.bv[i] !== undefined) ordered.bv = fields.bv[i];
    if (fields.bs[i] !== undefined) ordered.bs = fields.bs[i];
    if (fields.n[i] !== undefined) ordered.n = fields.n[i];
    if (fields.u[i] !== undefined) ordered.u = fields.u[i];
    if (fields.v[i] !== undefined) ordered.v = fields.v[i];
    else if (record.vs !== undefined) ordered.vs = record.vs;
    else if (record.vb !== undefined) ordered.vb = record.vb;
    else if (record.vd !== undefined) ordered.vd = record.vd;
    if (fields.s[i] !== undefined) ordered.s = fields.s[i];
    if (fields.t[i] !== undefined) ordered.t = fields.t[i];
    if (record.ut !== undefined) ordered.ut = record.ut;
    for (const key in record) {
      switch (key) {
        case 'n':
        case 't':
        case 'u':
        case 'v':
        case 'vs':
        case 'vb':
        case 'vd':
        case 's':
        case 'ut':
        case 'bver':
          break;
        default:
          // Own fields only: "toString" or "constructor" are extension names like any other.
          if (!Object.prototype.hasOwnProperty.call(ordered, key)) {
            if (key === '__proto__')
              Object.defineProperty(ordered, key, {
                value: record[key],
                enumerable: true,
                writable: true,
                configurable: true,
              });
            else ordered[key] = record[key];
          }
      }
    }
    out[i] = ordered;
  }
  return out;
}

/** Compacted fields by record index; undefined where a record does not carry the field. */
interface Fields {
  bn: (string | undefined)[];
  n: (string | undefined)[];
  bt: (number | undefined)[];
  t: (number | undefined)[];
  /** The base unit, on the first record. */
  bu: string | undefined;
  u: (string | undefined)[];
  bv: (number | undefined)[];
  v: (number | undefined)[];
  bs: (number | undefined)[];
  s: (number | undefined)[];
}

const BASE_NAME_COST = 7; // "bn":"",
const NAME_COST = 6; // "n":"",

function commonPrefixLength(a: string, b: string, limit: number): number {
  let i = 0;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Names: split the pack into runs that share a base name. A run grows while
 * shortening its common prefix costs less than starting a new base name.
 */
function compactNames(records: readonly ResolvedRecord[], fields: Fields): void {
  let start = 0;
  let prefix = records[0].n.length;
  let prefixText = records[0].n;
  // Characters of "n" spent by the run so far, with its current prefix.
  let runNameCost = 0;
  let lastBn = '';
  const flush = (end: number): void => {
    // A lone record with no base name in force keeps its name in "n" (one character shorter).
    const cut = end - start === 1 && lastBn === '' ? 0 : prefix;
    const bn = records[start].n.slice(0, cut);
    // An empty base name must still be written when it replaces an earlier one.
    if (bn !== lastBn) fields.bn[start] = bn;
    lastBn = bn;
    for (let i = start; i < end; i++) {
      const rest = records[i].n.slice(cut);
      if (rest.length > 0) fields.n[i] = rest;
    }
  };
  for (let i = 1; i < records.length; i++) {
    const name = records[i].n;
    // Most names share the whole current prefix: one builtin comparison instead of a loop.
    const shared = name.startsWith(prefixText)
      ? prefix
      : commonPrefixLength(records[start].n, name, prefix);
    const runLength = i - start;
    // Cost of keeping this record in the run: every record so far loses (prefix - shared) characters of base name.
    const lost = prefix - shared;
    let grownCost = runNameCost + lost * runLength;
    if (lost > 0) grownCost += recountNewNames(records, start, i, shared, prefix);
    grownCost += name.length > shared ? name.length - shared + NAME_COST : 0;
    const newRunCost = runNameCost + name.length + BASE_NAME_COST;
    if (grownCost <= newRunCost) {
      if (shared !== prefix) prefixText = name.slice(0, shared);
      prefix = shared;
      runNameCost = grownCost;
    } else {
      flush(i);
      start = i;
      prefix = name.length;
      prefixText = name;
      runNameCost = 0;
    }
  }
  flush(records.length);
}

/** Records of a run whose name equalled the old prefix now need an "n" field: count its label. */
function recountNewNames(
  records: readonly ResolvedRecord[],
  start: number,
  end: number,
  shared: number,
  prefix: number,
): number {
  let extra = 0;
  for (let i = start; i < end; i++)
    if (records[i].n.length === prefix && prefix > shared) extra += NAME_COST;
  return extra;
}

const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
];

/** Decimal digits of a whole number below 2^53. */
function digitCount(whole: number): number {
  if (whole < 1e8) {
    if (whole < 1e4) return whole < 10 ? 1 : whole < 100 ? 2 : whole < 1e3 ? 3 : 4;
    return whole < 1e5 ? 5 : whole < 1e6 ? 6 : whole < 1e7 ? 7 : 8;
  }
  let digits = 9;
  for (let power = 1e9; whole >= power; power *= 10) digits++;
  return digits;
}

/**
 * Characters of a number in JSON, String(x).length, if that is at most `limit`
 * (Infinity otherwise), without building the string. In fixed notation
 * (1e-6 <= |x| < 1e21) JavaScript writes the fewest decimals k that read back as
 * x; the first k for which round(|x| * 10^k) / 10^k === |x| is that k, as long as
 * |x| * 10^k stays within 2^50 (so rounding cannot pick a neighbouring integer).
 * Past that bound, and in exponent notation, String() decides.
 */
function numberLengthAtMost(x: number, limit: number): number {
  const magnitude = Math.abs(x);
  if (x === 0) return limit >= 1 ? 1 : Infinity;
  if (magnitude >= 1e-6 && magnitude < 1e21) {
    const sign = x < 0 ? 1 : 0;
    for (let k = 0; k < POWERS_OF_TEN.length; k++) {
      const scaled = magnitude * POWERS_OF_TEN[k];
      if (scaled > 2 ** 50) break;
      const digits = Math.round(scaled);
      const length =
        sign + (k === 0 ? digitCount(digits) : Math.max(digitCount(digits), k + 1) + 1);
      if (digits / POWERS_OF_TEN[k] === magnitude) return length <= limit ? length : Infinity;
      // More decimals never make it shorter (a carry, 9.95 -> "10" at k = 1, can keep it the same).
      if (length > limit) return Infinity;
    }
  }
  const length = String(x).length;
  return length <= limit ? length : Infinity;
}

function numberLength(x: number): number {
  return numberLengthAtMost(x, Infinity);
}

/** numberLength of each value; a value equal to the one before (times of one reading) is not measured again. */
function numberLengths(values: readonly number[]): number[] {
  const lengths: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++)
    lengths[i] = i > 0 && values[i] === values[i - 1] ? lengths[i - 1] : numberLength(values[i]);
  return lengths;
}

/**
 * A base for one numeric field, chosen greedily: the base is set where the value
 * first appears and moved (re-set) wherever a difference from it would not give
 * back the same double. Used only if it makes the pack smaller.
 */
function planBase(
  values: readonly number[],
  lengths: readonly number[],
): { bases: (number | undefined)[]; deltas: number[]; cost: number } {
  const bases: (number | undefined)[] = new Array(values.length);
  const deltas: number[] = new Array(values.length);
  let base = values[0];
  bases[0] = base;
  deltas[0] = 0;
  let cost = lengths[0] + 5;
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    const delta = value - base;
    const deltaLength = base + delta === value ? numberLengthAtMost(delta, lengths[i]) : Infinity;
    if (deltaLength <= lengths[i]) {
      deltas[i] = delta;
      cost += delta === 0 ? 0 : deltaLength + 4;
    } else {
      base = value;
      bases[i] = base;
      deltas[i] = 0;
      cost += lengths[i] + 5;
    }
  }
  return { bases, deltas, cost };
}

function plainCostOf(lengths: readonly number[]): number {
  let cost = 0;
  for (let i = 0; i < lengths.length; i++) cost += lengths[i] + 4;
  return cost;
}

/** Times: a base time when every time is absolute (so bt + t stays at or above 2^28). */
function compactTimes(records: readonly ResolvedRecord[], fields: Fields): void {
  const times = records.map((r) => r.t);
  const allAbsolute = times.every((t) => t !== undefined && t >= RELATIVE_TIME_LIMIT);
  if (allAbsolute) {
    const lengths = numberLengths(times);
    const plan = planBase(times, lengths);
    const plainCost = plainCostOf(lengths);
    if (plan.cost < plainCost) {
      for (let i = 0; i < records.length; i++) {
        if (plan.bases[i] !== undefined) fields.bt[i] = plan.bases[i];
        if (plan.deltas[i] !== 0) fields.t[i] = plan.deltas[i];
      }
      return;
    }
  }
  // Relative or missing times stay as they are: no base time may shift them.
  for (let i = 0; i < records.length; i++)
    if (times[i] !== undefined && (times[i] !== 0 || allAbsolute)) fields.t[i] = times[i];
}

/** Units: the most frequent unit as base unit, when every record has a unit (a base unit cannot be unset). */
function compactUnits(
  records: readonly ResolvedRecord[],
  fields: Fields,
  overrides: boolean,
): void {
  const counts = new Map<string, number>();
  let allHaveUnits = true;
  for (const record of records) {
    if (record.u === undefined) allHaveUnits = false;
    else counts.set(record.u, (counts.get(record.u) ?? 0) + 1);
  }
  let bu: string | undefined;
  if (allHaveUnits) {
    let best = 0;
    for (const [unit, n] of counts) if (n > best) [bu, best] = [unit, n];
    // "bu":"x", once against "u":"x", on every record that shares it.
    if (bu !== undefined && (best - 1) * (bu.length + 6) <= 1) bu = undefined;
    if (!overrides && counts.size > 1) bu = undefined;
  }
  fields.bu = bu;
  for (let i = 0; i < records.length; i++)
    if (records[i].u !== undefined && records[i].u !== bu) fields.u[i] = records[i].u;
}

function hasValue(record: ResolvedRecord): boolean {
  return (
    record.v !== undefined ||
    record.vs !== undefined ||
    record.vb !== undefined ||
    record.vd !== undefined
  );
}

const alwaysWritten = (): boolean => true;

/**
 * Values (v with bv) and sums (s with bs). A base value only touches records that
 * carry a "v"; a base sum gives every later record a sum (§4.5.4), so it is used
 * only when all records have one. `keepZero(i)`: record i must carry the field even
 * when it is zero from the base (a value field always; a sum when it is all the record holds).
 */
function compactNumbers(
  records: readonly ResolvedRecord[],
  bases: (number | undefined)[],
  numbers: (number | undefined)[],
  field: 'v' | 's',
  keepZero: (recordIndex: number) => boolean,
): void {
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < records.length; i++) {
    // Named loads: records[i][field] with a variable field is a slow keyed load.
    const x = field === 'v' ? records[i].v : records[i].s;
    if (x !== undefined) {
      indices.push(i);
      values.push(x);
    }
  }
  if (indices.length === 0) return;
  const usable = field === 'v' || indices.length === records.length;
  if (usable && values.length > 1) {
    const lengths = numberLengths(values);
    const plan = planBase(values, lengths);
    const plainCost = plainCostOf(lengths);
    // A field kept at zero (bv + 0) costs its label and digit too: count it.
    let planCost = plan.cost;
    for (let k = 0; k < indices.length; k++)
      if (plan.deltas[k] === 0 && keepZero(indices[k])) planCost += 5;
    if (planCost < plainCost) {
      indices.forEach((recordIndex, k) => {
        if (plan.bases[k] !== undefined) bases[recordIndex] = plan.bases[k];
        if (plan.deltas[k] !== 0 || keepZero(recordIndex)) numbers[recordIndex] = plan.deltas[k];
      });
      return;
    }
  }
  indices.forEach((recordIndex, k) => {
    numbers[recordIndex] = values[k];
  });
}
