import type { Sentence } from '../../errors';
import { canonicalJson } from '../digest';
import type { AuditEntry } from '../model';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { auditSentence } from './messages';
import { type SignedTreeHead, verifyTreeHead } from './tree-head';

const hashes = (proof: readonly string[]): Buffer[] => proof.map((h) => Buffer.from(h, 'base64'));

/**
 * What a recipient checks of a share it received: the tree head is signed by
 * `publicKey`, and the entry (its leaf recomputed from its canonical JSON) is in
 * that tree at `index`. Empty when it holds; the problems found otherwise.
 */
export function verifyShareProof(input: {
  entry: AuditEntry;
  index: number;
  treeHead: SignedTreeHead;
  proof: readonly string[];
  publicKey: string;
}): Sentence[] {
  const { entry, index, treeHead, proof, publicKey } = input;
  const problems = verifyTreeHead(treeHead, publicKey);
  if (problems.length > 0) return problems;
  const root = Buffer.from(treeHead.rootHash, 'base64');
  if (
    !verifyInclusion(leafHash(canonicalJson(entry)), index, treeHead.treeSize, hashes(proof), root)
  )
    return [
      auditSentence('AUDIT_INCLUSION_FAILED', {
        index,
        size: treeHead.treeSize,
        root: treeHead.rootHash,
      }),
    ];
  return [];
}

/**
 * That the log only grew between two heads the recipient holds: both signed by
 * `publicKey`, the newer not smaller, and the consistency proof holds.
 */
export function verifyAppendOnly(
  older: SignedTreeHead,
  newer: SignedTreeHead,
  proof: readonly string[],
  publicKey: string,
): Sentence[] {
  const problems = [...verifyTreeHead(older, publicKey), ...verifyTreeHead(newer, publicKey)];
  if (problems.length > 0) return problems;
  if (newer.treeSize < older.treeSize)
    return [auditSentence('AUDIT_SHRUNK', { first: older.treeSize, second: newer.treeSize })];
  const ok = verifyConsistency(
    older.treeSize,
    newer.treeSize,
    Buffer.from(older.rootHash, 'base64'),
    Buffer.from(newer.rootHash, 'base64'),
    hashes(proof),
  );
  return ok
    ? []
    : [
        auditSentence('AUDIT_CONSISTENCY_FAILED', {
          first: older.treeSize,
          second: newer.treeSize,
        }),
      ];
}
