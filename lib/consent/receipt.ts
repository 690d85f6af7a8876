import { randomUUID } from 'node:crypto';
import { instantMs } from './duration';
import { ConsentError } from './errors';
import { consentState } from './evaluate';
import type { ConsentEvent, ConsentEventType, ConsentRecord, DataScope, Evidence } from './model';
import { describeValue } from './patterns';
import { DPV_NAMESPACE, findPurpose, purposeLabel } from './purposes';
import { validateConsentRecord } from './records';

/**
 * Export and import of consent records.
 *
 * `toIso27560` follows the field names of ISO/IEC TS 27560:2023 as the W3C
 * DPVCG guide "Consent Records and Receipts as per ISO/IEC TS 27560:2023 using
 * DPV" (Final CG Report, 2024-08-01, §7.2 "ISO 27560:2023, EU GDPR, and DPV")
 * lists them: record fields (`schema_version`, `record_id`, `pii_principal_id`),
 * processing fields (`purpose`, `purpose_type`, `lawful_basis`, `pii_information`,
 * `pii_controllers`, `retention_period`, `recipient_third_parties`), personal data
 * fields (`pii_type`, `pii_attribute_id`), party fields (`party_id`, `party_name`,
 * `party_role`, `party_type`) and event fields (`event_time`,
 * `validity_duration`, `entity_id`, `event_state`), with DPV concepts as values
 * (`dpv:ConsentGiven`, `dpv:DataController`, …) and the guide's profile IRI as
 * `schema_version`. What 27560 has no field for (SenFed's period, granularity
 * and aggregation of the data, the evidence's method and reference) travels
 * under `senfed_`-prefixed fields, so that an import gives back the same record.
 *
 * `consentReceipt` writes a Kantara Initiative Consent Receipt (specification
 * v1.1.0, 2018-02-20) for a data subject.
 */
export const DPV_27560_RECORD = 'https://w3id.org/dpv/schema/dpv-27560#record';

export interface Iso27560Party {
  party_id?: string;
  party_name: string;
  party_role: string;
  party_type?: string;
}

export interface Iso27560Event {
  event_time: string;
  validity_duration?: string;
  /** Who expressed it (27560 "entity id"): the evidence's `by`. */
  entity_id?: string;
  event_state: string;
  senfed_evidence?: { method: Evidence['method']; reference?: string };
}

export interface Iso27560Processing {
  purpose: string;
  purpose_type?: string;
  lawful_basis: string;
  pii_information: { pii_type: string; pii_attribute_id: string }[];
  pii_controllers?: Iso27560Party[];
  retention_period: string;
  recipient_third_parties: Iso27560Party[];
  senfed_scope: Omit<DataScope, 'names'>;
}

export interface Iso27560Record {
  schema_version: string;
  record_id: string;
  pii_principal_id: string;
  processing: Iso27560Processing[];
  events: Iso27560Event[];
}

const STATE_OF: Readonly<Record<ConsentEventType, string>> = {
  given: `${DPV_NAMESPACE}ConsentGiven`,
  withdrawn: `${DPV_NAMESPACE}ConsentWithdrawn`,
  expired: `${DPV_NAMESPACE}ConsentExpired`,
  refused: `${DPV_NAMESPACE}ConsentRefused`,
  requested: `${DPV_NAMESPACE}ConsentRequested`,
};

/** Read back: the DPV states (full IRI or `dpv:` name), renewed consent counting as given. */
const TYPE_OF: ReadonlyMap<string, ConsentEventType> = new Map([
  ...Object.entries(STATE_OF).map(([type, iri]) => [iri, type as ConsentEventType] as const),
  [`${DPV_NAMESPACE}RenewedConsentGiven`, 'given'],
]);

/** A SenML name pattern is the identifier of the personal data it covers. */
const PII_TYPE = 'SenML record name pattern (RFC 8428 §4.5.1)';

export function toIso27560(record: ConsentRecord): Iso27560Record {
  const { names, ...scope } = record.scope;
  const processing: Iso27560Processing = {
    purpose: record.purpose,
    lawful_basis: `${DPV_NAMESPACE}Consent`,
    pii_information: names.map((pattern) => ({ pii_type: PII_TYPE, pii_attribute_id: pattern })),
    retention_period: record.retention,
    recipient_third_parties: [
      {
        party_id: record.recipient,
        party_name: record.recipient,
        party_role: `${DPV_NAMESPACE}Recipient`,
        party_type: `${DPV_NAMESPACE}ThirdParty`,
      },
    ],
    senfed_scope: scope,
  };
  const broader = findPurpose(record.purpose)?.broader;
  if (broader !== undefined) processing.purpose_type = broader;
  if (record.controller !== undefined) {
    processing.pii_controllers = [
      { party_name: record.controller, party_role: `${DPV_NAMESPACE}DataController` },
    ];
  }
  return {
    schema_version: DPV_27560_RECORD,
    record_id: record.id,
    pii_principal_id: record.subject,
    processing: [processing],
    events: record.events.map(eventTo27560),
  };
}

function eventTo27560(event: ConsentEvent): Iso27560Event {
  const out: Iso27560Event = { event_time: event.time, event_state: STATE_OF[event.type] };
  if (event.validity !== undefined) out.validity_duration = event.validity;
  if (event.evidence !== undefined) {
    out.entity_id = event.evidence.by;
    out.senfed_evidence =
      event.evidence.reference === undefined
        ? { method: event.evidence.method }
        : { method: event.evidence.method, reference: event.evidence.reference };
  }
  return out;
}

/** The consent record of a 27560-shaped JSON value (as `toIso27560` writes it), checked. */
export function fromIso27560(json: unknown): ConsentRecord {
  if (!isObject(json)) {
    throw new ConsentError('CONSENT_IMPORT_NOT_OBJECT', { got: describeValue(json) });
  }
  const processing = Array.isArray(json.processing) ? json.processing[0] : undefined;
  if (!isObject(processing))
    throw new ConsentError('CONSENT_IMPORT_FIELD', { field: 'processing' });
  const recipients = processing.recipient_third_parties;
  const recipient =
    Array.isArray(recipients) && isObject(recipients[0]) ? recipients[0] : undefined;
  if (recipient === undefined) {
    throw new ConsentError('CONSENT_IMPORT_FIELD', { field: 'recipient_third_parties' });
  }
  const pii = processing.pii_information;
  if (!Array.isArray(pii))
    throw new ConsentError('CONSENT_IMPORT_FIELD', { field: 'pii_information' });
  const scope = isObject(processing.senfed_scope) ? processing.senfed_scope : {};
  const controllers = processing.pii_controllers;
  const controller =
    Array.isArray(controllers) && isObject(controllers[0]) ? controllers[0].party_name : undefined;
  if (!Array.isArray(json.events))
    throw new ConsentError('CONSENT_IMPORT_FIELD', { field: 'events' });
  const record: Record<string, unknown> = {
    id: json.record_id,
    subject: json.pii_principal_id,
    recipient: recipient.party_id ?? recipient.party_name,
    purpose: processing.purpose,
    scope: { ...scope, names: pii.map((item) => (isObject(item) ? item.pii_attribute_id : item)) },
    retention: processing.retention_period,
    events: json.events.map(eventFrom27560),
  };
  if (controller !== undefined) record.controller = controller;
  return validateConsentRecord(record);
}

function eventFrom27560(value: unknown, index: number): unknown {
  if (!isObject(value)) return value; // validateConsentRecord names it
  const state = String(value.event_state);
  const type = TYPE_OF.get(state.startsWith('dpv:') ? DPV_NAMESPACE + state.slice(4) : state);
  if (type === undefined)
    throw new ConsentError('CONSENT_IMPORT_EVENT_STATE', { index, got: state });
  const event: Record<string, unknown> = { type, time: value.event_time };
  if (value.validity_duration !== undefined) event.validity = value.validity_duration;
  if (value.entity_id !== undefined) {
    const kept = isObject(value.senfed_evidence) ? value.senfed_evidence : { method: 'import' };
    event.evidence = { ...kept, by: value.entity_id };
  }
  return event;
}

/** Who collected the consents, as a Kantara receipt names its PII controller. */
export interface ReceiptController {
  name: string;
  /** A person or office to contact. */
  contact: string;
  address: string;
  email: string;
  phone: string;
  url?: string;
  /** The privacy policy the consents were given under. */
  policyUrl: string;
  /** Where the law of the transaction is, e.g. `BE`, `FR`, `NL`. */
  jurisdiction: string;
  /** The language of the receipt's texts (BCP 47); English by default. */
  language?: string;
}

export interface KantaraPurpose {
  purpose: string;
  purposeCategory: string[];
  consentType: 'EXPLICIT';
  piiCategory: string[];
  primaryPurpose: boolean;
  termination: string;
  thirdPartyDisclosure: boolean;
  thirdPartyName: string;
}

export interface KantaraConsentReceipt {
  version: 'KI-CR-v1.1.0';
  jurisdiction: string;
  /** Seconds since the epoch of the latest consent given. */
  consentTimestamp: number;
  collectionMethod: string;
  consentReceiptID: string;
  language: string;
  piiPrincipalId: string;
  piiControllers: {
    piiController: string;
    contact: string;
    address: string;
    email: string;
    phone: string;
    piiControllerUrl?: string;
  }[];
  policyUrl: string;
  services: { service: string; purposes: KantaraPurpose[] }[];
  sensitive: boolean;
  spiCat: string[];
}

/**
 * A Kantara Consent Receipt v1.1 for the data subject `subject`: one service per
 * recipient, one purpose per consent of theirs that is active at `now` (the
 * others are not consents the receipt can assert). Only that subject's records
 * go in, whatever else `records` holds.
 */
export function consentReceipt(
  records: readonly ConsentRecord[],
  subject: string,
  now: number,
  controller: ReceiptController,
): KantaraConsentReceipt {
  const theirs = records.filter(
    (record) => record.subject === subject && consentState(record, now) === 'active',
  );
  if (theirs.length === 0) {
    throw new ConsentError('CONSENT_RECEIPT_NOTHING', {
      subject,
      time: new Date(now).toISOString(),
    });
  }
  const language = controller.language ?? 'en';
  const given = theirs.map((record) => lastGiven(record, now));
  const services = new Map<string, KantaraPurpose[]>();
  theirs.forEach((record, i) => {
    const purposes = services.get(record.recipient) ?? [];
    purposes.push({
      purpose: purposeLabel(record.purpose, language),
      purposeCategory: [record.purpose],
      consentType: 'EXPLICIT',
      piiCategory: [...record.scope.names],
      primaryPurpose: true,
      termination: termination(record, given[i]),
      thirdPartyDisclosure: true,
      thirdPartyName: record.recipient,
    });
    services.set(record.recipient, purposes);
  });
  const methods = [...new Set(given.map((event) => event.evidence?.method ?? 'other'))].sort();
  const party: KantaraConsentReceipt['piiControllers'][number] = {
    piiController: controller.name,
    contact: controller.contact,
    address: controller.address,
    email: controller.email,
    phone: controller.phone,
  };
  if (controller.url !== undefined) party.piiControllerUrl = controller.url;
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: controller.jurisdiction,
    consentTimestamp: Math.floor(
      Math.max(...given.map((event) => instantMs(event.time) as number)) / 1000,
    ),
    collectionMethod: methods.join(', '),
    consentReceiptID: randomUUID(),
    language,
    piiPrincipalId: subject,
    piiControllers: [party],
    policyUrl: controller.policyUrl,
    services: [...services].map(([service, purposes]) => ({ service, purposes })),
    // Meter readings are not a special category (GDPR art. 9); SenFed claims none.
    sensitive: false,
    spiCat: [],
  };
}

/** The `given` event in force at `now` (the record is active, so there is one). */
function lastGiven(record: ConsentRecord, now: number): ConsentEvent {
  const at = record.events.filter((event) => (instantMs(event.time) as number) <= now);
  return at[at.length - 1];
}

/**
 * When the consent ends, as an ISO 8601 interval (`2026-12-03T10:00:00Z/P1Y`; an
 * open end `..` until withdrawn), and how long the recipient keeps the data.
 */
function termination(record: ConsentRecord, given: ConsentEvent): string {
  return `${given.time}/${given.validity ?? '..'} (retention ${record.retention})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
