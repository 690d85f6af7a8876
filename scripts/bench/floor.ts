/**
 * The floor of the benchmark: the least work that resolving a SenML pack takes
 * (RFC 8428 §4.6), written to be fast and nothing else, so that "how far from the
 * limit" is a number. One pass over the parsed records: base values carried
 * along (§4.1), full names, absolute times (relative ones counted from `now`,
 * §4.5.3), base value and base sum added, one output object per record laid out
 * as senml.decode lays it out, then a stable sort by time when the pack is not in
 * time order already.
 *
 * No validation at all beyond what resolution needs: no name, unit, type or
 * finiteness checks, no version (`bver`), no extension fields, no `vd`
 * conversion, no lenient mode. The benchmark packs need none of these, and
 * senml.decode does all of them: that is the cost it is measured for.
 *
 * Three front ends, one per parsed form: the objects of JSON.parse, the
 * integer-keyed maps of cbor-x decode (RFC 8428 §6), the element tree of
 * ltx.parse (attributes as text, §7).
 */
import type { Element } from 'ltx';
import type { senml } from '../../lib';

type Resolved = senml.ResolvedRecord;

/** Below this, a time is relative to now (RFC 8428 §4.5.3). */
const RELATIVE_TIME_LIMIT = 2 ** 28;

interface JsonRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  bv?: number;
  bs?: number;
  n?: string;
  u?: string;
  t?: number;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  s?: number;
  ut?: number;
}

/** Base values in force; `sorted` and `lastTime` tell whether the output needs sorting. */
interface State {
  bn: string;
  /**
   * Full names already made under the current base name (n → bn + n), one map per
   * base name: a long pack then holds one string per name, not one per record,
   * which spares the collector. Only for long packs, where it pays.
   */
  names: Map<string, string> | undefined;
  namesByBase: Map<string, Map<string, string>> | undefined;
  bt: number;
  bu: string | undefined;
  bv: number;
  bs: number | undefined;
  now: number;
  lastTime: number;
  sorted: boolean;
}

/** Packs at least this long cache full names (measured: below it the maps cost more than they save). */
const NAME_CACHE_FROM = 4096;

const newState = (now: number, length: number): State => ({
  bn: '',
  names: undefined,
  namesByBase: length >= NAME_CACHE_FROM ? new Map() : undefined,
  bt: 0,
  bu: undefined,
  bv: 0,
  bs: undefined,
  now,
  lastTime: -Infinity,
  sorted: true,
});

/**
 * One resolved record from its own fields and the base values in force;
 * undefined for a record of base fields only. The common shape (n t u v) is
 * built in one literal, as senml.decode builds it.
 */
function resolveOne(
  state: State,
  n: string | undefined,
  u: string | undefined,
  t: number | undefined,
  v: number | undefined,
  vs: string | undefined,
  vb: boolean | undefined,
  vd: string | undefined,
  s: number | undefined,
  ut: number | undefined,
): Resolved | undefined {
  let name: string;
  if (n === undefined) name = state.bn;
  else if (state.names === undefined) name = state.bn + n;
  else {
    const known = state.names.get(n);
    if (known !== undefined) name = known;
    else state.names.set(n, (name = state.bn + n));
  }
  let time = t === undefined ? state.bt : state.bt + t;
  if (time < RELATIVE_TIME_LIMIT) time += state.now;
  const unit = u === undefined ? state.bu : u;
  const sum = s === undefined ? state.bs : state.bs === undefined ? s : state.bs + s;
  let record: Resolved;
  if (v !== undefined) {
    if (unit !== undefined && sum === undefined && ut === undefined)
      record = { n: name, t: time, u: unit, v: state.bv + v };
    else {
      record = { n: name, t: time };
      if (unit !== undefined) record.u = unit;
      record.v = state.bv + v;
    }
  } else {
    if (vs === undefined && vb === undefined && vd === undefined && sum === undefined)
      return undefined;
    record = { n: name, t: time };
    if (unit !== undefined) record.u = unit;
    if (vs !== undefined) record.vs = vs;
    else if (vb !== undefined) record.vb = vb;
    else if (vd !== undefined) record.vd = vd;
  }
  if (sum !== undefined) record.s = sum;
  if (ut !== undefined) record.ut = ut;
  if (time < state.lastTime) state.sorted = false;
  state.lastTime = time;
  return record;
}

function setBaseName(state: State, bn: string): void {
  if (bn === state.bn) return;
  state.bn = bn;
  if (state.namesByBase === undefined) return;
  let names = state.namesByBase.get(bn);
  if (names === undefined) state.namesByBase.set(bn, (names = new Map()));
  state.names = names;
}

const byTime = (a: Resolved, b: Resolved): number => a.t - b.t;

/** Below this, Array.prototype.sort; from it, the merge sort of sortByTime (measured faster). */
const MERGE_SORT_FROM = 64;
const RUN = 32;

/**
 * A stable sort by time (records of equal time keep their pack order, §4.6): the
 * times copied into a Float64Array and positions sorted over them, insertion sort
 * in runs of 32 then bottom-up merges (a merge of two runs already in order is a
 * copy), so that no comparison calls a function.
 */
function sortByTime(records: Resolved[]): Resolved[] {
  const length = records.length;
  const times = new Float64Array(length);
  let from = new Uint32Array(length);
  let to = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    times[i] = records[i].t;
    from[i] = i;
  }
  for (let low = 0; low < length; low += RUN) {
    const high = Math.min(low + RUN, length);
    for (let i = low + 1; i < high; i++) {
      const moving = from[i];
      const time = times[moving];
      let j = i - 1;
      for (; j >= low && times[from[j]] > time; j--) from[j + 1] = from[j];
      from[j + 1] = moving;
    }
  }
  for (let width = RUN; width < length; width *= 2) {
    for (let low = 0; low < length; low += 2 * width) {
      const middle = Math.min(low + width, length);
      const high = Math.min(low + 2 * width, length);
      let i = low;
      let j = middle;
      let k = low;
      if (middle < high && times[from[middle - 1]] > times[from[middle]]) {
        while (i < middle && j < high)
          to[k++] = times[from[j]] < times[from[i]] ? from[j++] : from[i++];
      }
      while (i < middle) to[k++] = from[i++];
      while (j < high) to[k++] = from[j++];
    }
    [from, to] = [to, from];
  }
  const sorted = new Array<Resolved>(length);
  for (let i = 0; i < length; i++) sorted[i] = records[from[i]];
  return sorted;
}

function finish(state: State, out: Resolved[], count: number): Resolved[] {
  out.length = count;
  if (state.sorted) return out;
  // Array.prototype.sort is stable too.
  return count < MERGE_SORT_FROM ? out.sort(byTime) : sortByTime(out);
}

/** Resolve the records of JSON.parse. */
export function floorJson(records: readonly JsonRecord[], now: number): Resolved[] {
  const state = newState(now, records.length);
  const out = new Array<Resolved>(records.length);
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.bn !== undefined) setBaseName(state, r.bn);
    if (r.bt !== undefined) state.bt = r.bt;
    if (r.bu !== undefined) state.bu = r.bu;
    if (r.bv !== undefined) state.bv = r.bv;
    if (r.bs !== undefined) state.bs = r.bs;
    const record = resolveOne(state, r.n, r.u, r.t, r.v, r.vs, r.vb, r.vd, r.s, r.ut);
    if (record !== undefined) out[count++] = record;
  }
  return finish(state, out, count);
}

/**
 * The integer labels of RFC 8428 §6, Table 4, as cbor-x gives them: object keys.
 * Read with text keys ('-2', not -2): a negative number as a key is turned into
 * text on every access.
 */
interface CborRecord {
  '-2'?: string; // bn
  '-3'?: number; // bt
  '-4'?: string; // bu
  '-5'?: number; // bv
  '-6'?: number; // bs
  '0'?: string; // n
  '1'?: string; // u
  '2'?: number; // v
  '3'?: string; // vs
  '4'?: boolean; // vb
  '5'?: number; // s
  '6'?: number; // t
  '7'?: number; // ut
  '8'?: Uint8Array; // vd: a byte string in CBOR, base64url in the resolved record
}

/** Resolve the maps of cbor-x decode (mapsAsObjects). */
export function floorCbor(records: readonly CborRecord[], now: number): Resolved[] {
  const state = newState(now, records.length);
  const out = new Array<Resolved>(records.length);
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bn = r['-2'];
    const bt = r['-3'];
    const bu = r['-4'];
    const bv = r['-5'];
    const bs = r['-6'];
    if (bn !== undefined) setBaseName(state, bn);
    if (bt !== undefined) state.bt = bt;
    if (bu !== undefined) state.bu = bu;
    if (bv !== undefined) state.bv = bv;
    if (bs !== undefined) state.bs = bs;
    const vd = r['8'];
    const record = resolveOne(
      state,
      r['0'],
      r['1'],
      r['6'],
      r['2'],
      r['3'],
      r['4'],
      vd === undefined ? undefined : Buffer.from(vd).toString('base64url'),
      r['5'],
      r['7'],
    );
    if (record !== undefined) out[count++] = record;
  }
  return finish(state, out, count);
}

const numberOf = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : +text;

/** Resolve the <senml> children of the <sensml> element of ltx.parse (attributes are text). */
export function floorXml(root: Element, now: number): Resolved[] {
  const children = root.children;
  const state = newState(now, children.length);
  const out = new Array<Resolved>(children.length);
  let count = 0;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (typeof child === 'string') continue; // whitespace between elements
    const a = child.attrs as Record<string, string | undefined>;
    if (a.bn !== undefined) setBaseName(state, a.bn);
    if (a.bt !== undefined) state.bt = +a.bt;
    if (a.bu !== undefined) state.bu = a.bu;
    if (a.bv !== undefined) state.bv = +a.bv;
    if (a.bs !== undefined) state.bs = +a.bs;
    const vb = a.vb;
    const record = resolveOne(
      state,
      a.n,
      a.u,
      numberOf(a.t),
      numberOf(a.v),
      a.vs,
      vb === undefined ? undefined : vb === 'true' || vb === '1',
      a.vd,
      numberOf(a.s),
      numberOf(a.ut),
    );
    if (record !== undefined) out[count++] = record;
  }
  return finish(state, out, count);
}
