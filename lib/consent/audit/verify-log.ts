import type { Sentence } from '../../errors';
import { readLogRecords, verifyLogFile } from '../../store/append-log';
import { canonicalJson } from '../digest';
import type { AuditEntry } from '../model';
import { MerkleTree } from './merkle';
import { auditSentence } from './messages';
import { type SignedTreeHead, verifyTreeHead } from './tree-head';

export interface AuditFileCheck {
  /** Entries that could be read. */
  entries: AuditEntry[];
  /** The root (base64) of the tree over them. */
  rootHash: string;
  /** What is wrong, the first bad line first; empty when the log is whole. */
  problems: Sentence[];
}

/**
 * Check an audit log file, read-only: its hash chain (a line edited, removed,
 * reordered or inserted breaks it at that line), and, given a signed tree head
 * someone holds, that the log's tree at that size has the head's root (entries
 * before it rewritten, the chain recomputed to hide it, still show here) and,
 * given the public key, that the head is genuine.
 */
export async function verifyAuditFile(
  file: string,
  options: { treeHead?: SignedTreeHead; publicKey?: string } = {},
): Promise<AuditFileCheck> {
  const chain = await verifyLogFile(file);
  const problems: Sentence[] = [...chain.problems];
  const tree = new MerkleTree();
  const entries: AuditEntry[] = [];
  for await (const record of readLogRecords<AuditEntry>(file)) {
    entries.push(record.entry);
    tree.append(canonicalJson(record.entry));
  }
  const { treeHead, publicKey } = options;
  if (treeHead) {
    if (publicKey !== undefined) problems.push(...verifyTreeHead(treeHead, publicKey));
    if (treeHead.treeSize > tree.size)
      problems.push(
        auditSentence('AUDIT_HEAD_BEYOND_LOG', { size: treeHead.treeSize, entries: tree.size }),
      );
    else {
      const root = tree.root(treeHead.treeSize).toString('base64');
      if (root !== treeHead.rootHash)
        problems.push(
          auditSentence('AUDIT_ROOT_MISMATCH', {
            size: treeHead.treeSize,
            expected: treeHead.rootHash,
            got: root,
          }),
        );
    }
  }
  return { entries, rootHash: tree.root().toString('base64'), problems };
}
