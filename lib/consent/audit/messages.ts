import {
  SenfedError,
  sentence,
  type ErrorParams,
  type MessageTable,
  type Sentence,
  type SentenceParams,
} from '../../errors';

/** The sentences of the audit log, its proofs and its key, by messageId. */
export const AUDIT_MESSAGES = {
  AUDIT_OUT_OF_RANGE: {
    code: 'AUDIT_PROOF',
    en: '{what} {value} is outside the log, which holds {size} entries',
  },
  AUDIT_LOG_DAMAGED: {
    code: 'AUDIT_LOG',
    en: 'the audit log {file} is damaged and was not opened: {problem}',
  },
  AUDIT_LOG_FAILED: {
    code: 'AUDIT_LOG',
    en: 'a write to the audit log {file} failed; reopen the log before going on: {cause}',
  },
  AUDIT_LOG_OPEN_FAILED: {
    code: 'AUDIT_LOG',
    en: 'cannot open the audit log in {directory}: {cause}',
  },
  AUDIT_KEY_UNREADABLE: {
    code: 'AUDIT_KEY',
    en: 'the audit signing key {file} cannot be read as an Ed25519 private key: {cause}',
  },
  AUDIT_KEY_NOT_ED25519: {
    code: 'AUDIT_KEY',
    en: 'the audit signing key {file} is a {type} key, not Ed25519',
  },
  AUDIT_KEY_INVALID: {
    code: 'AUDIT_KEY',
    en: 'an audit public key must be the 32 bytes of an Ed25519 key in base64, not "{got}"',
  },
  AUDIT_HEAD_SIGNATURE: {
    code: 'AUDIT_PROOF',
    en: 'the signature of the tree head at size {size} does not verify with key {keyId}',
  },
  AUDIT_HEAD_KEY: {
    code: 'AUDIT_PROOF',
    en: 'the tree head names key {keyId}, not the key given ({expected})',
  },
  AUDIT_HEAD_MALFORMED: { code: 'AUDIT_PROOF', en: 'the tree head is malformed: {reason}' },
  AUDIT_INCLUSION_FAILED: {
    code: 'AUDIT_PROOF',
    en: 'entry {index} is not in the tree of size {size} with root {root}',
  },
  AUDIT_CONSISTENCY_FAILED: {
    code: 'AUDIT_PROOF',
    en: 'the tree of size {second} does not extend the tree of size {first}: the log was rewritten',
  },
  AUDIT_SHRUNK: {
    code: 'AUDIT_PROOF',
    en: 'the tree head at size {second} is smaller than the one seen before at size {first}',
  },
  AUDIT_ROOT_MISMATCH: {
    code: 'AUDIT_LOG',
    en: 'the signed head says the root at size {size} is {expected}; the log gives {got}: entries before it were changed',
  },
  AUDIT_NOT_JSON: { code: 'AUDIT_LOG', en: 'an audit entry must be plain JSON, not {reason}' },
  AUDIT_HEAD_BEYOND_LOG: {
    code: 'AUDIT_LOG',
    en: 'the signed head covers {size} entries, the log holds only {entries}: entries were removed',
  },
} as const satisfies MessageTable;

export type AuditMessageId = keyof typeof AUDIT_MESSAGES;

export function auditSentence(messageId: AuditMessageId, params: SentenceParams = {}): Sentence {
  return sentence(messageId, AUDIT_MESSAGES[messageId], params);
}

/** An error of the audit log, its proofs or its key. */
export class AuditError extends SenfedError {
  constructor(
    messageId: AuditMessageId,
    params: SentenceParams | ErrorParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, AUDIT_MESSAGES[messageId], params, options);
    this.name = 'AuditError';
  }
}
