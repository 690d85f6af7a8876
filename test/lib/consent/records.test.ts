import { strict as assert } from 'node:assert';
import { ConsentError } from '../../../lib/consent/errors';
import type { ConsentRecord } from '../../../lib/consent/model';
import {
  appendEvent,
  isRecipient,
  newConsentRecord,
  validateConsentRecord,
} from '../../../lib/consent/records';
import { ADVISOR, METER, SERVICE_PROVISION, given, householdConsent } from './fixtures';

function plain(record: ConsentRecord): Record<string, unknown> {
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}

function rejects(value: unknown, messageId: string, words: RegExp): void {
  assert.throws(
    () => validateConsentRecord(value),
    (err: unknown) => {
      assert.ok(err instanceof ConsentError, String(err));
      assert.equal(err.messageId, messageId, err.message);
      assert.match(err.message, words);
      return true;
    },
  );
}

describe('consent records', () => {
  it('a new record has a UUID, its purpose as the DPV IRI, and its first event', () => {
    const record = householdConsent({
      granularity: 'PT1H',
      period: { start: '2026-01-01T00:00:00Z' },
    });
    assert.match(
      record.id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.notEqual(record.id, householdConsent().id);
    assert.equal(record.purpose, SERVICE_PROVISION);
    assert.equal(record.recipient, ADVISOR);
    assert.deepEqual(record.scope, {
      names: [METER],
      granularity: 'PT1H',
      period: { start: '2026-01-01T00:00:00Z' },
    });
    assert.equal(record.events.length, 1);
    assert.equal(record.events[0].validity, 'P1Y');
    // A valid record survives JSON and validation unchanged.
    assert.deepEqual(validateConsentRecord(plain(record)), record);
  });

  it('events are appended to a new record, never backwards in time', () => {
    const record = householdConsent();
    const withdrawn = appendEvent(record, {
      type: 'withdrawn',
      time: '2026-03-01T08:00:00Z',
      evidence: { method: 'dashboard', by: 'household-12' },
    });
    assert.equal(record.events.length, 1, 'the record given is left as it was');
    assert.deepEqual(
      withdrawn.events.map((e) => e.type),
      ['given', 'withdrawn'],
    );
    assert.throws(
      () => appendEvent(withdrawn, given('2026-02-01T00:00:00Z')),
      (err: unknown) =>
        err instanceof ConsentError &&
        err.code === 'CONSENT_EVENT' &&
        err.message.includes(record.id) &&
        err.message.includes('2026-02-01T00:00:00Z') &&
        err.message.includes('2026-03-01T08:00:00Z'),
    );
    // The same instant is not going backwards.
    assert.equal(appendEvent(withdrawn, given('2026-03-01T08:00:00Z')).events.length, 3);
  });

  it('names the field that is wrong', () => {
    const good = plain(householdConsent());
    const id = good.id as string;
    const scope = good.scope as Record<string, unknown>;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { ...good, purpose: 'help with energy bills' },
        'CONSENT_RECORD_PURPOSE',
        /"purpose".*help with energy bills.*ServiceProvision/,
      ],
      [{ ...good, retention: '30 days' }, 'CONSENT_RECORD_DURATION', /"retention".*"30 days"/],
      [
        { ...good, scope: { ...scope, granularity: 'PT5M' } },
        'CONSENT_RECORD_GRANULARITY',
        /scope\.granularity.*"PT5M"/,
      ],
      [
        { ...good, recipient: 'advisor@sen2.test/laptop' },
        'CONSENT_RECORD_RECIPIENT',
        /bare JID.*advisor@sen2\.test\/laptop/,
      ],
      [{ ...good, recipient: 'advisor@@sen2.test' }, 'CONSENT_RECORD_RECIPIENT', /recipient/],
      [{ ...good, subject: '' }, 'CONSENT_RECORD_NOT_TEXT', /"subject"/],
      [
        { ...good, scope: { ...scope, names: 'urn:dev' } },
        'CONSENT_RECORD_NOT_LIST',
        /"scope\.names"/,
      ],
      [{ ...good, scope: { ...scope, names: [METER, ''] } }, 'CONSENT_RECORD_PATTERN', /pattern 1/],
      [
        { ...good, scope: { ...scope, aggregation: { W: 'median' } } },
        'CONSENT_RECORD_AGGREGATION',
        /"W".*"median"/,
      ],
      [
        {
          ...good,
          scope: {
            ...scope,
            period: { start: '2026-06-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
          },
        },
        'CONSENT_RECORD_PERIOD_ORDER',
        /2026-06-01/,
      ],
      [
        { ...good, scope: { ...scope, period: { end: '2026-13-01T00:00:00Z' } } },
        'CONSENT_RECORD_TIME',
        /scope\.period\.end/,
      ],
      [
        { ...good, events: [{ type: 'granted', time: '2026-01-01T00:00:00Z' }] },
        'CONSENT_RECORD_EVENT_TYPE',
        /event 0.*"granted"/,
      ],
      [
        { ...good, events: [{ type: 'given', time: 'today' }] },
        'CONSENT_RECORD_TIME',
        /events\[0\]\.time/,
      ],
      [
        { ...good, events: [{ type: 'withdrawn', time: '2026-01-01T00:00:00Z', validity: 'P1Y' }] },
        'CONSENT_RECORD_EVENT_VALIDITY',
        /only a "given" event/,
      ],
      [
        {
          ...good,
          events: [
            { type: 'given', time: '2026-01-01T00:00:00Z', evidence: { method: 'fax', by: 'x' } },
          ],
        },
        'CONSENT_RECORD_EVIDENCE_METHOD',
        /"fax".*web-form/,
      ],
      [{ ...good, retention: undefined }, 'CONSENT_RECORD_FIELD_MISSING', /"retention" is missing/],
    ];
    for (const [value, messageId, words] of cases) {
      rejects(value, messageId, words);
      // The message names the record.
      rejects(value, messageId, new RegExp(id));
    }
    rejects(null, 'CONSENT_RECORD_NOT_OBJECT', /null/);
    rejects([good], 'CONSENT_RECORD_NOT_OBJECT', /object/);
  });

  it('a recipient is a bare JID or a domain', () => {
    for (const ok of ['advisor@sen2.test', 'sen2.test', 'localhost', 'énergie@coopé.example'])
      assert.equal(isRecipient(ok), true, ok);
    for (const bad of [
      'advisor@sen2.test/res',
      '@sen2.test',
      'advisor@',
      'a b@sen2.test',
      'sen2..test',
      '-x.test',
      '',
    ])
      assert.equal(isRecipient(bad), false, bad);
  });

  it('newConsentRecord checks what it is given', () => {
    assert.throws(
      () =>
        newConsentRecord(
          {
            subject: 'household-12',
            recipient: ADVISOR,
            purpose: 'Advice',
            scope: { names: [METER], granularity: 'raw' },
            retention: 'P30D',
          },
          given('2026-01-01T00:00:00Z'),
        ),
      { code: 'CONSENT_RECORD' },
    );
  });
});
