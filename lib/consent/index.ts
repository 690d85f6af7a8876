/**
 * Consent by design: consent records (ISO/IEC TS 27560 shape, W3C DPV purposes),
 * their evaluation at a given time, the default-deny filter that minimises a
 * pack (names, period, granularity), the durable store, the gate the federation
 * nodes decide through, and the RFC 9162 audit trail (`audit`).
 * `require('@senfed/node-red').consent.filterPack(pack, consents, {...})`.
 */
export * from './model';
export { ConsentError } from './errors';
export { CONSENT_MESSAGES, type ConsentMessageId } from './messages';
export {
  type Duration,
  addDuration,
  formatInstant,
  instantMs,
  isDuration,
  isInstant,
  parseDuration,
  parseInstant,
} from './duration';
export {
  DPV_NAMESPACE,
  DPV_PURPOSES,
  type DpvPurpose,
  type PurposeLanguage,
  findPurpose,
  knownPurposeNames,
  purposeDescription,
  purposeIri,
  purposeLabel,
} from './purposes';
export { type NameMatcher, compileNamePatterns, validateNamePattern } from './patterns';
export {
  type ConsentFields,
  appendEvent,
  isRecipient,
  newConsentRecord,
  validateConsentRecord,
} from './records';
export {
  consentState,
  dueExpiries,
  eventAt,
  isActive,
  recipientCovers,
  validUntil,
} from './evaluate';
export {
  ENERGY_COUNTER_UNITS,
  WINDOW_SECONDS,
  type UnitAggregations,
  type WindowGranularity,
  aggregateRecords,
  aggregationFor,
  defaultAggregation,
  windowStart,
} from './aggregate';
export { type FilterOutcome, type FilterRequest, type WithheldRecord, filterPack } from './filter';
export {
  type Iso27560Record,
  type KantaraConsentReceipt,
  type ReceiptController,
  consentReceipt,
  fromIso27560,
  toIso27560,
} from './receipt';
export { canonicalJson, packDigest } from './digest';
export {
  ConsentStore,
  type ConsentChange,
  type ConsentKey,
  type ConsentTerms,
} from './consent-store';
export { CONSENT_STORE_MESSAGES, ConsentStoreError } from './consent-store-messages';
export {
  ConsentGate,
  type ConsentGateOptions,
  type Share,
  type WithheldShare,
  coversIdentifier,
} from './gate';
export { CONSENT_GATE_MESSAGES, ConsentGateError } from './gate-messages';
export { type ReceivedAudit, ShareVerifier, readAuditMeta } from './share-proof';
export { AUDIT_PROOF_COMMAND, askConsistencyOver, auditProofCommand } from './audit-command';
export * as audit from './audit';
