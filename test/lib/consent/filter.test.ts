import { strict as assert } from 'node:assert';
import { filterPack } from '../../../lib/consent/filter';
import { CONSENT_MESSAGES } from '../../../lib/consent/messages';
import { appendEvent } from '../../../lib/consent/records';
import type { ConsentEvent } from '../../../lib/consent/model';
import type { ResolvedPack } from '../../../lib/senml/model';
import {
  ADVISOR,
  ENERGY,
  METER,
  POWER,
  at,
  given,
  householdConsent,
  meterReadings,
  seconds,
} from './fixtures';

describe('consent filter', () => {
  const now = at('2026-12-03T12:00:00Z');
  const request = { recipient: `${ADVISOR}/laptop`, purpose: 'dpv:ServiceProvision', now };
  const pack = meterReadings('2026-12-03T10:00:00Z', 12, 600); // 10:00 to 11:50, every 10 min

  it('denies by default: without a consent nothing passes, and each record says why', () => {
    const out = filterPack(pack, [], request);
    assert.deepEqual(out.allowed, []);
    assert.equal(out.withheld.length, pack.length);
    out.withheld.forEach((w, i) => {
      assert.equal(w.index, i);
      assert.equal(w.record, pack[i]);
      assert.equal(w.reason.messageId, 'CONSENT_WITHHELD_NO_CONSENT');
      assert.equal(w.reason.code, 'CONSENT_WITHHELD');
      assert.match(w.reason.message, /advisor@sen2\.test.*ServiceProvision/);
    });
    assert.deepEqual(out.consents, []);
    assert.equal(out.retention, undefined);
  });

  it('a raw consent lets every covered record through as it is, for a full JID of the recipient', () => {
    const consent = householdConsent();
    const out = filterPack(pack, [consent], request);
    assert.deepEqual(out.allowed, pack);
    assert.deepEqual(out.withheld, []);
    assert.deepEqual(out.consents, [consent]);
    assert.equal(out.retention, 'P30D');
  });

  it('another recipient, purpose or subject gets nothing', () => {
    const consent = householdConsent();
    for (const other of [
      { ...request, recipient: 'auditor@sen2.test' },
      { ...request, purpose: 'https://w3id.org/dpv#CommercialResearch' },
      { ...request, subject: 'household-13' },
    ]) {
      const out = filterPack(pack, [consent], other);
      assert.equal(out.allowed.length, 0, JSON.stringify(other));
      assert.equal(out.withheld[0].reason.messageId, 'CONSENT_WITHHELD_NO_CONSENT');
    }
    assert.equal(
      filterPack(pack, [consent], { ...request, subject: 'household-12' }).allowed.length,
      pack.length,
    );
    assert.throws(() => filterPack(pack, [consent], { ...request, purpose: 'advice' }), {
      code: 'CONSENT_PURPOSE',
    });
  });

  it('removes the names a consent does not cover, naming the consent', () => {
    const consent = householdConsent({ names: ['urn:dev:mac:*:power'] });
    const out = filterPack(pack, [consent], request);
    assert.ok(out.allowed.every((r) => r.n === POWER));
    assert.equal(out.allowed.length, 12);
    assert.equal(out.withheld.length, 12);
    for (const w of out.withheld) {
      assert.equal(w.record.n, ENERGY);
      assert.equal(w.consent, consent.id);
      assert.equal(w.reason.messageId, 'CONSENT_WITHHELD_NAME');
      assert.ok(w.reason.message.includes(consent.id));
      assert.ok(w.reason.message.includes('urn:dev:mac:*:power'));
    }
  });

  it('removes the records whose own time is outside the period, both ends inclusive', () => {
    const consent = householdConsent({
      period: { start: '2026-12-03T10:30:00Z', end: '2026-12-03T11:00:00Z' },
    });
    const out = filterPack(pack, [consent], request);
    const times = [...new Set(out.allowed.map((r) => r.t))];
    assert.deepEqual(times, [
      seconds('2026-12-03T10:30:00Z'),
      seconds('2026-12-03T10:40:00Z'),
      seconds('2026-12-03T10:50:00Z'),
      seconds('2026-12-03T11:00:00Z'),
    ]);
    const reason = out.withheld[0].reason;
    assert.equal(reason.messageId, 'CONSENT_WITHHELD_PERIOD');
    assert.match(
      reason.message,
      /2026-12-03T10:00:00\.000Z.*2026-12-03T10:30:00Z\/2026-12-03T11:00:00Z/,
    );
    assert.equal(out.withheld[0].consent, consent.id);
  });

  it('after withdrawal, expiry, refusal or a mere request nothing passes, and the reason says which', () => {
    const base = householdConsent({}, given('2026-01-01T00:00:00Z'));
    const withdrawn = appendEvent(base, { type: 'withdrawn', time: '2026-12-03T11:59:00Z' });
    const lapsed = householdConsent({}, given('2026-11-01T00:00:00Z', 'P1M'));
    const refused = householdConsent({}, { type: 'refused', time: '2026-11-01T00:00:00Z' });
    const requested = householdConsent({}, { type: 'requested', time: '2026-11-02T00:00:00Z' });
    const cases = [
      [withdrawn, 'CONSENT_WITHHELD_WITHDRAWN', '2026-12-03T11:59:00Z'],
      [lapsed, 'CONSENT_WITHHELD_EXPIRED', '2026-12-01T00:00:00.000Z'],
      [refused, 'CONSENT_WITHHELD_REFUSED', '2026-11-01T00:00:00Z'],
      [requested, 'CONSENT_WITHHELD_REQUESTED', '2026-11-02T00:00:00Z'],
    ] as const;
    for (const [consent, messageId, time] of cases) {
      const out = filterPack(pack, [consent], request);
      assert.deepEqual(out.allowed, [], messageId);
      assert.equal(out.withheld.length, pack.length);
      assert.equal(out.withheld[0].reason.messageId, messageId);
      assert.equal(out.withheld[0].consent, consent.id);
      assert.ok(out.withheld[0].reason.message.includes(time), out.withheld[0].reason.message);
      assert.ok(out.withheld[0].reason.message.includes(consent.id));
    }
    // As of a moment before the withdrawal, the same record still allowed it.
    assert.equal(
      filterPack(pack, [withdrawn], { ...request, now: at('2026-12-03T11:58:00Z') }).allowed.length,
      pack.length,
    );
  });

  it('one consents list judged again and again follows the clock and changes made in place', () => {
    // The filter keeps what it worked out for a list; none of it may outlive a change of state.
    const consent = householdConsent({}, given('2026-12-03T10:00:00Z', 'PT2H'));
    const list = [consent];
    const judge = (iso: string): number =>
      filterPack(pack, list, { ...request, now: at(iso) }).allowed.length;
    assert.equal(judge('2026-12-03T11:00:00Z'), pack.length);
    assert.equal(judge('2026-12-03T11:59:59.999Z'), pack.length);
    assert.equal(judge('2026-12-03T12:00:00Z'), 0, 'the validity ended at 12:00');
    assert.equal(judge('2026-12-03T09:59:59Z'), 0, 'before it was given');
    assert.equal(judge('2026-12-03T10:00:00Z'), pack.length);
    // A withdrawal written into the same record, dated a little later.
    (consent.events as ConsentEvent[]).push({ type: 'withdrawn', time: '2026-12-03T10:30:00Z' });
    assert.equal(judge('2026-12-03T10:29:00Z'), pack.length);
    const after = filterPack(pack, list, { ...request, now: at('2026-12-03T10:30:00Z') });
    assert.equal(after.allowed.length, 0);
    assert.equal(after.withheld[0].reason.messageId, 'CONSENT_WITHHELD_WITHDRAWN');
    // A consent added to the same array.
    list.push(householdConsent({}, given('2026-12-03T10:40:00Z')));
    assert.equal(judge('2026-12-03T11:00:00Z'), pack.length);
  });

  it('an hourly consent sends hourly means of power and increases of energy, nothing withheld', () => {
    const consent = householdConsent({ granularity: 'PT1H' });
    const out = filterPack(pack, [consent], request);
    assert.deepEqual(out.withheld, []);
    assert.deepEqual(
      out.allowed.map((r) => [r.n, r.t]),
      [
        [ENERGY, seconds('2026-12-03T10:00:00Z')],
        [POWER, seconds('2026-12-03T10:00:00Z')],
        [ENERGY, seconds('2026-12-03T11:00:00Z')],
        [POWER, seconds('2026-12-03T11:00:00Z')],
      ],
    );
    const firstHourPower = pack
      .filter((r) => r.n === POWER)
      .slice(0, 6)
      .map((r) => r.v as number);
    assert.equal(out.allowed[1].v, firstHourPower.reduce((a, b) => a + b, 0) / 6);
    assert.equal(out.allowed[1].u, 'W');
    assert.equal(out.allowed[0].u, 'Wh');
  });

  it('when several consents cover a record, the finest granularity wins', () => {
    const daily = householdConsent({ granularity: 'P1D' });
    const raw = householdConsent({ names: [POWER], granularity: 'raw' });
    const out = filterPack(pack, [daily, raw], request);
    const rawPower = out.allowed.filter((r) => r.n === POWER);
    assert.equal(rawPower.length, 12, 'power raw');
    const energy = out.allowed.filter((r) => r.n === ENERGY);
    assert.deepEqual(
      energy.map((r) => r.t),
      [seconds('2026-12-03T00:00:00Z')],
      'energy daily',
    );
    assert.deepEqual(out.consents, [daily, raw]);
  });

  it('the retention carried is the shortest of the consents that allowed something', () => {
    const long = householdConsent({ names: [POWER] }, undefined, { retention: 'P1M' });
    const short = householdConsent({ names: [ENERGY] }, undefined, { retention: 'P29D' });
    const unused = householdConsent({ names: [`${METER}voltage`] }, undefined, {
      retention: 'P1D',
    });
    // From December 3rd a month is 31 days, longer than P29D.
    assert.equal(filterPack(pack, [long, short, unused], request).retention, 'P29D');
    // From February 3rd (2027) a month is 28 days, shorter.
    const february = { ...request, now: at('2027-02-03T00:00:00Z') };
    const feb = meterReadings('2026-12-03T10:00:00Z', 2, 600);
    const longFeb = householdConsent({ names: [POWER] }, given('2026-01-01T00:00:00Z'), {
      retention: 'P1M',
    });
    const shortFeb = householdConsent({ names: [ENERGY] }, given('2026-01-01T00:00:00Z'), {
      retention: 'P29D',
    });
    assert.equal(filterPack(feb, [longFeb, shortFeb], february).retention, 'P1M');
  });

  it('a domain consent covers every JID of that domain', () => {
    const consent = householdConsent({}, undefined, { recipient: 'sen2.test' });
    assert.equal(
      filterPack(pack, [consent], { ...request, recipient: 'auditor@sen2.test/x' }).allowed.length,
      pack.length,
    );
    assert.equal(
      filterPack(pack, [consent], { ...request, recipient: 'auditor@sen3.test' }).allowed.length,
      0,
    );
  });

  it('every reason is a sentence of the consent messages table', () => {
    const small: ResolvedPack = [{ n: POWER, u: 'W', t: seconds('2026-12-03T10:00:00Z'), v: 1 }];
    const reason = filterPack(small, [], request).withheld[0].reason;
    assert.ok(reason.messageId in CONSENT_MESSAGES);
    assert.equal(reason.params.name, POWER);
  });
});
