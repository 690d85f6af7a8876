import assert from 'node:assert/strict';
import { Backoff, BackoffError } from '../../lib/backoff';

/** A random source that always returns the same draw. */
const constant = (value: number) => (): number => value;

/** A source that replays the given draws in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('backoff', () => {
  it('grows the ceiling exponentially from initialMs', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 1_000_000, random: constant(1) });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000]);
    assert.equal(backoff.attempt, 6);
  });

  it('follows the factor it is given', () => {
    const backoff = new Backoff({
      initialMs: 100,
      maxMs: 100_000,
      factor: 3,
      minMs: 0,
      random: constant(1),
    });
    assert.deepEqual(
      [backoff.next(), backoff.next(), backoff.next(), backoff.next()],
      [100, 300, 900, 2700],
    );
  });

  it('caps the delay at maxMs however many attempts failed', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000, random: constant(1) });
    const delays = Array.from({ length: 2000 }, () => backoff.next());
    assert.equal(Math.max(...delays), 60_000);
    assert.deepEqual(delays.slice(6, 10), [60_000, 60_000, 60_000, 60_000]);
    // factor ** attempt overflowed to Infinity long ago: still capped, still a number.
    assert.equal(backoff.attempt, 2000);
    assert.equal(backoff.next(), 60_000);
  });

  it('draws each delay uniformly between the floor and the ceiling', () => {
    const backoff = new Backoff({
      initialMs: 1000,
      maxMs: 60_000,
      minMs: 100,
      random: sequence(0, 0.5, 0.25),
    });
    // ceilings 1000, 2000, 4000; delay = 100 + draw * (ceiling - 100)
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [100, 1050, 1075]);
  });

  it('keeps random delays within bounds and never below the floor', () => {
    let state = 12345;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, minMs: 100, random });
    for (let round = 0; round < 50; round++) {
      for (let attempt = 0; attempt < 12; attempt++) {
        const ceiling = backoff.ceiling;
        assert.equal(ceiling, Math.min(30_000, 500 * 2 ** attempt));
        const delay = backoff.next();
        assert.ok(
          delay >= 100 && delay <= ceiling,
          `attempt ${attempt}: ${delay} outside [100, ${ceiling}]`,
        );
      }
      backoff.reset();
    }
  });

  it('is jittered: two clients that failed together spread out', () => {
    const a = new Backoff({ random: sequence(0.1, 0.9, 0.3) });
    const b = new Backoff({ random: sequence(0.7, 0.2, 0.8) });
    for (let i = 0; i < 3; i++) assert.notEqual(a.next(), b.next());
  });

  it('is deterministic with an injected random source', () => {
    const draws = [0.42, 0.07, 0.99, 0.5, 0.31];
    const run = (): number[] => {
      const backoff = new Backoff({ random: sequence(...draws) });
      return draws.map(() => backoff.next());
    };
    assert.deepEqual(run(), run());
  });

  it('clamps draws outside [0, 1) from an injected source', () => {
    const backoff = new Backoff({ initialMs: 1000, random: sequence(1.5, -0.2, Number.NaN) });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [1000, 100, 100]);
  });

  it('never lifts a delay above a ceiling smaller than the floor', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 40, random: constant(0) });
    assert.deepEqual(
      [backoff.next(), backoff.next(), backoff.next(), backoff.next()],
      [10, 20, 40, 40],
    );
  });

  it('starts again from initialMs after reset()', () => {
    const backoff = new Backoff({ initialMs: 1000, random: constant(1) });
    for (let i = 0; i < 5; i++) backoff.next();
    assert.equal(backoff.attempt, 5);
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.equal(backoff.ceiling, 1000);
    assert.equal(backoff.next(), 1000);
    assert.equal(backoff.next(), 2000);
  });

  it('uses sensible defaults: 1 s growing to 60 s, doubling', () => {
    const backoff = new Backoff({ random: constant(1) });
    assert.equal(backoff.initialMs, 1000);
    assert.equal(backoff.maxMs, 60_000);
    assert.equal(backoff.factor, 2);
    assert.equal(backoff.minMs, 100);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  it('refuses settings that would never back off or never come back, saying which and why', () => {
    const refuses = (
      options: ConstructorParameters<typeof Backoff>[0],
      messageId: string,
      message: RegExp,
    ): void =>
      assert.throws(
        () => new Backoff(options),
        (err: unknown) =>
          err instanceof BackoffError &&
          err.code === 'BACKOFF_OPTIONS' &&
          err.messageId === messageId &&
          message.test(err.message),
      );
    refuses(
      { initialMs: 0 },
      'BACKOFF_INITIAL',
      /^backoff initialMs must be a positive number of ms, not 0$/,
    );
    refuses({ initialMs: Number.NaN }, 'BACKOFF_INITIAL', /not NaN$/);
    refuses(
      { initialMs: 1000, maxMs: 500 },
      'BACKOFF_MAX',
      /^backoff maxMs must be a number of ms at least initialMs \(1000\), not 500$/,
    );
    refuses({ maxMs: Number.POSITIVE_INFINITY }, 'BACKOFF_MAX', /not Infinity$/);
    refuses(
      { factor: 0.5 },
      'BACKOFF_FACTOR',
      /^backoff factor must be a number of at least 1, not 0\.5$/,
    );
    refuses(
      { minMs: -1 },
      'BACKOFF_MIN',
      /^backoff minMs must be a number of ms, 0 or more, not -1$/,
    );
  });
});
