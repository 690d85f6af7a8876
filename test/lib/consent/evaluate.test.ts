import { strict as assert } from 'node:assert';
import {
  consentState,
  dueExpiries,
  isActive,
  recipientCovers,
  validUntil,
} from '../../../lib/consent/evaluate';
import { appendEvent } from '../../../lib/consent/records';
import { at, given, householdConsent } from './fixtures';

describe('consent evaluation', () => {
  const monthLong = householdConsent({}, given('2026-01-31T09:00:00Z', 'P1M'));

  it('is active from the given event until its validity has passed, then lapsed', () => {
    assert.equal(
      consentState(monthLong, at('2026-01-31T08:59:59Z')),
      'none',
      'before it was given',
    );
    assert.equal(consentState(monthLong, at('2026-01-31T09:00:00Z')), 'active');
    assert.equal(consentState(monthLong, at('2026-02-28T08:59:59.999Z')), 'active');
    // Jan 31 + P1M is Feb 28 (2026 is not a leap year).
    assert.equal(validUntil(monthLong), at('2026-02-28T09:00:00Z'));
    assert.equal(consentState(monthLong, at('2026-02-28T09:00:00Z')), 'lapsed');
    assert.equal(isActive(monthLong, at('2026-03-15T00:00:00Z')), false);
  });

  it('without a validity, a consent stays active until withdrawn', () => {
    const open = householdConsent({}, given('2026-01-01T00:00:00Z'));
    assert.equal(validUntil(open), undefined);
    assert.equal(consentState(open, at('2036-01-01T00:00:00Z')), 'active');
    const withdrawn = appendEvent(open, { type: 'withdrawn', time: '2026-06-01T12:00:00Z' });
    assert.equal(consentState(withdrawn, at('2026-06-01T11:59:59Z')), 'active', 'as of before');
    assert.equal(consentState(withdrawn, at('2026-06-01T12:00:00Z')), 'withdrawn');
    assert.equal(validUntil(withdrawn), undefined);
    const regiven = appendEvent(withdrawn, given('2026-09-01T00:00:00Z', 'P30D'));
    assert.equal(consentState(regiven, at('2026-09-10T00:00:00Z')), 'active');
    assert.equal(validUntil(regiven), at('2026-10-01T00:00:00Z'));
    assert.equal(validUntil(regiven, at('2026-07-01T00:00:00Z')), undefined, 'withdrawn then');
  });

  it('reads the other states from the last event', () => {
    const requested = householdConsent({}, { type: 'requested', time: '2026-01-01T00:00:00Z' });
    assert.equal(consentState(requested, at('2026-02-01T00:00:00Z')), 'requested');
    const refused = appendEvent(requested, { type: 'refused', time: '2026-01-02T00:00:00Z' });
    assert.equal(consentState(refused, at('2026-02-01T00:00:00Z')), 'refused');
    const expired = appendEvent(monthLong, { type: 'expired', time: '2026-02-28T09:00:00Z' });
    assert.equal(consentState(expired, at('2026-03-01T00:00:00Z')), 'expired');
  });

  it('lists the consents whose validity passed without an expired event', () => {
    const open = householdConsent({}, given('2026-01-01T00:00:00Z'));
    const expired = appendEvent(monthLong, { type: 'expired', time: '2026-02-28T09:00:00Z' });
    const now = at('2026-03-01T00:00:00Z');
    assert.deepEqual(dueExpiries([open, monthLong, expired], now), [monthLong]);
    assert.deepEqual(dueExpiries([open, monthLong, expired], at('2026-02-01T00:00:00Z')), []);
  });

  it('a domain covers every JID of that domain; full JIDs compare bare, case-insensitively', () => {
    assert.equal(recipientCovers('advisor@sen2.test', 'advisor@sen2.test/laptop'), true);
    assert.equal(recipientCovers('advisor@sen2.test', 'Advisor@SEN2.test'), true);
    assert.equal(recipientCovers('advisor@sen2.test', 'auditor@sen2.test'), false);
    assert.equal(recipientCovers('advisor@sen2.test', 'sen2.test'), false);
    assert.equal(recipientCovers('sen2.test', 'auditor@sen2.test/r1'), true);
    assert.equal(recipientCovers('sen2.test', 'sen2.test'), true);
    assert.equal(recipientCovers('sen2.test', 'pubsub.sen2.test'), false, 'not subdomains');
    assert.equal(recipientCovers('sen2.test', 'advisor@sen3.test'), false);
    assert.equal(recipientCovers('Sen2.Test', 'a@sen2.test'), true);
  });
});
