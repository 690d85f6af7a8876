import { strict as assert } from 'node:assert';
import {
  aggregateRecords,
  aggregationFor,
  defaultAggregation,
  windowStart,
} from '../../../lib/consent/aggregate';
import type { ResolvedPack } from '../../../lib/senml/model';
import { ENERGY, METER, POWER, meterReadings, seconds } from './fixtures';

describe('aggregation to a granularity', () => {
  const s = seconds;

  it('windows are aligned on UTC', () => {
    assert.equal(windowStart(s('2026-12-03T10:44:59Z'), 'PT15M'), s('2026-12-03T10:30:00Z'));
    assert.equal(windowStart(s('2026-12-03T10:45:00Z'), 'PT15M'), s('2026-12-03T10:45:00Z'));
    assert.equal(windowStart(s('2026-12-03T10:59:59.9Z'), 'PT1H'), s('2026-12-03T10:00:00Z'));
    assert.equal(windowStart(s('2026-12-03T23:59:59Z'), 'P1D'), s('2026-12-03T00:00:00Z'));
  });

  it('picks the aggregation by unit and kind, a unit named in the consent first', () => {
    assert.equal(defaultAggregation({ n: POWER, t: 0, u: 'W', v: 1 }), 'mean');
    assert.equal(defaultAggregation({ n: ENERGY, t: 0, u: 'Wh', v: 1 }), 'difference');
    assert.equal(defaultAggregation({ n: `${METER}heat`, t: 0, u: 'J', v: 1 }), 'difference');
    assert.equal(defaultAggregation({ n: `${METER}total`, t: 0, u: 'W', s: 1 }), 'difference');
    assert.equal(defaultAggregation({ n: `${METER}temp`, t: 0, u: 'Cel', v: 1 }), 'mean');
    assert.equal(defaultAggregation({ n: `${METER}state`, t: 0, vs: 'on' }), 'last');
    assert.equal(defaultAggregation({ n: `${METER}relay`, t: 0, vb: true }), 'last');
    assert.equal(aggregationFor({ n: POWER, t: 0, u: 'W', v: 1 }, { W: 'max' }), 'max');
    assert.equal(aggregationFor({ n: ENERGY, t: 0, u: 'Wh', v: 1 }, { W: 'max' }), 'difference');
    assert.equal(aggregationFor({ n: `${METER}state`, t: 0, vs: 'on' }, { W: 'max' }), 'last');
  });

  it('averages power and takes the increase of the energy counter, per hour', () => {
    const pack: ResolvedPack = [
      { n: POWER, u: 'W', t: s('2026-12-03T10:05:00Z'), v: 400 },
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T10:05:00Z'), v: 1000 },
      { n: POWER, u: 'W', t: s('2026-12-03T10:35:00Z'), v: 800 },
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T10:35:00Z'), v: 1300 },
      { n: POWER, u: 'W', t: s('2026-12-03T11:20:00Z'), v: 600 },
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T11:20:00Z'), v: 1750 },
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T11:50:00Z'), v: 2000 },
    ];
    assert.deepEqual(aggregateRecords(pack, 'PT1H'), [
      // First window: the increase inside it, first reading to last.
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T10:00:00Z'), v: 300 },
      { n: POWER, u: 'W', t: s('2026-12-03T10:00:00Z'), v: 600 },
      // Next: from the previous window's last reading (1300) to this one's last.
      { n: ENERGY, u: 'Wh', t: s('2026-12-03T11:00:00Z'), v: 700 },
      { n: POWER, u: 'W', t: s('2026-12-03T11:00:00Z'), v: 600 },
    ]);
    assert.deepEqual(
      aggregateRecords(pack, 'PT1H', { W: 'max' }).map((r) => r.v),
      [300, 800, 700, 600],
    );
  });

  it('the daily increase of a counter equals its last reading minus its first', () => {
    const pack = meterReadings('2026-12-03T00:00:00Z', 288, 300); // a day every 5 minutes
    const energy = pack.filter((r) => r.n === ENERGY);
    const power = pack.filter((r) => r.n === POWER);
    const daily = aggregateRecords(pack, 'P1D');
    assert.equal(daily.length, 2);
    const [dayEnergy, dayPower] = daily;
    assert.equal(dayEnergy.n, ENERGY);
    assert.ok(
      Math.abs((dayEnergy.v as number) - ((energy[287].v as number) - (energy[0].v as number))) <
        1e-6,
    );
    const mean = power.reduce((sum, r) => sum + (r.v as number), 0) / power.length;
    assert.ok(Math.abs((dayPower.v as number) - mean) < 1e-9);
    // Hourly increases add up to the same as the day's (the counter is never lost between windows).
    const hourly = aggregateRecords(pack, 'PT1H').filter((r) => r.n === ENERGY);
    assert.equal(hourly.length, 24);
    const total = hourly.reduce((sum, r) => sum + (r.v as number), 0);
    assert.ok(Math.abs(total - (dayEnergy.v as number)) < 1e-6);
  });

  it('one record per name and window at the window start, sorted by time then name, unit kept', () => {
    const pack = meterReadings('2026-12-03T10:07:00Z', 30, 120);
    pack.reverse(); // the input order does not matter
    const out = aggregateRecords(pack, 'PT15M');
    const keys = out.map((r) => `${r.t} ${r.n}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const r of out) {
      assert.equal(r.t % 900, 0);
      assert.equal(r.u, r.n === POWER ? 'W' : 'Wh');
    }
    const sorted = [...out].sort((a, b) => a.t - b.t || a.n.localeCompare(b.n));
    assert.deepEqual(out, sorted);
    assert.equal(out[0].t, s('2026-12-03T10:00:00Z'));
  });

  it('text, boolean and data values take the last of the window; sums their difference', () => {
    const pack: ResolvedPack = [
      { n: `${METER}state`, t: s('2026-12-03T10:10:00Z'), vs: 'charging' },
      { n: `${METER}state`, t: s('2026-12-03T10:50:00Z'), vs: 'idle' },
      { n: `${METER}relay`, t: s('2026-12-03T10:20:00Z'), vb: true },
      { n: `${METER}total`, u: 'Wh', t: s('2026-12-03T10:00:00Z'), s: 50 },
      { n: `${METER}total`, u: 'Wh', t: s('2026-12-03T10:30:00Z'), s: 80 },
    ];
    const out = aggregateRecords(pack, 'PT1H');
    assert.deepEqual(out, [
      { n: `${METER}relay`, t: s('2026-12-03T10:00:00Z'), vb: true },
      { n: `${METER}state`, t: s('2026-12-03T10:00:00Z'), vs: 'idle' },
      { n: `${METER}total`, u: 'Wh', t: s('2026-12-03T10:00:00Z'), s: 30 },
    ]);
  });

  it('a summary carries nothing of the single readings but its name, unit and value', () => {
    const out = aggregateRecords(
      [{ n: POWER, u: 'W', t: s('2026-12-03T10:05:00Z'), v: 400, ut: 60, note: 'x' }],
      'PT15M',
    );
    assert.deepEqual(out, [{ n: POWER, u: 'W', t: s('2026-12-03T10:00:00Z'), v: 400 }]);
  });
});
