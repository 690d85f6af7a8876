import { SenfedError, type ErrorParams, type MessageTable } from '../errors';

/** The sentences of the consent store, by messageId. */
export const CONSENT_STORE_MESSAGES = {
  CONSENT_STORE_READ_FAILED: {
    code: 'CONSENT_STORE_IO',
    en: 'cannot read the consents in {file}: {cause}',
  },
  CONSENT_STORE_WRITE_FAILED: {
    code: 'CONSENT_STORE_IO',
    en: 'cannot write the consents to {file}; the change was not made: {cause}',
  },
  CONSENT_STORE_AUDIT_FAILED: {
    code: 'CONSENT_STORE_IO',
    en: 'cannot write the audit log; the change was not made: {cause}',
  },
  CONSENT_STORE_UNREADABLE: {
    code: 'CONSENT_STORE_WARNING',
    en: 'the consents in {file} could not be read; the file was kept as {copy} and no consent is active until they are imported again',
  },
  CONSENT_STORE_CLOSED: {
    code: 'CONSENT_STORE_CLOSED',
    en: 'the consent store in {directory} is closed',
  },
  CONSENT_STORE_UNKNOWN: {
    code: 'CONSENT_STORE_INPUT',
    en: 'there is no consent {consent} in the store',
  },
  CONSENT_STORE_NO_KEY: {
    code: 'CONSENT_STORE_INPUT',
    en: 'say which consent: its id, or its subject, recipient and purpose',
  },
  CONSENT_STORE_NOT_REQUESTED: {
    code: 'CONSENT_STORE_INPUT',
    en: 'consent {consent} has no pending request to answer (its last event is {state})',
  },
  CONSENT_STORE_NOT_A_LIST: {
    code: 'CONSENT_STORE_INPUT',
    en: 'consents to import must be a list of records, not {got}',
  },
} as const satisfies MessageTable;

export type ConsentStoreMessageId = keyof typeof CONSENT_STORE_MESSAGES;

/** An error of the consent store: its file, its audit log, or what it was asked. */
export class ConsentStoreError extends SenfedError {
  constructor(
    messageId: ConsentStoreMessageId,
    params: ErrorParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, CONSENT_STORE_MESSAGES[messageId], params, options);
    this.name = 'ConsentStoreError';
  }
}
