import {
  SenfedError,
  sentence,
  type ErrorParams,
  type MessageTable,
  type Sentence,
  type SentenceParams,
} from '../errors';

/** The sentences of the consent gate and of the check of a share received, by messageId. */
export const CONSENT_GATE_MESSAGES = {
  GATE_NO_CONSENT: {
    code: 'CONSENT_REFUSED',
    en: '{from} has no active consent for {purpose} that covers {identifier}',
  },
  GATE_HELD_PAST_RETENTION: {
    code: 'CONSENT_WITHHELD',
    en: 'held here since {since}, longer than the recipient may keep it ({retention}): not sent',
  },
  SHARE_PROOF_MISSING: {
    code: 'SHARE_PROOF',
    en: 'the data from {from} carries no audit proof',
  },
  SHARE_PROOF_UNREADABLE: {
    code: 'SHARE_PROOF',
    en: 'the audit proof from {from} cannot be read: {reason}',
  },
  SHARE_PROOF_DIGEST: {
    code: 'SHARE_PROOF',
    en: 'the data from {from} is not what its audit entry {index} says was sent (digest {expected}, received {got})',
  },
  SHARE_PROOF_RECIPIENT: {
    code: 'SHARE_PROOF',
    en: 'the audit entry {index} from {from} names {recipient} as recipient, not {jid}',
  },
  SHARE_PROOF_KEY_CHANGED: {
    code: 'SHARE_PROOF',
    en: 'the audit key of {from} changed (key {was}, now {now}): its log may have been replaced',
  },
  SHARE_PROOF_INVALID: {
    code: 'SHARE_PROOF',
    en: 'the audit proof of entry {index} from {from} does not hold: {reason}',
  },
  SHARE_PROOF_REWRITTEN: {
    code: 'SHARE_PROOF',
    en: 'the audit log of {from} was rewritten: its head at size {second} does not extend the one at size {first} ({reason})',
  },
  SHARE_PROOF_NO_CONSISTENCY: {
    code: 'SHARE_PROOF_UNCHECKED',
    en: 'cannot check that the audit log of {from} only grew from size {first} to {second}: {cause}',
  },
  AUDIT_PROOF_FIELD: {
    code: 'AUDIT_PROOF_REQUEST',
    en: 'audit_proof: {field} must be a whole number of 0 or more, not "{value}"',
  },
  AUDIT_PROOF_NOTHING_ASKED: {
    code: 'AUDIT_PROOF_REQUEST',
    en: 'audit_proof: give index (an inclusion proof) or first (a consistency proof)',
  },
  AUDIT_PROOF_NOT_YOURS: {
    code: 'AUDIT_PROOF_REQUEST',
    en: 'audit_proof: entry {index} is not a share sent to {from}',
  },
  ACCESS_REQUEST_FIELDS: {
    code: 'ACCESS_REQUEST',
    en: 'request_access: give the service and the node asked for',
  },
  ACCESS_REQUEST_UNKNOWN_NODE: {
    code: 'ACCESS_REQUEST',
    en: 'request_access: no data of node {node} on {service} is published from here',
  },
} as const satisfies MessageTable;

export type ConsentGateMessageId = keyof typeof CONSENT_GATE_MESSAGES;

export function consentGateSentence(
  messageId: ConsentGateMessageId,
  params: SentenceParams = {},
): Sentence {
  return sentence(messageId, CONSENT_GATE_MESSAGES[messageId], params);
}

/** A request the consent gate or the audit_proof command cannot take. */
export class ConsentGateError extends SenfedError {
  constructor(messageId: ConsentGateMessageId, params: ErrorParams = {}) {
    super(messageId, CONSENT_GATE_MESSAGES[messageId], params);
    this.name = 'ConsentGateError';
  }
}
