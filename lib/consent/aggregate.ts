import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import type { Aggregation, Granularity } from './model';

/**
 * Minimisation by time: the records of a pack summarised to one record per name
 * and window, windows aligned on UTC (a 15-minute window starts at :00, :15, :30
 * or :45; an hour at :00; a day at 00:00 UTC). The summary's `t` is the window's
 * start, so that nothing finer than the window can be read from it.
 */
export type WindowGranularity = Exclude<Granularity, 'raw'>;

export const WINDOW_SECONDS: Readonly<Record<WindowGranularity, number>> = {
  PT15M: 900,
  PT1H: 3600,
  P1D: 86_400,
};

/** How each unit is aggregated; a unit not named takes its kind's default. */
export type UnitAggregations = Readonly<Record<string, Aggregation>>;

/** The start of the window holding `t` (seconds since the epoch; POSIX time has no leap seconds). */
export function windowStart(t: number, granularity: WindowGranularity): number {
  const width = WINDOW_SECONDS[granularity];
  return Math.floor(t / width) * width;
}

/**
 * Units of energy that meters report as ever-growing counters: their summary
 * is the increase over the window, not a mean of the readings.
 */
export const ENERGY_COUNTER_UNITS: ReadonlySet<string> = new Set([
  'J',
  'kJ',
  'Wh',
  'kWh',
  'MWh',
  'VAh',
  'kVAh',
  'varh',
  'kvarh',
]);

type ValueField = 'v' | 's' | 'vs' | 'vb' | 'vd';

/** The field a record's value is in. A sum beside a value (RFC 8428 §4.2) goes with the value. */
function valueField(record: ResolvedRecord): ValueField | undefined {
  if (typeof record.v === 'number') return 'v';
  if (typeof record.vs === 'string') return 'vs';
  if (typeof record.vb === 'boolean') return 'vb';
  if (typeof record.vd === 'string') return 'vd';
  if (typeof record.s === 'number') return 's';
  return undefined;
}

/**
 * The default for a record's kind: an energy counter (`Wh`, `J`, …) and a SenML
 * sum `s` take the `difference`; any other number (power, temperature, …) the
 * `mean`; a text, boolean or data value its `last`.
 */
export function defaultAggregation(record: ResolvedRecord): Aggregation {
  const field = valueField(record);
  if (field === 's') return 'difference';
  if (field !== 'v') return 'last';
  return record.u !== undefined && ENERGY_COUNTER_UNITS.has(record.u) ? 'difference' : 'mean';
}

/** The aggregation of a record: its unit's in `byUnit` when named there, else its kind's default. */
export function aggregationFor(record: ResolvedRecord, byUnit?: UnitAggregations): Aggregation {
  const field = valueField(record);
  // Only the last of a text, boolean or data value means anything for a window.
  if (field !== 'v' && field !== 's') return 'last';
  const chosen =
    record.u !== undefined && byUnit !== undefined && Object.hasOwn(byUnit, record.u)
      ? byUnit[record.u]
      : undefined;
  return chosen ?? defaultAggregation(record);
}

/**
 * One record per name and window, sorted by time then name, each keeping its
 * name's unit. `aggregation` chooses per unit, for all records or (a list the
 * length of `records`) per record; a window follows the choice of its last record.
 *
 * `difference` is the increase from the previous reading (the last one of the
 * name's previous window in `records`) to the last reading in the window. For a
 * name's first window there is no previous reading: it is the increase inside
 * the window, from its first reading to its last (0 for a single reading).
 *
 * Fields other than the name, time, unit, value and `bver` are left out: a
 * summary carries nothing of the single readings.
 */
export function aggregateRecords(
  records: readonly ResolvedRecord[],
  granularity: WindowGranularity,
  aggregation?: UnitAggregations | readonly (UnitAggregations | undefined)[],
): ResolvedPack {
  const byUnitOf = (index: number): UnitAggregations | undefined =>
    Array.isArray(aggregation)
      ? (aggregation as readonly (UnitAggregations | undefined)[])[index]
      : (aggregation as UnitAggregations | undefined);
  const streamed = aggregateInOrder(records, WINDOW_SECONDS[granularity], byUnitOf);
  if (streamed !== undefined) return streamed;
  // Each name's readings in time order (equal times keep the pack's order), names in
  // order: grouped first, since a pack holds many readings of few names, mostly in time order.
  const groups = new Map<string, number[]>();
  for (let i = 0; i < records.length; i += 1) {
    const name = records[i].n;
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [i]);
    else group.push(i);
  }
  const order: number[] = [];
  for (const name of [...groups.keys()].sort()) {
    const group = groups.get(name)!;
    let sorted = true;
    for (let k = 1; k < group.length && sorted; k += 1)
      sorted = records[group[k - 1]].t <= records[group[k]].t;
    if (!sorted) group.sort((a, b) => records[a].t - records[b].t || a - b);
    for (const i of group) order.push(i);
  }
  const width = WINDOW_SECONDS[granularity];
  // Each name's summaries, in time order, to merge at the end.
  const runs: ResolvedRecord[][] = [];
  let out: ResolvedRecord[] = [];
  let previous: { name: string; field: ValueField; value: number } | undefined;
  for (let from = 0; from < order.length;) {
    const first = records[order[from]];
    const start = Math.floor(first.t / width) * width;
    let to = from + 1;
    while (
      to < order.length &&
      records[order[to]].n === first.n &&
      Math.floor(records[order[to]].t / width) * width === start
    )
      to += 1;
    const lastIndex = order[to - 1];
    const last = records[lastIndex];
    const field = valueField(last);
    if (previous !== undefined && previous.name !== first.n) previous = undefined;
    if (previous === undefined) runs.push((out = []));
    if (field !== undefined) {
      const summary: ResolvedRecord = { n: first.n, t: start };
      if (last.u !== undefined) summary.u = last.u;
      if (field === 'v' || field === 's') {
        const how = aggregationFor(last, byUnitOf(lastIndex));
        const window = summariseWindow(records, order, from, to, field);
        const before = previous?.field === field ? previous.value : undefined;
        summary[field] = summaryValue(window, how, before);
        previous = { name: first.n, field, value: window.last };
      } else {
        (summary as Record<string, unknown>)[field] = last[field];
        previous ??= { name: first.n, field, value: Number.NaN };
      }
      if (last.bver !== undefined) summary.bver = last.bver;
      out.push(summary);
    }
    from = to;
  }
  return mergeRuns(runs);
}

/** One name's summaries so far, and the window being read. */
interface NameRun {
  readonly summaries: ResolvedRecord[];
  start: number;
  field: 'v' | 's';
  window: WindowValues;
  last: ResolvedRecord;
  lastIndex: number;
  /** The last value of the name's previous window of numbers, and its field. */
  before: number;
  beforeField: 'v' | 's' | undefined;
  /** The aggregation of its last window, the unit and choices it was chosen by. */
  how?: Aggregation;
  howField?: 'v' | 's';
  howUnit?: string;
  howByUnit?: UnitAggregations;
}

/**
 * The same summaries in one pass, for the common pack: each name's readings in
 * time order and all numbers of one kind per window. Undefined for any other
 * pack, which the general path then sorts.
 */
function aggregateInOrder(
  records: readonly ResolvedRecord[],
  width: number,
  byUnitOf: (index: number) => UnitAggregations | undefined,
): ResolvedPack | undefined {
  const runs = new Map<string, NameRun>();
  for (let i = 0; i < records.length; i += 1) {
    const record = records[i];
    const field = valueField(record);
    if (field !== 'v' && field !== 's') return undefined;
    const value = (field === 'v' ? record.v : record.s) as number;
    const start = Math.floor(record.t / width) * width;
    const run = runs.get(record.n);
    if (run === undefined) {
      runs.set(record.n, {
        summaries: [],
        start,
        field,
        window: opened(value),
        last: record,
        lastIndex: i,
        before: Number.NaN,
        beforeField: undefined,
      });
      continue;
    }
    if (record.t < run.last.t) return undefined;
    if (start === run.start) {
      if (field !== run.field) return undefined;
      add(run.window, value);
    } else {
      closeWindow(run, byUnitOf);
      run.start = start;
      run.field = field;
      reopen(run.window, value);
    }
    run.last = record;
    run.lastIndex = i;
  }
  const names = [...runs.keys()].sort();
  const sorted: ResolvedRecord[][] = [];
  for (const name of names) {
    const run = runs.get(name)!;
    closeWindow(run, byUnitOf);
    sorted.push(run.summaries);
  }
  return mergeRuns(sorted);
}

function opened(value: number): WindowValues {
  return { count: 1, sum: value, min: value, max: value, first: value, last: value };
}

function reopen(window: WindowValues, value: number): void {
  window.count = 1;
  window.sum = value;
  window.min = value;
  window.max = value;
  window.first = value;
  window.last = value;
}

function add(window: WindowValues, value: number): void {
  window.count += 1;
  window.sum += value;
  if (value < window.min) window.min = value;
  if (value > window.max) window.max = value;
  window.last = value;
}

function closeWindow(
  run: NameRun,
  byUnitOf: (index: number) => UnitAggregations | undefined,
): void {
  const { last, field, window } = run;
  // Worked out again only when the field, the unit or the choice per unit changes.
  const byUnit = byUnitOf(run.lastIndex);
  if (
    run.how === undefined ||
    run.howField !== field ||
    run.howUnit !== last.u ||
    run.howByUnit !== byUnit
  ) {
    run.how = aggregationFor(last, byUnit);
    run.howField = field;
    run.howUnit = last.u;
    run.howByUnit = byUnit;
  }
  const how = run.how;
  const value = summaryValue(window, how, run.beforeField === field ? run.before : undefined);
  const summary: ResolvedRecord =
    last.u === undefined ? { n: last.n, t: run.start } : { n: last.n, u: last.u, t: run.start };
  if (field === 'v') summary.v = value;
  else summary.s = value;
  if (last.bver !== undefined) summary.bver = last.bver;
  run.summaries.push(summary);
  run.beforeField = field;
  run.before = window.last;
}

interface WindowValues {
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

/** The numbers of one window's records holding `field`, in one pass and without copies. */
function summariseWindow(
  records: readonly ResolvedRecord[],
  order: readonly number[],
  from: number,
  to: number,
  field: 'v' | 's',
): WindowValues {
  const window: WindowValues = {
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    first: Number.NaN,
    last: Number.NaN,
  };
  for (let k = from; k < to; k += 1) {
    const record = records[order[k]];
    if (valueField(record) !== field) continue;
    const value = record[field] as number;
    if (window.count === 0) window.first = value;
    window.count += 1;
    window.sum += value;
    if (value < window.min) window.min = value;
    if (value > window.max) window.max = value;
    window.last = value;
  }
  return window;
}

function summaryValue(window: WindowValues, how: Aggregation, before: number | undefined): number {
  switch (how) {
    case 'mean':
      return window.sum / window.count;
    case 'sum':
      return window.sum;
    case 'min':
      return window.min;
    case 'max':
      return window.max;
    case 'last':
      return window.last;
    case 'difference':
      return window.last - (before ?? window.first);
  }
}

/**
 * Summaries by time then name, from runs in name order, each in time order: a
 * merge that takes on equal times the run that comes first (the smaller name).
 * Past a few runs a sort is as quick.
 */
function mergeRuns(runs: readonly ResolvedRecord[][]): ResolvedPack {
  if (runs.length === 1) return runs[0];
  if (runs.length === 0 || runs.length > 16) return runs.flat().sort(byTimeThenName);
  const heads = new Array<number>(runs.length).fill(0);
  let total = 0;
  for (const run of runs) total += run.length;
  const merged: ResolvedPack = new Array(total);
  for (let k = 0; k < total; k += 1) {
    let pick = -1;
    for (let r = 0; r < runs.length; r += 1) {
      if (
        heads[r] < runs[r].length &&
        (pick === -1 || runs[r][heads[r]].t < runs[pick][heads[pick]].t)
      )
        pick = r;
    }
    merged[k] = runs[pick][heads[pick]];
    heads[pick] += 1;
  }
  return merged;
}

export const byTimeThenName = (a: ResolvedRecord, b: ResolvedRecord): number =>
  a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0);
