import { ConsentError } from './errors';

/**
 * ISO 8601 times as consent records write them: durations (`P1Y`, `P30D`,
 * `PT15M`, `PT0.5S`) and instants in UTC (`2026-12-03T10:00:00.000Z`).
 */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  /** May have a fraction (`PT1.5S`). */
  seconds: number;
}

/*
 * ISO 8601-1 §5.5.2.4 "PnYnMnWnDTnHnMnS", every part optional but at least one
 * present, and at least one after a `T`. Only the seconds take a fraction, with
 * `.` or `,` as the decimal sign (§3.2.6). Weeks combined with other parts is the
 * 2019 edition's reading; no negative durations.
 */
const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const MS_PER_DAY = 86_400_000;

/** The duration written in `text`, or a ConsentError saying it is not one. */
export function parseDuration(text: string): Duration {
  const parts = typeof text === 'string' ? DURATION.exec(text) : null;
  if (parts === null || text === 'P' || text.endsWith('T')) {
    throw new ConsentError('CONSENT_DURATION_INVALID', { text: String(text) });
  }
  const whole = (i: number): number => (parts[i] === undefined ? 0 : Number(parts[i]));
  return {
    years: whole(1),
    months: whole(2),
    weeks: whole(3),
    days: whole(4),
    hours: whole(5),
    minutes: whole(6),
    seconds: parts[7] === undefined ? 0 : Number(parts[7].replace(',', '.')),
  };
}

export function isDuration(text: unknown): text is string {
  return typeof text === 'string' && DURATION.test(text) && text !== 'P' && !text.endsWith('T');
}

/**
 * The instant `duration` after `instantMs`, in UTC. Years and months move the
 * calendar date and keep the time of day; a day that does not exist in the
 * target month is pinned to its last day (Jan 31 + P1M = Feb 28, or 29 in a
 * leap year), as XML Schema 1.1 Part 2 Appendix E.3.3 adds durations to
 * dateTimes. Weeks, days and the time part are then added as exact lengths: in
 * UTC a day is always 86,400 s (POSIX time has no leap seconds).
 */
export function addDuration(instantMs: number, duration: Duration | string): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  let result = instantMs;
  const months = d.years * 12 + d.months;
  if (months !== 0) {
    const date = new Date(instantMs);
    const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
    const year = Math.floor(monthIndex / 12);
    const month = monthIndex - year * 12;
    const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
    const timeOfDay =
      instantMs - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    const start = new Date(0);
    start.setUTCFullYear(year, month, day);
    result = start.getTime() + timeOfDay;
  }
  const exact =
    (d.weeks * 7 + d.days) * MS_PER_DAY +
    d.hours * 3_600_000 +
    d.minutes * 60_000 +
    Math.round(d.seconds * 1000);
  return result + exact;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month + 1, 0);
  return date.getUTCDate();
}

/*
 * RFC 3339 §5.6 date-time, in UTC only ("Z" or a zero offset), seconds optional,
 * any number of fraction digits (milliseconds are kept).
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|[+-]00:00)$/i;

/** Milliseconds since the epoch of an ISO 8601 UTC time, or a ConsentError. */
export function parseInstant(text: string): number {
  const ms = instantMs(text);
  if (ms === undefined) throw new ConsentError('CONSENT_TIME_INVALID', { text: String(text) });
  return ms;
}

/** Milliseconds since the epoch of an ISO 8601 UTC time; undefined when it is not one. */
export function instantMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = INSTANT.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

export function isInstant(text: unknown): text is string {
  return instantMs(text) !== undefined;
}

/** The ISO 8601 UTC text of an instant, with milliseconds (`2026-12-03T10:00:00.000Z`). */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}
