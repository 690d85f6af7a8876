import { strict as assert } from 'node:assert';
import { consentReceipt, fromIso27560, toIso27560 } from '../../../lib/consent/receipt';
import { appendEvent } from '../../../lib/consent/records';
import { ADVISOR, METER, POWER, SERVICE_PROVISION, at, given, householdConsent } from './fixtures';

const CONTROLLER = {
  name: 'Energiecoöperatie Zonnedorp',
  contact: 'Privacy office',
  address: 'Dorpsstraat 1, 3500 Hasselt, BE',
  email: 'privacy@zonnedorp.example',
  phone: '+32 11 00 00 00',
  policyUrl: 'https://zonnedorp.example/privacy',
  jurisdiction: 'BE',
};

describe('consent export and receipts', () => {
  const record = appendEvent(
    householdConsent({
      granularity: 'PT1H',
      period: { start: '2026-01-01T00:00:00Z', end: '2026-12-31T23:59:59Z' },
      aggregation: { W: 'max' },
    }),
    {
      type: 'withdrawn',
      time: '2026-06-01T10:00:00Z',
      evidence: { method: 'signed-paper', by: 'household-12' },
    },
  );

  it('exports the ISO/IEC TS 27560 fields, as the DPV guide maps them', () => {
    const out = toIso27560(record);
    assert.equal(out.schema_version, 'https://w3id.org/dpv/schema/dpv-27560#record');
    assert.equal(out.record_id, record.id);
    assert.equal(out.pii_principal_id, 'household-12');
    const [processing] = out.processing;
    assert.equal(processing.purpose, SERVICE_PROVISION);
    assert.equal(processing.lawful_basis, 'https://w3id.org/dpv#Consent');
    assert.equal(processing.retention_period, 'P30D');
    assert.deepEqual(
      processing.pii_information.map((p) => p.pii_attribute_id),
      [METER],
    );
    assert.equal(processing.recipient_third_parties[0].party_id, ADVISOR);
    assert.equal(processing.pii_controllers?.[0].party_name, 'Energiecoöperatie Zonnedorp');
    assert.deepEqual(
      out.events.map((e) => [e.event_state, e.event_time, e.validity_duration, e.entity_id]),
      [
        ['https://w3id.org/dpv#ConsentGiven', '2026-01-01T00:00:00Z', 'P1Y', 'household-12'],
        [
          'https://w3id.org/dpv#ConsentWithdrawn',
          '2026-06-01T10:00:00Z',
          undefined,
          'household-12',
        ],
      ],
    );
  });

  it('imports what it exports, through JSON, as the same record', () => {
    for (const r of [
      record,
      householdConsent({}, { type: 'requested', time: '2026-01-01T00:00:00Z' }),
    ]) {
      const json = JSON.parse(JSON.stringify(toIso27560(r))) as unknown;
      assert.deepEqual(fromIso27560(json), r);
    }
  });

  it('an import is checked like any record, and says what is missing', () => {
    const json = JSON.parse(JSON.stringify(toIso27560(record))) as Record<string, unknown>;
    assert.throws(() => fromIso27560({ ...json, processing: [] }), { code: 'CONSENT_IMPORT' });
    assert.throws(() => fromIso27560('{}'), { code: 'CONSENT_IMPORT' });
    const events = [{ event_time: '2026-01-01T00:00:00Z', event_state: 'dpv:ConsentInvalidated' }];
    assert.throws(() => fromIso27560({ ...json, events }), /ConsentInvalidated/);
    const badPurpose = {
      ...json,
      processing: [{ ...(json.processing as object[])[0], purpose: 'advice' }],
    };
    assert.throws(() => fromIso27560(badPurpose), { code: 'CONSENT_RECORD' });
    // DPV's short names are read too.
    const short = [{ event_time: '2026-01-01T00:00:00Z', event_state: 'dpv:ConsentGiven' }];
    assert.equal(fromIso27560({ ...json, events: short }).events[0].type, 'given');
  });

  it('a Kantara receipt holds the subject’s active consents only', () => {
    const active = householdConsent({ names: [POWER] }, given('2026-03-01T08:00:00Z', 'P1Y'));
    const research = householdConsent({}, given('2026-04-01T08:00:00Z'), {
      recipient: 'lab@uni.test',
      purpose: 'NonCommercialResearch',
    });
    const neighbour = { ...householdConsent(), subject: 'household-13' };
    const now = at('2026-07-01T00:00:00Z');
    const receipt = consentReceipt(
      [record, active, research, neighbour],
      'household-12',
      now,
      CONTROLLER,
    );
    assert.equal(receipt.version, 'KI-CR-v1.1.0');
    assert.equal(receipt.jurisdiction, 'BE');
    assert.equal(receipt.piiPrincipalId, 'household-12');
    assert.equal(receipt.consentTimestamp, at('2026-04-01T08:00:00Z') / 1000);
    assert.equal(receipt.collectionMethod, 'dashboard');
    assert.match(receipt.consentReceiptID, /^[0-9a-f-]{36}$/);
    assert.equal(receipt.policyUrl, CONTROLLER.policyUrl);
    assert.deepEqual(receipt.piiControllers, [
      {
        piiController: CONTROLLER.name,
        contact: CONTROLLER.contact,
        address: CONTROLLER.address,
        email: CONTROLLER.email,
        phone: CONTROLLER.phone,
      },
    ]);
    assert.deepEqual(
      receipt.services.map((s) => s.service),
      [ADVISOR, 'lab@uni.test'],
    );
    const [advisor] = receipt.services[0].purposes;
    assert.equal(advisor.purpose, 'Service Provision');
    assert.deepEqual(advisor.purposeCategory, [SERVICE_PROVISION]);
    assert.equal(advisor.consentType, 'EXPLICIT');
    assert.deepEqual(advisor.piiCategory, [POWER]);
    assert.equal(advisor.thirdPartyDisclosure, true);
    assert.equal(advisor.thirdPartyName, ADVISOR);
    assert.match(advisor.termination, /2026-03-01T08:00:00Z\/P1Y.*P30D/);
    assert.equal(receipt.services[0].purposes.length, 1, 'the withdrawn consent is not in it');
    assert.equal(receipt.sensitive, false);
    assert.deepEqual(receipt.spiCat, []);
    const french = consentReceipt([research], 'household-12', now, {
      ...CONTROLLER,
      language: 'fr',
    });
    assert.equal(french.services[0].purposes[0].purpose, 'Recherche non commerciale');
    assert.throws(() => consentReceipt([record], 'household-12', now, CONTROLLER), {
      code: 'CONSENT_RECEIPT',
    });
  });
});
