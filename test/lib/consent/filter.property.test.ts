/**
 * Property-based tests of the consent filter: for random packs, consents
 * (random events, validities, periods, patterns and granularities), clocks and
 * recipients, the filter agrees with a plain oracle written here from the rules
 * alone (it calls nothing of lib/consent but the filter and record checks).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { filterPack, type FilterOutcome, type FilterRequest } from '../../../lib/consent/filter';
import { CONSENT_MESSAGES } from '../../../lib/consent/messages';
import type {
  ConsentEvent,
  ConsentEventType,
  ConsentRecord,
  Granularity,
} from '../../../lib/consent/model';
import { validateConsentRecord } from '../../../lib/consent/records';
import type { ResolvedPack, ResolvedRecord } from '../../../lib/senml/model';

const DAY = 86_400;
const T0 = Date.parse('2026-12-01T00:00:00Z') / 1000;

const NAMES = [
  'urn:dev:mac:0024befffe804ff1:power',
  'urn:dev:mac:0024befffe804ff1:energy',
  'urn:dev:mac:0024befffe804ff1:voltage',
  'urn:dev:mac:0024befffe804ff2:power',
  'urn:dev:mac:0024befffe804ff2:state',
];
const PATTERNS = [
  'urn:dev:mac:0024befffe804ff1:',
  'urn:dev:mac:*:power',
  'urn:dev:mac:0024befffe804ff1:energy',
  'urn:dev:mac:0024befffe804ff2:',
  '*voltage',
  '*ff2:*e',
  'urn:dev:',
  'urn:dev:mac:',
];
const CONSENT_RECIPIENTS = [
  'advisor@sen2.test',
  'sen2.test',
  'auditor@sen2.test',
  'advisor@sen3.test',
];
const ASKING = [
  'advisor@sen2.test',
  'advisor@sen2.test/laptop',
  'Advisor@SEN2.test',
  'auditor@sen2.test',
  'x@sen3.test',
  'sen2.test',
];
const PURPOSES = [
  'https://w3id.org/dpv#ServiceProvision',
  'https://w3id.org/dpv#NonCommercialResearch',
];
const SUBJECTS = ['household-12', 'household-13'];
/** Validities whose length the oracle knows without any calendar. */
const VALIDITY_SECONDS: Record<string, number> = {
  PT6H: 6 * 3600,
  P1D: DAY,
  P2D: 2 * DAY,
  P1W: 7 * DAY,
  P4W: 28 * DAY,
};
const WINDOW: Record<Exclude<Granularity, 'raw'>, number> = { PT15M: 900, PT1H: 3600, P1D: DAY };
const RANK: Record<Granularity, number> = { raw: 0, PT15M: 1, PT1H: 2, P1D: 3 };

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

// --- generators -----------------------------------------------------------

const recordArb: fc.Arbitrary<ResolvedRecord> = fc
  .record({
    n: fc.constantFrom(...NAMES),
    t: fc.integer({ min: 0, max: 3 * DAY * 4 }).map((q) => T0 + q * 15), // any 15 s in 3 days
    v: fc.integer({ min: 0, max: 5000 }),
  })
  .map(({ n, t, v }) =>
    n.endsWith('state')
      ? { n, t, vs: v % 2 === 0 ? 'on' : 'off' }
      : n.endsWith('energy')
        ? { n, t, u: 'Wh', v: 1_000_000 + v }
        : { n, t, u: n.endsWith('voltage') ? 'V' : 'W', v },
  );

const packArb = fc.array(recordArb, { minLength: 0, maxLength: 40 });

const eventsArb: fc.Arbitrary<ConsentEvent[]> = fc
  .array(
    fc.record({
      type: fc.oneof(
        { arbitrary: fc.constant<ConsentEventType>('given'), weight: 5 },
        {
          arbitrary: fc.constantFrom<ConsentEventType>(
            'withdrawn',
            'expired',
            'refused',
            'requested',
          ),
          weight: 2,
        },
      ),
      gap: fc.integer({ min: 0, max: DAY / 2 }),
      validity: fc.option(fc.constantFrom('PT6H', 'P1D', 'P2D', 'P1W', 'P4W', 'P4W', 'P4W'), {
        nil: undefined,
        freq: 2,
      }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .chain((steps) =>
    fc.integer({ min: T0 - 2 * DAY, max: T0 }).map((start) => {
      let time = start;
      return steps.map(({ type, gap, validity }) => {
        time += gap;
        const event: ConsentEvent = { type, time: iso(time) };
        if (type === 'given' && validity !== undefined) event.validity = validity;
        return event;
      });
    }),
  );

const periodArb = fc.option(
  fc
    .tuple(
      fc.option(fc.integer({ min: T0 - 2 * DAY, max: T0 + 2 * DAY }), { nil: undefined }),
      fc.option(fc.integer({ min: T0 + DAY, max: T0 + 5 * DAY }), { nil: undefined }),
    )
    .map(([a, b]) => {
      const [start, end] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
      const period: { start?: string; end?: string } = {};
      if (start !== undefined) period.start = iso(start);
      if (end !== undefined) period.end = iso(end);
      return period;
    }),
  { nil: undefined, freq: 2 },
);

const consentArb = (id: string): fc.Arbitrary<ConsentRecord> =>
  fc
    .record({
      subject: fc.constantFrom(...SUBJECTS),
      recipient: fc.constantFrom(...CONSENT_RECIPIENTS),
      purpose: fc.constantFrom(...PURPOSES),
      names: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }),
      granularity: fc.constantFrom<Granularity>('raw', 'PT15M', 'PT1H', 'P1D'),
      period: periodArb,
      retention: fc.constantFrom('P1D', 'P30D', 'P1Y'),
      events: eventsArb,
    })
    .map(({ names, granularity, period, ...rest }) =>
      validateConsentRecord({
        id,
        ...rest,
        scope: period === undefined ? { names, granularity } : { names, granularity, period },
      }),
    );

const consentsArb = fc
  .integer({ min: 0, max: 8 })
  .chain((count) =>
    fc.tuple(...Array.from({ length: count }, (_, i) => consentArb(`consent-${i}`))),
  );

const nowArb = fc.integer({ min: T0 - DAY / 2, max: T0 + 4 * DAY }).map((s) => s * 1000);

const anyRequestArb: fc.Arbitrary<FilterRequest> = fc.record(
  {
    recipient: fc.constantFrom(...ASKING),
    purpose: fc.constantFrom(...PURPOSES, 'dpv:ServiceProvision'),
    subject: fc.constantFrom(...SUBJECTS),
    now: nowArb,
  },
  { requiredKeys: ['recipient', 'purpose', 'now'] },
);

/** A request aimed at one consent, as its recipient would send it (full JID, other case, …). */
function requestFor(consent: ConsentRecord): fc.Arbitrary<FilterRequest> {
  const r = consent.recipient;
  const asking = r.includes('@') ? [r, `${r}/laptop`, r.toUpperCase()] : [`meter-reader@${r}/a`, r];
  return fc.record(
    {
      recipient: fc.constantFrom(...asking),
      purpose: fc.constantFrom(
        consent.purpose,
        consent.purpose.replace('https://w3id.org/dpv#', 'dpv:'),
      ),
      subject: fc.constant(consent.subject),
      now: nowArb,
    },
    { requiredKeys: ['recipient', 'purpose', 'now'] },
  );
}

/** Consents, and a request: most often aimed at one of them, so that something passes. */
const scenarioArb: fc.Arbitrary<[ResolvedPack, ConsentRecord[], FilterRequest]> = fc
  .tuple(packArb, consentsArb)
  .chain(([pack, consents]) =>
    fc
      .oneof(
        { arbitrary: anyRequestArb, weight: 1 },
        ...(consents.length === 0
          ? []
          : [{ arbitrary: fc.constantFrom(...consents).chain(requestFor), weight: 4 }]),
      )
      .map((request): [ResolvedPack, ConsentRecord[], FilterRequest] => [pack, consents, request]),
  );

// --- the oracle: the rules, written out plainly ----------------------------

function activeAt(consent: ConsentRecord, now: number): boolean {
  const past = consent.events.filter((e) => Date.parse(e.time) <= now);
  const last = past[past.length - 1];
  if (last === undefined || last.type !== 'given') return false;
  if (last.validity === undefined) return true;
  return now < Date.parse(last.time) + VALIDITY_SECONDS[last.validity] * 1000;
}

function forRecipient(consentRecipient: string, asking: string): boolean {
  const bare = asking.split('/')[0].toLowerCase();
  const wanted = consentRecipient.toLowerCase();
  if (wanted.includes('@')) return bare === wanted;
  return (bare.includes('@') ? bare.slice(bare.indexOf('@') + 1) : bare) === wanted;
}

function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return name.startsWith(pattern);
  const pieces = pattern.split('*');
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (!name.startsWith(first) || !name.endsWith(last) || name.length < first.length + last.length)
    return false;
  let at = first.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, at);
    if (found === -1 || found + piece.length > name.length - last.length) return false;
    at = found + piece.length;
  }
  return true;
}

function covers(consent: ConsentRecord, record: ResolvedRecord, request: FilterRequest): boolean {
  if (consent.purpose !== request.purpose.replace(/^dpv:/, 'https://w3id.org/dpv#')) return false;
  if (request.subject !== undefined && consent.subject !== request.subject) return false;
  if (!forRecipient(consent.recipient, request.recipient)) return false;
  if (!activeAt(consent, request.now)) return false;
  if (!consent.scope.names.some((p) => nameMatches(p, record.n))) return false;
  const { start, end } = consent.scope.period ?? {};
  if (start !== undefined && record.t < Date.parse(start) / 1000) return false;
  if (end !== undefined && record.t > Date.parse(end) / 1000) return false;
  return true;
}

/** The finest granularity any covering consent allows the record at, or undefined. */
function finestAllowed(
  consents: readonly ConsentRecord[],
  record: ResolvedRecord,
  request: FilterRequest,
): Granularity | undefined {
  let finest: Granularity | undefined;
  for (const consent of consents) {
    if (!covers(consent, record, request)) continue;
    const g = consent.scope.granularity;
    if (finest === undefined || RANK[g] < RANK[finest]) finest = g;
  }
  return finest;
}

const windowOf = (t: number, g: Exclude<Granularity, 'raw'>): number =>
  Math.floor(t / WINDOW[g]) * WINDOW[g];

/** Every output record either is an input record (sent raw) or a summary. */
function split(
  pack: ResolvedPack,
  out: FilterOutcome,
): { raw: Set<ResolvedRecord>; summaries: ResolvedRecord[] } {
  const inputs = new Set(pack);
  const raw = new Set<ResolvedRecord>();
  const summaries: ResolvedRecord[] = [];
  for (const r of out.allowed) {
    if (inputs.has(r)) raw.add(r);
    else summaries.push(r);
  }
  return { raw, summaries };
}

const RUNS = { numRuns: 1000 };

describe('consent filter: properties', () => {
  it('(1) nothing leaves without an active consent for its recipient, purpose, name and period', () => {
    fc.assert(
      fc.property(scenarioArb, ([pack, consents, request]) => {
        const out = filterPack(pack, consents, request);
        const { raw, summaries } = split(pack, out);
        for (const record of raw) {
          assert.equal(
            finestAllowed(consents, record, request),
            'raw',
            `${record.n} @ ${iso(record.t)} sent raw`,
          );
        }
        for (const summary of summaries) {
          const behind = pack.filter((r) => {
            const g = finestAllowed(consents, r, request);
            return (
              r.n === summary.n && g !== undefined && g !== 'raw' && windowOf(r.t, g) === summary.t
            );
          });
          assert.ok(
            behind.length > 0,
            `summary ${summary.n} @ ${iso(summary.t)} stands for no allowed record`,
          );
        }
        // And the other way round: nothing covered is withheld.
        for (const w of out.withheld)
          assert.equal(finestAllowed(consents, w.record, request), undefined);
        for (const consent of out.consents) assert.ok(activeAt(consent, request.now));
      }),
      RUNS,
    );
  });

  it('(2) summaries never reveal a finer granularity than allowed: one per name and window start', () => {
    fc.assert(
      fc.property(scenarioArb, ([pack, consents, request]) => {
        const out = filterPack(pack, consents, request);
        const { summaries } = split(pack, out);
        // The windows the oracle expects: one per granularity, name and window start.
        const expected = new Map<string, number>();
        const seen = new Set<string>();
        for (const r of pack) {
          const g = finestAllowed(consents, r, request);
          if (g === undefined || g === 'raw') continue;
          const window = `${g} ${r.n} ${windowOf(r.t, g)}`;
          if (seen.has(window)) continue;
          seen.add(window);
          const key = `${r.n} ${windowOf(r.t, g)}`;
          expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        const got = new Map<string, number>();
        for (const s of summaries) got.set(`${s.n} ${s.t}`, (got.get(`${s.n} ${s.t}`) ?? 0) + 1);
        assert.deepEqual([...got].sort(), [...expected].sort());
      }),
      RUNS,
    );
  });

  it('(3) a consent withdrawn at T lets nothing pass at any moment after T', () => {
    fc.assert(
      fc.property(
        packArb,
        consentArb('consent-w'),
        fc.integer({ min: 0, max: 5 * DAY }),
        fc.integer({ min: 0, max: 30 * DAY }),
        anyRequestArb,
        (pack, consent, gap, after, request) => {
          const last = consent.events[consent.events.length - 1];
          const T = (last === undefined ? T0 - 7 * DAY : Date.parse(last.time) / 1000) + gap;
          const withdrawn = validateConsentRecord({
            ...consent,
            events: [...consent.events, { type: 'withdrawn', time: iso(T) }],
          });
          const now = T * 1000 + after * 1000;
          // Aimed at the consent, so that only the withdrawal can stop it.
          const asked: FilterRequest = {
            ...request,
            recipient: withdrawn.recipient,
            purpose: withdrawn.purpose,
            subject: withdrawn.subject,
            now,
          };
          const out = filterPack(pack, [withdrawn], asked);
          assert.deepEqual(out.allowed, []);
          assert.deepEqual(out.consents, []);
          assert.equal(out.withheld.length, pack.length);
          for (const w of out.withheld) assert.equal(w.consent, withdrawn.id);
          if (pack.length > 0) {
            assert.equal(out.withheld[0].reason.messageId, 'CONSENT_WITHHELD_WITHDRAWN');
          }
        },
      ),
      RUNS,
    );
  });

  it('(4) every record is sent raw, summarised, or withheld with a reason, exactly one of these', () => {
    fc.assert(
      fc.property(scenarioArb, ([pack, consents, request]) => {
        const out = filterPack(pack, consents, request);
        const { raw, summaries } = split(pack, out);
        const summarised = new Set(summaries.map((s) => `${s.n} ${s.t}`));
        const withheld = new Map(out.withheld.map((w) => [w.index, w]));
        assert.equal(withheld.size, out.withheld.length, 'each record withheld once');
        pack.forEach((record, index) => {
          const g = finestAllowed(consents, record, request);
          const w = withheld.get(index);
          if (g === undefined) {
            assert.ok(w !== undefined, `record ${index} neither sent nor withheld`);
            assert.equal(w.record, record);
            assert.ok(w.reason.messageId in CONSENT_MESSAGES);
            assert.equal(w.reason.code, 'CONSENT_WITHHELD');
            assert.ok(w.reason.message.length > 0);
            if (w.consent !== undefined) assert.ok(consents.some((c) => c.id === w.consent));
            assert.equal(raw.has(record), false);
          } else if (g === 'raw') {
            assert.ok(raw.has(record), `record ${index} allowed raw but not sent`);
            assert.equal(w, undefined);
          } else {
            assert.ok(
              summarised.has(`${record.n} ${windowOf(record.t, g)}`),
              `record ${index} not summarised`,
            );
            assert.equal(raw.has(record), false, 'a summarised record is not sent raw too');
            assert.equal(w, undefined, 'a summarised record is not withheld');
          }
        });
      }),
      RUNS,
    );
  });
});
