import { strict as assert } from 'node:assert';
import {
  addDuration,
  formatInstant,
  isDuration,
  isInstant,
  parseDuration,
  parseInstant,
} from '../../../lib/consent/duration';
import { ConsentError } from '../../../lib/consent/errors';
import { at } from './fixtures';

describe('consent durations (ISO 8601)', () => {
  it('reads every part, weeks and a fraction of a second', () => {
    assert.deepEqual(parseDuration('P1Y2M3W4DT5H6M7.25S'), {
      years: 1,
      months: 2,
      weeks: 3,
      days: 4,
      hours: 5,
      minutes: 6,
      seconds: 7.25,
    });
    assert.equal(parseDuration('PT0,5S').seconds, 0.5);
    assert.equal(parseDuration('PT15M').minutes, 15);
    assert.equal(parseDuration('P30D').days, 30);
  });

  it('refuses what is not a duration, naming the text', () => {
    for (const text of [
      '',
      'P',
      'PT',
      'P1YT',
      '30D',
      'P-1D',
      'P1.5D',
      'PT1H30',
      'p1d',
      'P1DT',
      'P1S',
    ]) {
      assert.equal(isDuration(text), false, text);
      assert.throws(
        () => parseDuration(text),
        (err: unknown) =>
          err instanceof ConsentError &&
          err.code === 'CONSENT_DURATION' &&
          err.params.text === text &&
          err.message.includes(`"${text}"`),
        text,
      );
    }
    assert.equal(isDuration(30), false);
  });

  it('adds months on the calendar, pinning the day to the end of a shorter month', () => {
    const cases: [string, string, string][] = [
      ['2026-01-31T10:00:00Z', 'P1M', '2026-02-28T10:00:00Z'],
      ['2028-01-31T10:00:00Z', 'P1M', '2028-02-29T10:00:00Z'], // leap year
      ['2028-02-29T00:00:00Z', 'P1Y', '2029-02-28T00:00:00Z'],
      ['2028-02-29T00:00:00Z', 'P4Y', '2032-02-29T00:00:00Z'],
      ['2026-03-31T23:30:00Z', 'P1M', '2026-04-30T23:30:00Z'],
      ['2026-11-30T12:00:00Z', 'P3M', '2027-02-28T12:00:00Z'],
      ['2026-12-03T10:00:00Z', 'P1Y2M', '2028-02-03T10:00:00Z'],
      ['2026-12-31T00:00:00Z', 'P2M', '2027-02-28T00:00:00Z'],
    ];
    for (const [from, duration, to] of cases)
      assert.equal(
        formatInstant(addDuration(at(from), duration)),
        new Date(to).toISOString(),
        `${from} + ${duration}`,
      );
  });

  it('adds days, weeks and the time part as exact lengths in UTC', () => {
    assert.equal(addDuration(at('2028-02-28T12:00:00Z'), 'P1D'), at('2028-02-29T12:00:00Z'));
    assert.equal(addDuration(at('2026-02-28T12:00:00Z'), 'P1D'), at('2026-03-01T12:00:00Z'));
    // Across the end of European summer time: UTC days stay 24 h.
    assert.equal(addDuration(at('2026-10-24T12:00:00Z'), 'P2W'), at('2026-11-07T12:00:00Z'));
    assert.equal(addDuration(at('2026-12-31T23:45:00Z'), 'PT15M'), at('2027-01-01T00:00:00Z'));
    assert.equal(addDuration(at('2026-12-03T10:00:00Z'), 'PT0.5S'), at('2026-12-03T10:00:00.500Z'));
    // Months first, then days (XML Schema's order): Jan 31 + P1M1D is Mar 1 in 2026.
    assert.equal(addDuration(at('2026-01-31T00:00:00Z'), 'P1M1D'), at('2026-03-01T00:00:00Z'));
  });

  it('reads UTC instants strictly', () => {
    assert.equal(parseInstant('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:00Z'));
    assert.equal(parseInstant('2026-12-03T10:00:00.123Z'), at('2026-12-03T10:00:00.123Z'));
    assert.equal(parseInstant('2026-12-03T10:00Z'), at('2026-12-03T10:00:00Z'));
    for (const text of [
      '2026-02-30T00:00:00Z',
      '2026-12-03T10:00:00',
      '2026-12-03T10:00:00+01:00',
      '2026-12-03',
      'yesterday',
      '2026-12-03T24:00:00Z',
    ]) {
      assert.equal(isInstant(text), false, text);
      assert.throws(() => parseInstant(text), { code: 'CONSENT_TIME' });
    }
  });
});
