/**
 * Aggregation against an oracle written here the plain way: group by name, sort
 * each name by time (equal times in pack order), cut into windows, summarise
 * each window by its last record's field and aggregation. Packs come in time
 * order and shuffled, with text values and sums among the numbers, so that both
 * the one-pass reading and the sorting one are compared with it.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  aggregateRecords,
  aggregationFor,
  WINDOW_SECONDS,
  type UnitAggregations,
  type WindowGranularity,
} from '../../../lib/consent/aggregate';
import type { ResolvedPack, ResolvedRecord } from '../../../lib/senml/model';

const T0 = Date.UTC(2026, 11, 3) / 1000;
const NAMES = ['m:power', 'm:energy', 'm:state', 'n:power'];
const UNIT_OF: Record<string, string | undefined> = {
  'm:power': 'W',
  'm:energy': 'Wh',
  'm:state': undefined,
  'n:power': 'W',
};

const recordArb: fc.Arbitrary<ResolvedRecord> = fc
  .record({
    n: fc.constantFrom(...NAMES),
    t: fc.integer({ min: 0, max: 4 * 24 * 4 }).map((q) => T0 + q * 450), // half a 15 min step, 2 days
    value: fc.integer({ min: -50, max: 5000 }),
    kind: fc.constantFrom('v', 'v', 'v', 's', 'vs'),
  })
  .map(({ n, t, value, kind }) => {
    const record: ResolvedRecord = { n, t };
    const u = UNIT_OF[n];
    if (u !== undefined) record.u = u;
    if (kind === 'vs' || n === 'm:state') record.vs = `s${value % 3}`;
    else if (kind === 's') record.s = value;
    else record.v = value;
    return record;
  });

const inTimeOrder = (pack: ResolvedPack): ResolvedPack =>
  pack
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.t - b.r.t || a.i - b.i)
    .map(({ r }) => r);

function oracle(
  pack: ResolvedPack,
  granularity: WindowGranularity,
  byUnit?: UnitAggregations,
): ResolvedPack {
  const width = WINDOW_SECONDS[granularity];
  const out: ResolvedPack = [];
  for (const name of [...new Set(pack.map((r) => r.n))].sort()) {
    const mine = inTimeOrder(pack.filter((r) => r.n === name));
    const windows = new Map<number, ResolvedRecord[]>();
    for (const r of mine) {
      const start = Math.floor(r.t / width) * width;
      windows.set(start, [...(windows.get(start) ?? []), r]);
    }
    let previous: { field: string; value: number } | undefined;
    for (const [start, members] of windows) {
      const last = members[members.length - 1];
      const field = typeof last.v === 'number' ? 'v' : typeof last.vs === 'string' ? 'vs' : 's';
      const summary: ResolvedRecord = { n: name, t: start };
      if (last.u !== undefined) summary.u = last.u;
      if (field === 'vs') {
        summary.vs = last.vs;
      } else {
        const values = members
          .filter((r) =>
            field === 'v'
              ? typeof r.v === 'number'
              : typeof r.v !== 'number' && typeof r.vs !== 'string',
          )
          .map((r) => (field === 'v' ? r.v : r.s) as number);
        const how = aggregationFor(last, byUnit);
        const before = previous?.field === field ? previous.value : values[0];
        const value = {
          mean: values.reduce((a, b) => a + b, 0) / values.length,
          sum: values.reduce((a, b) => a + b, 0),
          min: Math.min(...values),
          max: Math.max(...values),
          last: values[values.length - 1],
          difference: values[values.length - 1] - before,
        }[how];
        if (field === 'v') summary.v = value;
        else summary.s = value;
        previous = { field, value: values[values.length - 1] };
      }
      out.push(summary);
    }
  }
  return out.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
}

describe('aggregation: properties', () => {
  const granularityArb = fc.constantFrom<WindowGranularity>('PT15M', 'PT1H', 'P1D');
  const byUnitArb = fc.option(
    fc.record({ W: fc.constantFrom('mean', 'sum', 'min', 'max', 'last' as const) }),
    { nil: undefined },
  );

  it('gives what the oracle gives, for packs in time order and shuffled', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 60 }),
        fc.boolean(),
        granularityArb,
        byUnitArb,
        (records, ordered, granularity, byUnit) => {
          const pack = ordered ? inTimeOrder(records) : records;
          assert.deepEqual(
            aggregateRecords(pack, granularity, byUnit),
            oracle(pack, granularity, byUnit),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
