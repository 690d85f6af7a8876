import { sentence, type Sentence, type SentenceParams } from '../errors';
import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import {
  aggregateRecords,
  byTimeThenName,
  type UnitAggregations,
  type WindowGranularity,
} from './aggregate';
import { addDuration, formatInstant, instantMs, isDuration } from './duration';
import { consentState, eventAt, splitJid, stateSpan, validUntil } from './evaluate';
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
  /** Its retention, when it is a duration. */
  readonly retention: string | undefined;
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
    retention: isDuration(consent.retention) ? consent.retention : undefined,
  };
}

/**
 * What is kept for one consents list: its consents by purpose and recipient (a
 * JID, or a whole domain; their places in the list), and the plans of the
 * requests made against it. The consent store hands out the same list until a
 * change replaces it, so that a call looks only at the few consents of its
 * recipient. A list that grew or shrank in place is read again.
 */
interface ListCache {
  readonly length: number;
  readonly index: Map<string, number[]>;
  /** By purpose, recipient and subject as asked (no key string to build per call). */
  readonly plans: Map<string, Map<string, Map<string, Plan>>>;
}

const LISTS = new WeakMap<readonly ConsentRecord[], ListCache>();

const routeKey = (purpose: string, domain: string, local = ''): string =>
  `${purpose}\u0000${domain}\u0000${local}`;

function listCacheOf(consents: readonly ConsentRecord[]): ListCache {
  let cache = LISTS.get(consents);
  if (cache === undefined || cache.length !== consents.length) {
    const index = new Map<string, number[]>();
    for (let order = 0; order < consents.length; order += 1) {
      const c = compiled(consents[order]);
      if (c.purpose === undefined || c.recipient === undefined) continue;
      const key = routeKey(c.purpose, c.recipient.domain, c.recipient.local);
      let orders = index.get(key);
      if (orders === undefined) index.set(key, (orders = []));
      orders.push(order);
    }
    cache = { length: consents.length, index, plans: new Map() };
    LISTS.set(consents, cache);
  }
  return cache;
}

interface Candidate {
  readonly consent: ConsentRecord;
  readonly compiled: CompiledConsent;
  readonly state: ConsentState;
  /** Its place among the consents given, to list them in that order. */
  readonly order: number;
  /** The call that last let a record through under it. */
  usedIn: number;
}

/**
 * What one kind of request (a recipient, a purpose, a subject) looks at in one
 * consents list, kept with the list: its consents, and their states as of a
 * moment for as long as none of them can change (a later event, a validity
 * running out). A pack then costs little more than a look-up per record.
 */
interface Plan {
  readonly consents: readonly {
    consent: ConsentRecord;
    compiled: CompiledConsent;
    order: number;
  }[];
  /** Each consent's events list and its length when planned, to notice one changed in place. */
  readonly events: readonly (readonly unknown[])[];
  readonly lengths: readonly number[];
  states?: PlannedStates;
}

interface PlannedStates {
  readonly from: number;
  readonly until: number;
  readonly active: readonly Candidate[];
  readonly judge: Judge;
}

/** Past this many recipients (or names seen by one plan), the oldest are forgotten. */
const PLAN_LIMIT = 1024;
const ROUTE_LIMIT = 4096;
const ANY_SUBJECT = '\u0000any';
let calls = 0;

function planOf(consents: readonly ConsentRecord[], request: FilterRequest): Plan {
  const { plans: byPurpose } = listCacheOf(consents);
  let byRecipient = byPurpose.get(request.purpose);
  if (byRecipient === undefined) byPurpose.set(request.purpose, (byRecipient = new Map()));
  let bySubject = byRecipient.get(request.recipient);
  if (bySubject === undefined) {
    if (byRecipient.size >= PLAN_LIMIT) byRecipient.delete(byRecipient.keys().next().value!);
    byRecipient.set(request.recipient, (bySubject = new Map()));
  }
  const subject = request.subject ?? ANY_SUBJECT;
  let plan = bySubject.get(subject);
  if (plan === undefined || !unchanged(plan, consents)) {
    plan = makePlan(consents, request);
    if (bySubject.size >= PLAN_LIMIT) bySubject.delete(bySubject.keys().next().value!);
    bySubject.set(subject, plan);
  }
  return plan;
}

/** Whether the plan's consents are still in their places, with the same events. */
function unchanged(plan: Plan, consents: readonly ConsentRecord[]): boolean {
  for (let i = 0; i < plan.consents.length; i += 1) {
    const { consent, order } = plan.consents[i];
    if (consents[order] !== consent) return false;
    const events = consent.events;
    if (events !== plan.events[i] || events.length !== plan.lengths[i]) return false;
  }
  return true;
}

function makePlan(consents: readonly ConsentRecord[], request: FilterRequest): Plan {
  const purpose = purposeIri(request.purpose);
  const asked = splitJid(request.recipient);
  const planned: { consent: ConsentRecord; compiled: CompiledConsent; order: number }[] = [];
  if (asked !== undefined) {
    const { index } = listCacheOf(consents);
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
      planned.push({ consent, compiled: c, order });
    }
  }
  return {
    consents: planned,
    events: planned.map((p) => p.consent.events),
    lengths: planned.map((p) => p.consent.events.length),
  };
}

function statesOf(plan: Plan, request: FilterRequest): PlannedStates {
  const { now } = request;
  const kept = plan.states;
  if (kept !== undefined && now >= kept.from && now < kept.until && kept.judge.fresh()) return kept;
  const active: Candidate[] = [];
  const inactive: Candidate[] = [];
  let from = -Infinity;
  let until = Infinity;
  for (const { consent, compiled: c, order } of plan.consents) {
    const state = consentState(consent, now);
    const span = stateSpan(consent, now);
    from = Math.max(from, span.from);
    until = Math.min(until, span.until);
    (state === 'active' ? active : inactive).push({
      consent,
      compiled: c,
      state,
      order,
      usedIn: 0,
    });
  }
  active.sort((a, b) => a.compiled.rank - b.compiled.rank || a.order - b.order);
  const states = { from, until, active, judge: new Judge(active, inactive, request) };
  plan.states = states;
  return states;
}

/**
 * What of `pack` may go to the request's recipient, for its purpose, at its
 * moment. `consents` is read as a snapshot, as the consent store hands it out:
 * what is worked out from it is kept for the next call with the same array, and
 * read again when the array grows or shrinks or one of the consents it matched
 * gets another events list or event. An array whose other elements are replaced
 * in place must be passed as a new array.
 */
export function filterPack(
  pack: ResolvedPack,
  consents: readonly ConsentRecord[],
  request: FilterRequest,
): FilterOutcome {
  const { now } = request;
  const { judge } = statesOf(planOf(consents, request), request);
  const call = (calls += 1);
  const allowed: ResolvedPack = [];
  const withheld: WithheldRecord[] = [];
  const used: Candidate[] = [];
  let windows:
    | Map<WindowGranularity, { records: ResolvedRecord[]; units: (UnitAggregations | undefined)[] }>
    | undefined;
  let lastGranularity: Granularity | undefined;
  let lastWindow:
    { records: ResolvedRecord[]; units: (UnitAggregations | undefined)[] } | undefined;
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
    if (chosen.usedIn !== call) {
      chosen.usedIn = call;
      used.push(chosen);
    }
    const granularity = chosen.compiled.granularity;
    if (granularity === 'raw') {
      allowed.push(record);
      continue;
    }
    windows ??= new Map();
    let window = granularity === lastGranularity ? lastWindow : windows.get(granularity);
    if (window === undefined) windows.set(granularity, (window = { records: [], units: [] }));
    lastGranularity = granularity;
    lastWindow = window;
    window.records.push(record);
    window.units.push(chosen.consent.scope.aggregation);
  }
  // One aggregation per granularity, over all its consents: one record per name and window.
  if (windows !== undefined) {
    const raw = allowed.length;
    for (const granularity of WINDOWS) {
      const window = windows.get(granularity);
      if (window !== undefined) {
        for (const summary of aggregateRecords(window.records, granularity, window.units))
          allowed.push(summary);
      }
    }
    // Each aggregation comes sorted; only a mix needs sorting again.
    if (raw > 0 || windows.size > 1) allowed.sort(byTimeThenName);
  }
  if (used.length > 1) used.sort((a, b) => a.order - b.order);
  const allowing = used.map((c) => c.consent);
  const outcome: FilterOutcome = { allowed, withheld, consents: allowing };
  const retention =
    used.length === 1 ? used[0].compiled.retention : shortestRetention(allowing, now);
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

  /** Whether it still holds few enough names to be kept. */
  fresh(): boolean {
    return this.routes.size < ROUTE_LIMIT && this.reasons.size < ROUTE_LIMIT;
  }

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
export function shortestRetention(
  consents: readonly ConsentRecord[],
  now: number,
): string | undefined {
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
