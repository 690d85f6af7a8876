/**
 * The audit trail of consent: an RFC 9162 Merkle tree over an append-only log of
 * every consent event and every share, signed tree heads (Ed25519), the proofs a
 * recipient checks, and a read-only check of a log file.
 */
export {
  AuditLog,
  type AuditLogOptions,
  type ConsistencyProof,
  type InclusionProof,
} from './audit-log';
export {
  EMPTY_ROOT,
  MerkleTree,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
export { AUDIT_MESSAGES, AuditError, type AuditMessageId } from './messages';
export { verifyAppendOnly, verifyShareProof } from './proofs';
export {
  type SignedTreeHead,
  keyIdOf,
  loadOrCreateSigningKey,
  publicKeyBase64,
  publicKeyFromBase64,
  signTreeHead,
  treeHeadBytes,
  verifyTreeHead,
} from './tree-head';
export { type AuditFileCheck, verifyAuditFile } from './verify-log';
export { AUDIT_CSV_COLUMNS, type IndexedEntry, auditCsv, entriesOfSubject } from './subject-export';
