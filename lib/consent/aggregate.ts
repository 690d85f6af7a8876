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
  const out: ResolvedPack = [];
  let previous: { name: string; field: ValueField; value: number } | undefined;
  for (let from = 0; from < order.length;) {
    const first = records[order[from]];
    const start = windowStart(first.t, granularity);
    let to = from + 1;
    while (
      to < order.length &&
      records[order[to]].n === first.n &&
      windowStart(records[order[to]].t, granularity) === start
    )
      to += 1;
    const window = order.slice(from, to);
    const lastIndex = window[window.length - 1];
    const last = records[lastIndex];
    const field = valueField(last);
    if (previous !== undefined && previous.name !== first.n) previous = undefined;
    if (field !== undefined) {
      const how = aggregationFor(last, byUnitOf(lastIndex));
      const members = window.map((i) => records[i]).filter((r) => valueField(r) === field);
      const summary: ResolvedRecord = { n: first.n, t: start };
      if (last.u !== undefined) summary.u = last.u;
      if (field === 'v' || field === 's') {
        const values = members.map((r) => r[field] as number);
        const before = previous?.field === field ? previous.value : undefined;
        summary[field] = summarise(values, how, before);
        previous = { name: first.n, field, value: values[values.length - 1] };
      } else {
        (summary as Record<string, unknown>)[field] = last[field];
      }
      if (last.bver !== undefined) summary.bver = last.bver;
      out.push(summary);
    }
    from = to;
  }
  return out.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
}

function summarise(
  values: readonly number[],
  how: Aggregation,
  before: number | undefined,
): number {
  switch (how) {
    case 'mean':
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    case 'sum':
      return values.reduce((sum, v) => sum + v, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'last':
      return values[values.length - 1];
    case 'difference':
      return values[values.length - 1] - (before ?? values[0]);
  }
}
