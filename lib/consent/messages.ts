import type { MessageTable } from '../errors';

/**
 * The sentences of lib/consent, by messageId: family code and English template.
 * `CONSENT_WITHHELD` sentences are not errors: they say why the consent filter
 * kept a record back.
 */
export const CONSENT_MESSAGES = {
  CONSENT_DURATION_INVALID: {
    code: 'CONSENT_DURATION',
    en: '"{text}" is not an ISO 8601 duration such as P30D, PT1H, P1Y2M or PT0.5S',
  },
  CONSENT_TIME_INVALID: {
    code: 'CONSENT_TIME',
    en: '"{text}" is not an ISO 8601 time in UTC such as 2026-12-03T10:00:00Z',
  },
  CONSENT_PURPOSE_UNKNOWN: {
    code: 'CONSENT_PURPOSE',
    en: '"{purpose}" is not a DPV purpose SenFed knows; use one of {known}',
  },
  CONSENT_PATTERN_INVALID: {
    code: 'CONSENT_PATTERN',
    en: 'a SenML name pattern must be a non-empty text, got {got}',
  },
  CONSENT_RECORD_NOT_OBJECT: {
    code: 'CONSENT_RECORD',
    en: 'a consent record must be an object, got {got}',
  },
  CONSENT_RECORD_FIELD_MISSING: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" is missing',
  },
  CONSENT_RECORD_NOT_TEXT: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" must be a non-empty text, got {got}',
  },
  CONSENT_RECORD_NOT_OBJECT_FIELD: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" must be an object, got {got}',
  },
  CONSENT_RECORD_NOT_LIST: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" must be a list, got {got}',
  },
  CONSENT_RECORD_PURPOSE: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "purpose": "{got}" is not a DPV purpose SenFed knows; use one of {known}',
  },
  CONSENT_RECORD_DURATION: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" must be an ISO 8601 duration such as P30D or PT1H, got "{got}"',
  },
  CONSENT_RECORD_TIME: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "{field}" must be an ISO 8601 time in UTC such as 2026-12-03T10:00:00Z, got "{got}"',
  },
  CONSENT_RECORD_PERIOD_ORDER: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: the period starts at {start}, after its end at {end}',
  },
  CONSENT_RECORD_GRANULARITY: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: field "scope.granularity" must be raw, PT15M, PT1H or P1D, got "{got}"',
  },
  CONSENT_RECORD_AGGREGATION: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: the aggregation for unit "{unit}" must be mean, sum, min, max, last or difference, got "{got}"',
  },
  CONSENT_RECORD_RECIPIENT: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: the recipient must be a bare JID (local@domain) or a domain, without a resource, got "{got}"',
  },
  CONSENT_RECORD_PATTERN: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: name pattern {index} must be a non-empty text, got {got}',
  },
  CONSENT_RECORD_EVENT_TYPE: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: event {index} has type "{got}"; it must be given, withdrawn, expired, refused or requested',
  },
  CONSENT_RECORD_EVENT_VALIDITY: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: event {index} is "{type}"; only a "given" event has a validity',
  },
  CONSENT_RECORD_EVIDENCE_METHOD: {
    code: 'CONSENT_RECORD',
    en: 'consent record {consent}: event {index}: the evidence method "{got}" must be one of {known}',
  },
  CONSENT_EVENT_BACKWARDS: {
    code: 'CONSENT_EVENT',
    en: 'consent record {consent}: event {index} at {time} comes before the event before it ({previous}); events are only ever appended, in time order',
  },
  CONSENT_IMPORT_NOT_OBJECT: {
    code: 'CONSENT_IMPORT',
    en: 'an ISO/IEC TS 27560 consent record must be a JSON object, got {got}',
  },
  CONSENT_IMPORT_FIELD: {
    code: 'CONSENT_IMPORT',
    en: 'the ISO/IEC TS 27560 consent record has no usable "{field}"',
  },
  CONSENT_IMPORT_EVENT_STATE: {
    code: 'CONSENT_IMPORT',
    en: 'event {index} of the ISO/IEC TS 27560 consent record has the state "{got}", which SenFed does not know',
  },
  CONSENT_RECEIPT_NOTHING: {
    code: 'CONSENT_RECEIPT',
    en: 'subject {subject} has no active consent at {time}: there is nothing to put in a consent receipt',
  },
  CONSENT_WITHHELD_NO_CONSENT: {
    code: 'CONSENT_WITHHELD',
    en: 'no consent lets {recipient} receive "{name}" for {purpose}',
  },
  CONSENT_WITHHELD_WITHDRAWN: {
    code: 'CONSENT_WITHHELD',
    en: 'consent {consent} was withdrawn at {time}',
  },
  CONSENT_WITHHELD_EXPIRED: {
    code: 'CONSENT_WITHHELD',
    en: 'consent {consent} expired at {time}',
  },
  CONSENT_WITHHELD_REFUSED: {
    code: 'CONSENT_WITHHELD',
    en: 'consent {consent} was refused at {time}',
  },
  CONSENT_WITHHELD_REQUESTED: {
    code: 'CONSENT_WITHHELD',
    en: 'consent {consent} was requested at {time} and has not been given',
  },
  CONSENT_WITHHELD_NEVER_GIVEN: {
    code: 'CONSENT_WITHHELD',
    en: 'consent {consent} has not been given yet',
  },
  CONSENT_WITHHELD_NAME: {
    code: 'CONSENT_WITHHELD',
    en: '"{name}" is not among the names consent {consent} covers ({patterns})',
  },
  CONSENT_WITHHELD_PERIOD: {
    code: 'CONSENT_WITHHELD',
    en: 'the reading of "{name}" at {time} is outside the period of consent {consent} ({period})',
  },
} as const satisfies MessageTable;

export type ConsentMessageId = keyof typeof CONSENT_MESSAGES;
