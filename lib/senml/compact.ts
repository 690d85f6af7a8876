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
export function compact(records: readonly ResolvedRecord[]): SenmlRecord[] {
  const count = records.length;
  const out: SenmlRecord[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = {};
  if (count === 0) return out;

  const version = records[0].bver;
  if (version !== undefined) out[0].bver = version;
  compactNames(records, out);
  compactTimes(records, out);
  compactUnits(records, out);
  compactNumbers(records, out, 'v', 'bv', true);
  compactNumbers(records, out, 's', 'bs', false);

  for (let i = 0; i < count; i++) {
    const record = records[i];
    const target = out[i];
    // Field order of the RFC's examples: base fields, n, u, value, s, t, ut, extensions.
    const ordered: SenmlRecord = {};
    for (const key of ['bver', 'bn', 'bt', 'bu', 'bv', 'bs', 'n', 'u'] as const) if (target[key] !== undefined) ordered[key] = target[key] as never;
    if (target.v !== undefined) ordered.v = target.v;
    else if (record.vs !== undefined) ordered.vs = record.vs;
    else if (record.vb !== undefined) ordered.vb = record.vb;
    else if (record.vd !== undefined) ordered.vd = record.vd;
    if (target.s !== undefined) ordered.s = target.s;
    if (target.t !== undefined) ordered.t = target.t;
    if (record.ut !== undefined) ordered.ut = record.ut;
    for (const key in record) {
      if (!(key in ordered) && !RESOLVED_LABELS.has(key)) ordered[key] = record[key];
    }
    out[i] = ordered;
  }
  return out;
}

const RESOLVED_LABELS = new Set(['n', 't', 'u', 'v', 'vs', 'vb', 'vd', 's', 'ut', 'bver']);
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
function compactNames(records: readonly ResolvedRecord[], out: SenmlRecord[]): void {
  let start = 0;
  let prefix = records[0].n.length;
  // Characters of "n" spent by the run so far, with its current prefix.
  let runNameCost = 0;
  let lastBn = '';
  const flush = (end: number): void => {
    // A lone record with no base name in force keeps its name in "n" (one character shorter).
    const cut = end - start === 1 && lastBn === '' ? 0 : prefix;
    const bn = records[start].n.slice(0, cut);
    // An empty base name must still be written when it replaces an earlier one.
    if (bn !== lastBn) out[start].bn = bn;
    lastBn = bn;
    for (let i = start; i < end; i++) {
      const rest = records[i].n.slice(cut);
      if (rest.length > 0) out[i].n = rest;
    }
  };
  for (let i = 1; i < records.length; i++) {
    const name = records[i].n;
    const shared = commonPrefixLength(records[start].n, name, prefix);
    const runLength = i - start;
    // Cost of keeping this record in the run: every record so far loses (prefix - shared) characters of base name.
    const lost = prefix - shared;
    let grownCost = runNameCost + lost * runLength;
    if (lost > 0) grownCost += recountNewNames(records, start, i, shared, prefix);
    grownCost += name.length > shared ? name.length - shared + NAME_COST : 0;
    const newRunCost = runNameCost + name.length + BASE_NAME_COST;
    if (grownCost <= newRunCost) {
      prefix = shared;
      runNameCost = grownCost;
    } else {
      flush(i);
      start = i;
      prefix = name.length;
      runNameCost = 0;
    }
  }
  flush(records.length);
}

/** Records of a run whose name equalled the old prefix now need an "n" field: count its label. */
function recountNewNames(records: readonly ResolvedRecord[], start: number, end: number, shared: number, prefix: number): number {
  let extra = 0;
  for (let i = start; i < end; i++) if (records[i].n.length === prefix && prefix > shared) extra += NAME_COST;
  return extra;
}

const numberLength = (x: number): number => String(x).length;

/**
 * A base for one numeric field, chosen greedily: the base is set where the value
 * first appears and moved (re-set) wherever a difference from it would not give
 * back the same double. Used only if it makes the pack smaller.
 */
function planBase(values: readonly number[]): { bases: (number | undefined)[]; deltas: number[]; cost: number } {
  const bases: (number | undefined)[] = new Array(values.length);
  const deltas: number[] = new Array(values.length);
  let base = values[0];
  bases[0] = base;
  deltas[0] = 0;
  let cost = numberLength(base) + 5;
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    const delta = value - base;
    if (base + delta === value && numberLength(delta) <= numberLength(value)) {
      deltas[i] = delta;
      cost += delta === 0 ? 0 : numberLength(delta) + 4;
    } else {
      base = value;
      bases[i] = base;
      deltas[i] = 0;
      cost += numberLength(base) + 5;
    }
  }
  return { bases, deltas, cost };
}

/** Times: a base time when every time is absolute (so bt + t stays at or above 2^28). */
function compactTimes(records: readonly ResolvedRecord[], out: SenmlRecord[]): void {
  const times = records.map((r) => r.t);
  const allAbsolute = times.every((t) => t !== undefined && t >= RELATIVE_TIME_LIMIT);
  if (allAbsolute) {
    const plan = planBase(times);
    const plainCost = times.reduce((sum, t) => sum + numberLength(t) + 4, 0);
    if (plan.cost < plainCost) {
      for (let i = 0; i < records.length; i++) {
        if (plan.bases[i] !== undefined) out[i].bt = plan.bases[i];
        if (plan.deltas[i] !== 0) out[i].t = plan.deltas[i];
      }
      return;
    }
  }
  // Relative or missing times stay as they are: no base time may shift them.
  for (let i = 0; i < records.length; i++) if (times[i] !== undefined && (times[i] !== 0 || allAbsolute)) out[i].t = times[i];
}

/** Units: the most frequent unit as base unit, when every record has a unit (a base unit cannot be unset). */
function compactUnits(records: readonly ResolvedRecord[], out: SenmlRecord[]): void {
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
  }
  if (bu !== undefined) out[0].bu = bu;
  for (let i = 0; i < records.length; i++) if (records[i].u !== undefined && records[i].u !== bu) out[i].u = records[i].u;
}

/**
 * Values (v with bv) and sums (s with bs). A base value only touches records that
 * carry a "v"; a base sum gives every later record a sum (§4.5.4), so it is used
 * only when all records have one.
 */
function compactNumbers(records: readonly ResolvedRecord[], out: SenmlRecord[], field: 'v' | 's', baseField: 'bv' | 'bs', keepZero: boolean): void {
  const indices: number[] = [];
  for (let i = 0; i < records.length; i++) if (records[i][field] !== undefined) indices.push(i);
  if (indices.length === 0) return;
  const values = indices.map((i) => records[i][field] as number);
  const usable = field === 'v' || indices.length === records.length;
  if (usable && values.length > 1) {
    const plan = planBase(values);
    const plainCost = values.reduce((sum, x) => sum + numberLength(x) + 4, 0);
    // A value field stays even at zero (bv + 0), so count it.
    const planCost = keepZero ? plan.cost + plan.deltas.filter((d) => d === 0).length * 5 : plan.cost;
    if (planCost < plainCost) {
      indices.forEach((recordIndex, k) => {
        if (plan.bases[k] !== undefined) out[recordIndex][baseField] = plan.bases[k];
        if (keepZero || plan.deltas[k] !== 0) out[recordIndex][field] = plan.deltas[k];
      });
      return;
    }
  }
  indices.forEach((recordIndex, k) => {
    out[recordIndex][field] = values[k];
  });
}
