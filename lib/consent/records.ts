import { randomUUID } from 'node:crypto';
import type { SentenceParams } from '../errors';
import { isDuration, instantMs } from './duration';
import { ConsentError } from './errors';
import type { ConsentMessageId } from './messages';
import {
  AGGREGATIONS,
  CONSENT_EVENT_TYPES,
  GRANULARITIES,
  type Aggregation,
  type ConsentEvent,
  type ConsentRecord,
  type DataScope,
  type Evidence,
  type EvidenceMethod,
  type Granularity,
} from './model';
import { describeValue } from './patterns';
import { findPurpose, knownPurposeNames } from './purposes';

/**
 * Creating and checking consent records. A record that leaves this file is
 * valid: a known DPV purpose (as its full IRI), a bare JID or domain as the
 * recipient, ISO 8601 durations and UTC times, and events in time order.
 */
export interface ConsentFields {
  /** Defaults to a new UUID. */
  id?: string;
  subject: string;
  recipient: string;
  /** A DPV purpose: its IRI, `dpv:Name` or `Name`; stored as the IRI. */
  purpose: string;
  controller?: string;
  scope: DataScope;
  retention: string;
}

const EVIDENCE_METHODS: readonly EvidenceMethod[] = [
  'web-form',
  'signed-paper',
  'dashboard',
  'federation-request',
  'import',
  'automatic',
  'other',
];

/** A new record holding its first event. */
export function newConsentRecord(fields: ConsentFields, event: ConsentEvent): ConsentRecord {
  return validateConsentRecord({ ...fields, id: fields.id ?? randomUUID(), events: [event] });
}

/**
 * The record with one more event, as a new record (the one given is left as it
 * was). An event earlier than the last one is a ConsentError: history is only
 * ever appended to.
 */
export function appendEvent(record: ConsentRecord, event: ConsentEvent): ConsentRecord {
  return validateConsentRecord({ ...record, events: [...record.events, event] });
}

/** The value as a consent record, or a ConsentError naming the field that is wrong. */
export function validateConsentRecord(value: unknown): ConsentRecord {
  if (!isObject(value)) {
    throw new ConsentError('CONSENT_RECORD_NOT_OBJECT', { got: describeValue(value) });
  }
  const id = typeof value.id === 'string' && value.id.length > 0 ? value.id : '?';
  const check: RecordCheck = new RecordCheck(id);
  check.text(value, 'id');
  const subject = check.text(value, 'subject');
  const recipient = check.text(value, 'recipient');
  if (!isRecipient(recipient)) check.fail('CONSENT_RECORD_RECIPIENT', { got: recipient });
  const purposeText = check.text(value, 'purpose');
  const purpose = findPurpose(purposeText);
  if (purpose === undefined) {
    check.fail('CONSENT_RECORD_PURPOSE', { got: purposeText, known: knownPurposeNames() });
  }
  const controller = value.controller === undefined ? undefined : check.text(value, 'controller');
  const scope = checkScope(check, value.scope);
  const retention = check.duration(value, 'retention');
  const events = check.list(value, 'events').map((event, index) => checkEvent(check, event, index));
  checkOrder(id, events);
  const record: ConsentRecord = {
    id,
    subject,
    recipient,
    purpose: purpose.iri,
    scope,
    retention,
    events,
  };
  if (controller !== undefined) record.controller = controller;
  return record;
}

/** A bare JID `local@domain` or a domain (RFC 7622 §3), without a resource. */
export function isRecipient(text: string): boolean {
  const at = text.indexOf('@');
  if (at === -1) return isDomain(text);
  return LOCALPART.test(text.slice(0, at)) && isDomain(text.slice(at + 1));
}

// RFC 7622 §3.3.1: a localpart holds none of " & ' / : < > @ nor spaces.
const LOCALPART = /^[^\s"&'/:<>@]{1,1023}$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

function isDomain(text: string): boolean {
  return (
    text.length > 0 && text.length <= 1023 && text.split('.').every((l) => DOMAIN_LABEL.test(l))
  );
}

function checkScope(check: RecordCheck, value: unknown): DataScope {
  if (value === undefined) check.fail('CONSENT_RECORD_FIELD_MISSING', { field: 'scope' });
  if (!isObject(value)) {
    check.fail('CONSENT_RECORD_NOT_OBJECT_FIELD', { field: 'scope', got: describeValue(value) });
  }
  const names = check.list(value, 'names', 'scope.names').map((pattern, index) => {
    if (typeof pattern !== 'string' || pattern.length === 0) {
      check.fail('CONSENT_RECORD_PATTERN', { index, got: describeValue(pattern) });
    }
    return pattern;
  });
  const granularity = value.granularity;
  if (granularity === undefined) {
    check.fail('CONSENT_RECORD_FIELD_MISSING', { field: 'scope.granularity' });
  }
  if (!GRANULARITIES.includes(granularity as Granularity)) {
    check.fail('CONSENT_RECORD_GRANULARITY', { got: String(granularity) });
  }
  const scope: DataScope = { names, granularity: granularity as Granularity };
  if (value.period !== undefined) scope.period = checkPeriod(check, value.period);
  if (value.aggregation !== undefined)
    scope.aggregation = checkAggregation(check, value.aggregation);
  return scope;
}

function checkPeriod(check: RecordCheck, value: unknown): { start?: string; end?: string } {
  if (!isObject(value)) {
    check.fail('CONSENT_RECORD_NOT_OBJECT_FIELD', {
      field: 'scope.period',
      got: describeValue(value),
    });
  }
  const period: { start?: string; end?: string } = {};
  if (value.start !== undefined) period.start = check.time(value, 'start', 'scope.period.start');
  if (value.end !== undefined) period.end = check.time(value, 'end', 'scope.period.end');
  if (
    period.start !== undefined &&
    period.end !== undefined &&
    (instantMs(period.start) as number) > (instantMs(period.end) as number)
  ) {
    check.fail('CONSENT_RECORD_PERIOD_ORDER', { start: period.start, end: period.end });
  }
  return period;
}

function checkAggregation(check: RecordCheck, value: unknown): Record<string, Aggregation> {
  if (!isObject(value)) {
    check.fail('CONSENT_RECORD_NOT_OBJECT_FIELD', {
      field: 'scope.aggregation',
      got: describeValue(value),
    });
  }
  const aggregation: Record<string, Aggregation> = {};
  for (const [unit, how] of Object.entries(value)) {
    if (!AGGREGATIONS.includes(how as Aggregation)) {
      check.fail('CONSENT_RECORD_AGGREGATION', { unit, got: String(how) });
    }
    aggregation[unit] = how as Aggregation;
  }
  return aggregation;
}

function checkEvent(check: RecordCheck, value: unknown, index: number): ConsentEvent {
  const field = `events[${index}]`;
  if (!isObject(value)) {
    check.fail('CONSENT_RECORD_NOT_OBJECT_FIELD', { field, got: describeValue(value) });
  }
  const type = value.type as ConsentEvent['type'];
  if (!CONSENT_EVENT_TYPES.includes(type)) {
    check.fail('CONSENT_RECORD_EVENT_TYPE', { index, got: String(type) });
  }
  const event: ConsentEvent = { type, time: check.time(value, 'time', `${field}.time`) };
  if (value.validity !== undefined) {
    if (type !== 'given') check.fail('CONSENT_RECORD_EVENT_VALIDITY', { index, type });
    event.validity = check.duration(value, 'validity', `${field}.validity`);
  }
  if (value.evidence !== undefined) event.evidence = checkEvidence(check, value.evidence, index);
  return event;
}

function checkEvidence(check: RecordCheck, value: unknown, index: number): Evidence {
  const field = `events[${index}].evidence`;
  if (!isObject(value)) {
    check.fail('CONSENT_RECORD_NOT_OBJECT_FIELD', { field, got: describeValue(value) });
  }
  const method = value.method as EvidenceMethod;
  if (!EVIDENCE_METHODS.includes(method)) {
    check.fail('CONSENT_RECORD_EVIDENCE_METHOD', {
      index,
      got: String(method),
      known: EVIDENCE_METHODS.join(', '),
    });
  }
  const evidence: Evidence = { method, by: check.text(value, 'by', `${field}.by`) };
  if (value.reference !== undefined) {
    evidence.reference = check.text(value, 'reference', `${field}.reference`);
  }
  return evidence;
}

function checkOrder(consent: string, events: readonly ConsentEvent[]): void {
  for (let i = 1; i < events.length; i += 1) {
    const previous = instantMs(events[i - 1].time) as number;
    if ((instantMs(events[i].time) as number) < previous) {
      throw new ConsentError('CONSENT_EVENT_BACKWARDS', {
        consent,
        index: i,
        time: events[i].time,
        previous: events[i - 1].time,
      });
    }
  }
}

/** The checks of one record, each failing with the record's id in its message. */
class RecordCheck {
  constructor(private readonly consent: string) {}

  fail(messageId: ConsentMessageId, params: SentenceParams): never {
    throw new ConsentError(messageId, { consent: this.consent, ...params });
  }

  text(owner: Record<string, unknown>, key: string, field = key): string {
    const value = owner[key];
    if (value === undefined) this.fail('CONSENT_RECORD_FIELD_MISSING', { field });
    if (typeof value !== 'string' || value.length === 0) {
      this.fail('CONSENT_RECORD_NOT_TEXT', { field, got: describeValue(value) });
    }
    return value;
  }

  list(owner: Record<string, unknown>, key: string, field = key): unknown[] {
    const value = owner[key];
    if (value === undefined) this.fail('CONSENT_RECORD_FIELD_MISSING', { field });
    if (!Array.isArray(value)) {
      this.fail('CONSENT_RECORD_NOT_LIST', { field, got: describeValue(value) });
    }
    return value;
  }

  duration(owner: Record<string, unknown>, key: string, field = key): string {
    const value = owner[key];
    if (value === undefined) this.fail('CONSENT_RECORD_FIELD_MISSING', { field });
    if (!isDuration(value)) this.fail('CONSENT_RECORD_DURATION', { field, got: String(value) });
    return value;
  }

  time(owner: Record<string, unknown>, key: string, field = key): string {
    const value = owner[key];
    if (value === undefined) this.fail('CONSENT_RECORD_FIELD_MISSING', { field });
    if (instantMs(value) === undefined) {
      this.fail('CONSENT_RECORD_TIME', { field, got: String(value) });
    }
    return value as string;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
