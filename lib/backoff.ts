import { SenfedError, type MessageTable } from './errors';

/** The sentences of the backoff: settings that cannot work. */
export const BACKOFF_MESSAGES = {
  BACKOFF_INITIAL: {
    code: 'BACKOFF_OPTIONS',
    en: 'backoff initialMs must be a positive number of ms, not {value}',
  },
  BACKOFF_MAX: {
    code: 'BACKOFF_OPTIONS',
    en: 'backoff maxMs must be a number of ms at least initialMs ({initialMs}), not {value}',
  },
  BACKOFF_FACTOR: {
    code: 'BACKOFF_OPTIONS',
    en: 'backoff factor must be a number of at least 1, not {value}',
  },
  BACKOFF_MIN: {
    code: 'BACKOFF_OPTIONS',
    en: 'backoff minMs must be a number of ms, 0 or more, not {value}',
  },
} as const satisfies MessageTable;

type BackoffMessageId = keyof typeof BACKOFF_MESSAGES;

/** A backoff setting that cannot work: a wait that is not a number, a factor below 1. */
export class BackoffError extends SenfedError {
  constructor(messageId: BackoffMessageId, params: Readonly<Record<string, string>>) {
    super(messageId, BACKOFF_MESSAGES[messageId], params);
    this.name = 'BackoffError';
  }
}

/**
 * Exponential backoff with "full jitter" for reconnect attempts.
 *
 * The XMPP client library retries every second, forever and in lock-step. When
 * a server restarts, every Node-RED instance of every organisation connected to
 * it would then knock on the door at the same second. Growing the delay spreads
 * the load over time, and drawing each delay at random between a floor and the
 * current ceiling (rather than adding a little noise to a fixed delay) keeps
 * clients that lost the server at the same moment from staying synchronised.
 *
 *   ceiling(attempt) = min(maxMs, initialMs * factor ^ attempt)
 *   delay            = uniform in [floor, ceiling(attempt)]
 *   floor            = min(minMs, ceiling(attempt))
 *
 * The floor keeps an unlucky draw close to 0 from turning into a hot retry
 * loop; it never lifts a delay above the ceiling, so a caller who asks for
 * `initialMs: 10` (in a test, say) still gets delays of at most 10 ms.
 */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 1000. */
  initialMs?: number;
  /** Largest ceiling, in ms, however many attempts failed. Default 60000. */
  maxMs?: number;
  /** How much the ceiling grows per failed attempt. Default 2. */
  factor?: number;
  /** Shortest delay, in ms (see the floor above). Default 100. */
  minMs?: number;
  /** Source of randomness in [0, 1); inject one to make delays reproducible. */
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly minMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    const {
      initialMs = 1000,
      maxMs = 60_000,
      factor = 2,
      minMs = 100,
      random = Math.random,
    } = options;
    // A bad setting here would show up hours later as a reconnect storm or a
    // client that never comes back, so refuse it at construction.
    if (!(Number.isFinite(initialMs) && initialMs > 0))
      throw new BackoffError('BACKOFF_INITIAL', { value: String(initialMs) });
    if (!(Number.isFinite(maxMs) && maxMs >= initialMs))
      throw new BackoffError('BACKOFF_MAX', { initialMs: String(initialMs), value: String(maxMs) });
    if (!(Number.isFinite(factor) && factor >= 1))
      throw new BackoffError('BACKOFF_FACTOR', { value: String(factor) });
    if (!(Number.isFinite(minMs) && minMs >= 0))
      throw new BackoffError('BACKOFF_MIN', { value: String(minMs) });
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.minMs = minMs;
    this.#random = random;
  }

  /** How many delays were handed out since the last success (or construction). */
  get attempt(): number {
    return this.#attempt;
  }

  /** The largest delay the next call to `next()` may return, in ms. */
  get ceiling(): number {
    // factor ** attempt reaches Infinity after enough failures; min() then
    // settles on maxMs, so the attempt counter may grow without harm.
    return Math.min(this.maxMs, this.initialMs * this.factor ** this.#attempt);
  }

  /** The delay before the next attempt, in whole ms; counts one more attempt. */
  next(): number {
    const ceiling = this.ceiling;
    const floor = Math.min(this.minMs, ceiling);
    // Clamp the draw: an injected source returning 1, a little below 0 or NaN
    // must not push the delay outside [floor, ceiling].
    const raw = this.#random();
    const draw = raw >= 0 ? Math.min(1, raw) : 0;
    this.#attempt++;
    return Math.round(floor + draw * (ceiling - floor));
  }

  /** Call once connected: the next failure starts again from `initialMs`. */
  reset(): void {
    this.#attempt = 0;
  }
}
