import { sentence, type Sentence, type SentenceParams } from '../errors';
import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import { aggregateRecords, type UnitAggregations, type WindowGranularity } from './aggregate';
import { addDuration, formatInstant, instantMs, isDuration } from './duration';
import { consentState, eventAt, splitJid, validUntil } from './evaluate';
import { CONSENT_MESSAGES, type ConsentMessageId } from './messages';
import type { ConsentRecord, ConsentState, Granularity } from './model';
import { compileNamePatterns, type NameMatcher } from './patterns';
import { DPV_NAMESPACE, findPurpose, purposeIri } from './purposes';

/**
 * The consent filter: what of a resolved pack may go to a recipient for a
 * purpose at a moment, and why the rest may not. Default deny: a record passes
 * only under a consent that is active at `now`, for this recipient and purpose
 * (and subject, when one is asked for), whose names cover the record's name and
 * whose period covers its own time `t`.
 */
export interface FilterRequest {
  /** Who the data goes to: a bare or full JID (compared bare), or a domain. */
  recipient: string;
  /** A DPV purpose: its IRI, `dpv:Name` or `Name`. */
  purpose: string;
  /** Only this data subject's consents count. */
  subject?: string;
  /** The moment to judge at, ms since the epoch. */
  now: number;
}

export interface WithheldRecord {
  /** The record's index in the pack as given. */
  index: number;
  record: ResolvedRecord;
  reason: Sentence;
  /** The consent the reason names, by id. */
  consent?: string;
}

export interface FilterOutcome {
  /**
   * What may be sent: the records allowed raw, in the pack's order; when some
   * were summarised, those summaries too, and the whole sorted by time then name.
   */
  allowed: ResolvedPack;
  /** Every record kept back, with why. Records summarised into an aggregate are not among them. */
  withheld: WithheldRecord[];
  /** The consents that let something through, in the order given. */
  consents: ConsentRecord[];
  /** How long the recipient may keep it: the shortest retention of `consents`. */
  retention?: string;
}

/** Finest first: when several consents cover a record, the finest granularity wins. */
const GRANULARITY_RANK: Readonly<Record<Granularity, number>> = {
  raw: 0,
  PT15M: 1,
  PT1H: 2,
  P1D: 3,
};
const WINDOWS: readonly WindowGranularity[] = ['PT15M', 'PT1H', 'P1D'];

/** What the filter needs of a consent, worked out once per record object. */
interface CompiledConsent {
  readonly purpose: string | undefined;
  readonly recipient: { local?: string; domain: string } | undefined;
  readonly covers: NameMatcher;
  /** The period, in seconds since the epoch like a record's `t`, both ends inclusive. */
  readonly start: number;
  readonly end: number;
  readonly rank: number;
  readonly granularity: Granularity;
}

const COMPILED = new WeakMap<ConsentRecord, CompiledConsent>();

function compiled(consent: ConsentRecord): CompiledConsent {
  let found = COMPILED.get(consent);
  if (found === undefined) {
    found = compile(consent);
    COMPILED.set(consent, found);
  }
  return found;
}

function compile(consent: ConsentRecord): CompiledConsent {
  const scope = consent.scope;
  let covers: NameMatcher;
  try {
    covers = compileNamePatterns(scope?.names ?? []);
  } catch {
    covers = () => false; // a pattern that cannot be read covers nothing
  }
  // A period bound that cannot be read covers nothing, rather than everything.
  const period = scope?.period;
  const start =
    period?.start === undefined ? -Infinity : (instantMs(period.start) ?? Infinity) / 1000;
  const end = period?.end === undefined ? Infinity : (instantMs(period.end) ?? -Infinity) / 1000;
  const granularity = scope?.granularity;
  const rank = Object.hasOwn(GRANULARITY_RANK, granularity) ? GRANULARITY_RANK[granularity] : -1;
  return {
    purpose: findPurpose(consent.purpose)?.iri,
    recipient: splitJid(consent.recipient),
    covers,
    start,
    end,
    rank,
    granularity,
  };
}

/**
 * The consents of a list by purpose and recipient (a JID, or a whole domain;
 * their places in the list), made once per list: the store hands out the same list until a change
 * replaces it, so that a call looks only at the few consents of its recipient.
 */
const INDEXES = new WeakMap<readonly ConsentRecord[], Map<string, number[]>>();

const routeKey = (purpose: string, domain: string, local = ''): string =>
  `${purpose}\u0000${domain}\u0000${local}`;

function indexOf(consents: readonly ConsentRecord[]): Map<string, number[]> {
  let index = INDEXES.get(consents);
  if (index === undefined) {
    index = new Map();
    for (let order = 0; order < consents.length; order += 1) {
      const c = compiled(consents[order]);
      if (c.purpose === undefined || c.recipient === undefined) continue;
      const key = routeKey(c.purpose, c.recipient.domain, c.recipient.local);
      let orders = index.get(key);
      if (orders === undefined) index.set(key, (orders = []));
      orders.push(order);
    }
    INDEXES.set(consents, index);
  }
  return index;
}

interface Candidate {
  readonly consent: ConsentRecord;
  readonly compiled: CompiledConsent;
  readonly state: ConsentState;
  /** Its place among the consents given, to list them in that order. */
  readonly order: number;
}

export function filterPack(
  pack: ResolvedPack,
  consents: readonly ConsentRecord[],
  request: FilterRequest,
): FilterOutcome {
  const { now } = request;
  const purpose = purposeIri(request.purpose);
  const asked = splitJid(request.recipient);
  const active: Candidate[] = [];
  const inactive: Candidate[] = [];
  if (asked !== undefined) {
    const index = indexOf(consents);
    // The consents to this JID, then those to its whole domain, in list order.
    const orders = [
      ...(index.get(routeKey(purpose, asked.domain, asked.local)) ?? []),
      ...(asked.local === undefined ? [] : (index.get(routeKey(purpose, asked.domain)) ?? [])),
    ].sort((a, b) => a - b);
    for (const order of orders) {
      const consent = consents[order];
      const c = compiled(consent);
      if (c.rank === -1) continue;
      if (request.subject !== undefined && consent.subject !== request.subject) continue;
      const r = c.recipient;
      if (r === undefined || r.domain !== asked.domain) continue;
      if (r.local !== undefined && r.local !== asked.local) continue;
      const state = consentState(consent, now);
      (state === 'active' ? active : inactive).push({ consent, compiled: c, state, order });
    }
  }
  active.sort((a, b) => a.compiled.rank - b.compiled.rank || a.order - b.order);

  const judge = new Judge(active, inactive, request);
  const allowed: ResolvedPack = [];
  const withheld: WithheldRecord[] = [];
  const used = new Set<Candidate>();
  const windows = new Map<
    WindowGranularity,
    { records: ResolvedRecord[]; units: (UnitAggregations | undefined)[] }
  >();
  for (let index = 0; index < pack.length; index += 1) {
    const record = pack[index];
    const route = judge.route(record.n);
    let chosen: Candidate | undefined;
    for (const candidate of route.active) {
      if (record.t >= candidate.compiled.start && record.t <= candidate.compiled.end) {
        chosen = candidate;
        break;
      }
    }
    if (chosen === undefined) {
      const why = judge.whyWithheld(record, route);
      withheld.push(
        why.consent === undefined
          ? { index, record, reason: why.reason }
          : { index, record, reason: why.reason, consent: why.consent },
      );
      continue;
    }
    used.add(chosen);
    const granularity = chosen.compiled.granularity;
    if (granularity === 'raw') {
      allowed.push(record);
      continue;
    }
    let window = windows.get(granularity);
    if (window === undefined) windows.set(granularity, (window = { records: [], units: [] }));
    window.records.push(record);
    window.units.push(chosen.consent.scope.aggregation);
  }
  // One aggregation per granularity, over all its consents: one record per name and window.
  if (windows.size > 0) {
    for (const granularity of WINDOWS) {
      const window = windows.get(granularity);
      if (window !== undefined) {
        for (const summary of aggregateRecords(window.records, granularity, window.units))
          allowed.push(summary);
      }
    }
    allowed.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  }
  const allowing = [...used].sort((a, b) => a.order - b.order).map((c) => c.consent);
  const outcome: FilterOutcome = { allowed, withheld, consents: allowing };
  const retention = shortestRetention(allowing, now);
  if (retention !== undefined) outcome.retention = retention;
  return outcome;
}

type Reason = { reason: Sentence; consent?: string };

/** The consents covering one name: active ones finest first, then the others. */
interface Route {
  readonly active: readonly Candidate[];
  readonly inactive: readonly Candidate[];
}

/**
 * The consents of one call, by name: a pack holds many readings of few names,
 * so each name's patterns are tested once per call, not once per record, and a
 * reason that does not depend on the record's time is said once per name.
 */
class Judge {
  private readonly routes = new Map<string, Route>();
  private readonly reasons = new Map<Candidate | string, Reason>();

  constructor(
    private readonly active: readonly Candidate[],
    private readonly inactive: readonly Candidate[],
    private readonly request: FilterRequest,
  ) {}

  route(name: string): Route {
    let route = this.routes.get(name);
    if (route === undefined) {
      route = {
        active: this.active.filter((c) => c.compiled.covers(name)),
        inactive: this.inactive.filter((c) => c.compiled.covers(name)),
      };
      this.routes.set(name, route);
    }
    return route;
  }

  /**
   * Why no consent let the record through, naming the consent that comes
   * closest: one that would cover it but is not active (withdrawn, expired, …),
   * else an active one covering its name but not its time, else an active one
   * not covering its name; without any consent for this recipient and purpose, that.
   */
  whyWithheld(record: ResolvedRecord, route: Route): Reason {
    const { t } = record;
    const wouldCover = route.inactive.find((c) => t >= c.compiled.start && t <= c.compiled.end);
    if (wouldCover !== undefined) return this.stateReason(wouldCover);
    if (route.active.length > 0) {
      const consent = route.active[0].consent;
      const period = consent.scope.period;
      return said('CONSENT_WITHHELD_PERIOD', consent.id, {
        name: record.n,
        time: formatInstant(t * 1000),
        period: `${period?.start ?? '..'}/${period?.end ?? '..'}`,
      });
    }
    const closest = this.active[0] ?? route.inactive[0] ?? this.inactive[0];
    if (closest !== undefined && closest.state !== 'active') return this.stateReason(closest);
    let reason = this.reasons.get(record.n);
    if (reason === undefined) {
      reason =
        closest === undefined
          ? said('CONSENT_WITHHELD_NO_CONSENT', undefined, {
              recipient: this.request.recipient,
              name: record.n,
              purpose: `dpv:${purposeIri(this.request.purpose).slice(DPV_NAMESPACE.length)}`,
            })
          : said('CONSENT_WITHHELD_NAME', closest.consent.id, {
              name: record.n,
              patterns: closest.consent.scope.names.join(', '),
            });
      this.reasons.set(record.n, reason);
    }
    return reason;
  }

  private stateReason(candidate: Candidate): Reason {
    let reason = this.reasons.get(candidate);
    if (reason === undefined) {
      reason = stateReason(candidate, this.request.now);
      this.reasons.set(candidate, reason);
    }
    return reason;
  }
}

function stateReason(candidate: Candidate, now: number): Reason {
  const { consent, state } = candidate;
  const time = eventAt(consent, now)?.time ?? '';
  switch (state) {
    case 'withdrawn':
      return said('CONSENT_WITHHELD_WITHDRAWN', consent.id, { time });
    case 'refused':
      return said('CONSENT_WITHHELD_REFUSED', consent.id, { time });
    case 'requested':
      return said('CONSENT_WITHHELD_REQUESTED', consent.id, { time });
    case 'expired':
      return said('CONSENT_WITHHELD_EXPIRED', consent.id, { time });
    case 'lapsed': {
      const end = validUntil(consent, now);
      return said('CONSENT_WITHHELD_EXPIRED', consent.id, {
        time: end === undefined ? time : formatInstant(end),
      });
    }
    default:
      return said('CONSENT_WITHHELD_NEVER_GIVEN', consent.id, {});
  }
}

function said(
  messageId: ConsentMessageId,
  consent: string | undefined,
  params: SentenceParams,
): Reason {
  const all = consent === undefined ? params : { consent, ...params };
  const reason = sentence(messageId, CONSENT_MESSAGES[messageId], all);
  return consent === undefined ? { reason } : { reason, consent };
}

/** The shortest of the retentions, compared by the instant each reaches from `now`. */
function shortestRetention(consents: readonly ConsentRecord[], now: number): string | undefined {
  let shortest: string | undefined;
  let shortestEnd = Infinity;
  for (const { retention } of consents) {
    if (!isDuration(retention)) continue;
    const end = addDuration(now, retention);
    if (end < shortestEnd) {
      shortest = retention;
      shortestEnd = end;
    }
  }
  return shortest;
}
