import type { Sentence } from '../errors';
import { bareJid } from '../store/subscriber-registry';
import type { Meta } from '../federation/quoalise';
import type { ResolvedPack } from '../senml/model';
import { verifyAppendOnly, verifyShareProof, type SignedTreeHead } from './audit';
import { packDigest } from './digest';
import { shareReaches } from './evaluate';
import { consentGateSentence } from './gate-messages';
import type { AuditEntry } from './model';

/** The audit proof a share carries in its meta (see gate.ts), read. */
export interface ReceivedAudit {
  index: number;
  entry: AuditEntry;
  proof: string[];
  head: SignedTreeHead;
  /** The sender's public key, base64 of the raw Ed25519 key. */
  key: string;
  /** The full JID that answers audit_proof. */
  prover?: string;
}

/** A consistency proof between two sizes of a sender's log, as audit_proof answers it. */
export type AskConsistency = (
  prover: string,
  first: number,
  second: number,
) => Promise<{ proof: string[] }>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function whole(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : Number(text(value));
  return Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

/** Read `meta.audit`; undefined without one, a reason (English) when it is malformed. */
export function readAuditMeta(meta: Meta | undefined): ReceivedAudit | string | undefined {
  const audit = meta?.audit;
  if (audit === undefined || audit === null) return undefined;
  if (typeof audit !== 'object' || Array.isArray(audit)) return 'audit is not an element';
  const fields = audit as Meta;
  const index = whole(fields.index);
  const treeSize = whole(fields.treeSize);
  const timestamp = whole(fields.timestamp);
  const entryText = text(fields.entry);
  const rootHash = text(fields.rootHash);
  const signature = text(fields.signature);
  const keyId = text(fields.keyId);
  const key = text(fields.key);
  if (index === undefined || treeSize === undefined || timestamp === undefined)
    return 'index, treeSize and timestamp must be whole numbers';
  if (!entryText || !rootHash || !signature || !keyId || !key)
    return 'entry, rootHash, signature, keyId and key are required';
  let entry: AuditEntry;
  try {
    entry = JSON.parse(entryText) as AuditEntry;
  } catch {
    return 'entry is not JSON';
  }
  const proofText = text(fields.proof) ?? '';
  const out: ReceivedAudit = {
    index,
    entry,
    proof: proofText === '' ? [] : proofText.split(' '),
    head: { treeSize, rootHash, timestamp, signature, keyId },
    key,
  };
  const prover = text(fields.prover);
  if (prover !== undefined) out.prover = prover;
  return out;
}

/** The bare JID of the instance whose log proves a share (its meta's prover), if it says. */
export function proverOf(meta: Meta | undefined): string | undefined {
  const audit = readAuditMeta(meta);
  return typeof audit === 'object' && audit.prover !== undefined
    ? bareJid(audit.prover)
    : undefined;
}

/**
 * Checks, at the recipient, the audit proofs of the shares it receives: that
 * what arrived is exactly what the sender's log says it sent to this JID, that
 * the entry is in the signed tree, that the sender's key stays the same (the
 * first key seen from a sender is pinned), and, when a later head is larger,
 * that the log only grew (a consistency proof asked with audit_proof).
 */
export class ShareVerifier {
  readonly #keys = new Map<string, string>();
  readonly #heads = new Map<string, SignedTreeHead>();

  constructor(
    /** This recipient's JID (bare or full). */
    readonly jid: string,
    readonly askConsistency?: AskConsistency,
  ) {}

  /** The problems found with one share received from `from`; empty when it holds. */
  async check(pack: ResolvedPack, meta: Meta | undefined, from: string): Promise<Sentence[]> {
    const sender = bareJid(from);
    const audit = readAuditMeta(meta);
    if (audit === undefined) return [consentGateSentence('SHARE_PROOF_MISSING', { from: sender })];
    if (typeof audit === 'string')
      return [consentGateSentence('SHARE_PROOF_UNREADABLE', { from: sender, reason: audit })];
    const { entry, index } = audit;
    if (entry.kind !== 'share')
      return [
        consentGateSentence('SHARE_PROOF_UNREADABLE', {
          from: sender,
          reason: 'the entry is not a share',
        }),
      ];
    const problems: Sentence[] = [];
    const digest = packDigest(pack);
    if (entry.digest !== digest)
      problems.push(
        consentGateSentence('SHARE_PROOF_DIGEST', {
          from: sender,
          index,
          expected: entry.digest,
          got: digest,
        }),
      );
    if (!shareReaches(entry, this.jid))
      problems.push(
        consentGateSentence('SHARE_PROOF_RECIPIENT', {
          from: sender,
          index,
          recipient: entry.recipient,
          jid: bareJid(this.jid),
        }),
      );
    const pinned = this.#keys.get(sender);
    if (pinned === undefined) this.#keys.set(sender, audit.key);
    else if (pinned !== audit.key)
      problems.push(
        consentGateSentence('SHARE_PROOF_KEY_CHANGED', {
          from: sender,
          was: pinned.slice(0, 12),
          now: audit.key.slice(0, 12),
        }),
      );
    const key = pinned ?? audit.key;
    for (const reason of verifyShareProof({
      entry,
      index,
      treeHead: audit.head,
      proof: audit.proof,
      publicKey: key,
    }))
      problems.push(consentGateSentence('SHARE_PROOF_INVALID', { from: sender, index, reason }));
    if (problems.length === 0) problems.push(...(await this.#checkGrowth(sender, audit, key)));
    return problems;
  }

  /** A head larger than the last one seen from this sender must extend it. */
  async #checkGrowth(sender: string, audit: ReceivedAudit, key: string): Promise<Sentence[]> {
    const last = this.#heads.get(sender);
    const head = audit.head;
    if (last === undefined || head.treeSize <= last.treeSize) {
      if (last === undefined || head.treeSize > last.treeSize) this.#heads.set(sender, head);
      return [];
    }
    const params = { from: sender, first: last.treeSize, second: head.treeSize };
    if (!this.askConsistency || audit.prover === undefined) {
      this.#heads.set(sender, head);
      return [];
    }
    let proof: string[];
    try {
      ({ proof } = await this.askConsistency(audit.prover, last.treeSize, head.treeSize));
    } catch (err) {
      return [
        consentGateSentence('SHARE_PROOF_NO_CONSISTENCY', {
          ...params,
          cause: err instanceof Error ? err.message : String(err),
        }),
      ];
    }
    const reasons = verifyAppendOnly(last, head, proof, key);
    if (reasons.length > 0)
      return [consentGateSentence('SHARE_PROOF_REWRITTEN', { ...params, reason: reasons[0] })];
    this.#heads.set(sender, head);
    return [];
  }
}
