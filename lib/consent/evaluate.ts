import { addDuration, instantMs, isDuration } from './duration';
import type { ConsentEvent, ConsentRecord, ConsentState } from './model';

/**
 * Where a consent stands at a moment, read from its events. Pure: the moment is
 * always passed in (`now`, ms since the epoch), never read from a clock here, so
 * that a long-running flow never judges with a time taken once at load.
 *
 * Only the events at or before `now` count: a record read "as of" an earlier
 * moment says what it said then, and an event dated in the future has not
 * happened yet.
 */

interface EventTimes {
  /** The events the times were read from, to notice an array that grew. */
  readonly length: number;
  /** Each event's time, ms (NaN for a time that cannot be read: such an event never counts). */
  readonly times: readonly number[];
  /** For a `given` event, when its validity ends (ms); undefined: until withdrawn. */
  readonly ends: readonly (number | undefined)[];
}

// Records are evaluated for every pack: their times are read once per events list.
const TIMES = new WeakMap<readonly ConsentEvent[], EventTimes>();

function timesOf(record: ConsentRecord): EventTimes {
  const cached = TIMES.get(record.events);
  if (cached !== undefined && cached.length === record.events.length) return cached;
  const times = record.events.map((event) => instantMs(event.time) ?? Number.NaN);
  // A validity that cannot be read ends at once: an unreadable limit never widens a consent.
  const ends = record.events.map((event, i) =>
    event.type !== 'given' || event.validity === undefined
      ? undefined
      : isDuration(event.validity)
        ? addDuration(times[i], event.validity)
        : times[i],
  );
  const read = { length: record.events.length, times, ends };
  TIMES.set(record.events, read);
  return read;
}

/** The index of the event in force at `now` (the last one at or before it), or -1. */
function indexAt(record: ConsentRecord, now: number): number {
  const { times } = timesOf(record);
  for (let i = times.length - 1; i >= 0; i -= 1) if (times[i] <= now) return i;
  return -1;
}

/** The event in force at `now`: the last one at or before it. */
export function eventAt(record: ConsentRecord, now: number): ConsentEvent | undefined {
  const i = indexAt(record, now);
  return i === -1 ? undefined : record.events[i];
}

/**
 * `active` when the event in force is `given` and its validity has not passed
 * (a validity of P30D from 10:00 ends at 10:00 thirty days later: from then on it
 * has passed); `lapsed` when it has passed but no `expired` event was written yet;
 * otherwise that event's type; `none` without an event.
 */
export function consentState(record: ConsentRecord, now: number): ConsentState {
  const i = indexAt(record, now);
  if (i === -1) return 'none';
  const event = record.events[i];
  if (event.type !== 'given') return event.type;
  const end = timesOf(record).ends[i];
  return end !== undefined && now >= end ? 'lapsed' : 'active';
}

/**
 * The span of time around `now` in which `consentState(record, ·)` cannot change:
 * from the last event time or validity end at or before `now` (inclusive) to the
 * first one after it (exclusive). A caller may keep a state worked out at `now`
 * for any moment in the span.
 */
export function stateSpan(record: ConsentRecord, now: number): { from: number; until: number } {
  const { times, ends } = timesOf(record);
  let from = -Infinity;
  let until = Infinity;
  for (let i = 0; i < times.length; i += 1) {
    for (const at of [times[i], ends[i]]) {
      if (at === undefined || Number.isNaN(at)) continue;
      if (at <= now) from = Math.max(from, at);
      else until = Math.min(until, at);
    }
  }
  return { from, until };
}

export function isActive(record: ConsentRecord, now: number): boolean {
  return consentState(record, now) === 'active';
}

/**
 * When the consent stops being valid (ms): the end of the validity of its last
 * event (of the one in force at `now` when given) if that is a `given` event with
 * a validity. Undefined when it was given until withdrawn, or is not given.
 */
export function validUntil(record: ConsentRecord, now?: number): number | undefined {
  const i = now === undefined ? record.events.length - 1 : indexAt(record, now);
  if (i === -1 || record.events[i].type !== 'given') return undefined;
  return timesOf(record).ends[i];
}

/**
 * Whether a consent for `consentRecipient` (a bare JID or a domain) covers the
 * entity `jid`. A full JID `a@d/res` is compared bare (RFC 7622 §3: the resource
 * names a connection, not a party); a domain covers every JID at that domain, not
 * its subdomains. Domains and localparts compare case-insensitively, as XMPP
 * servers map them (RFC 7622 §3.2.2, §3.3.2).
 */
export function recipientCovers(consentRecipient: string, jid: string): boolean {
  const wanted = splitJid(consentRecipient);
  const asked = splitJid(jid);
  if (wanted === undefined || asked === undefined) return false;
  if (wanted.domain !== asked.domain) return false;
  return wanted.local === undefined || wanted.local === asked.local;
}

/**
 * Whether a share (an audit entry, as read from anywhere) went to `jid`: its
 * recipient covers it, or, for a PubSub item, one of the node's members then.
 */
export function shareReaches(
  entry: { recipient?: unknown; channel?: unknown; members?: unknown },
  jid: string,
): boolean {
  if (typeof entry.recipient === 'string' && recipientCovers(entry.recipient, jid)) return true;
  return (
    entry.channel === 'pubsub' &&
    Array.isArray(entry.members) &&
    entry.members.some((member) => typeof member === 'string' && recipientCovers(member, jid))
  );
}

/** The localpart (if any) and domain of a JID, lower-cased, its resource dropped. */
export function splitJid(jid: string): { local?: string; domain: string } | undefined {
  if (typeof jid !== 'string') return undefined;
  const slash = jid.indexOf('/');
  const bare = (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
  const at = bare.indexOf('@');
  const domain = at === -1 ? bare : bare.slice(at + 1);
  if (domain.length === 0 || at === 0) return undefined;
  return at === -1 ? { domain } : { local: bare.slice(0, at), domain };
}

/**
 * The records whose validity has passed at `now` without an `expired` event
 * written yet: those to append one to (at `validUntil(record)`).
 */
export function dueExpiries(records: readonly ConsentRecord[], now: number): ConsentRecord[] {
  return records.filter((record) => consentState(record, now) === 'lapsed');
}
