import { commandIq, parseCommandResult } from '../federation/adhoc';
import type { ExtraCommand } from '../federation/provider';
import { readReply } from '../federation/requester';
import type { XmppSession } from '../federation/session';
import type { AuditLog } from './audit';
import { shareReaches } from './evaluate';
import { ConsentGateError } from './gate-messages';

/** The ad-hoc command (XEP-0050) node a recipient asks the proofs of an audit log with. */
export const AUDIT_PROOF_COMMAND = 'audit_proof';

function field(fields: Record<string, string | string[]>, name: string): number | undefined {
  const raw = fields[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new ConsentGateError('AUDIT_PROOF_FIELD', { field: name, value });
  return number;
}

/**
 * `audit_proof`: the proofs another domain checks a share with.
 * - `index` (and optionally `tree_size`): the inclusion proof of that entry
 *   (RFC 9162 §2.1.3), given only to the entry's own recipient;
 * - `first` (and optionally `second`): the consistency proof between two sizes
 *   of the log (§2.1.4), that it only grew.
 * Both answer with the signed head of the log as it is now. Proofs are hashes
 * only: they tell nothing of other entries.
 */
export function auditProofCommand(audit: AuditLog): ExtraCommand {
  return {
    owner: audit,
    name: 'Audit proof',
    fields: ['index', 'tree_size', 'first', 'second'],
    async answer(fields, from) {
      const head = audit.treeHead();
      const signed = {
        head_tree_size: String(head.treeSize),
        head_root_hash: head.rootHash,
        head_timestamp: String(head.timestamp),
        head_signature: head.signature,
        head_key_id: head.keyId,
        key: audit.publicKey,
      };
      const first = field(fields, 'first');
      if (first !== undefined) {
        const second = field(fields, 'second') ?? head.treeSize;
        const { proof } = audit.consistencyProof(first, second);
        return { ...signed, first: String(first), second: String(second), proof };
      }
      const index = field(fields, 'index');
      if (index === undefined) throw new ConsentGateError('AUDIT_PROOF_NOTHING_ASKED');
      const treeSize = field(fields, 'tree_size') ?? head.treeSize;
      const { proof } = audit.inclusionProof(index, treeSize);
      const entry = audit.entry(index);
      if (entry.kind !== 'share' || !shareReaches(entry, from))
        throw new ConsentGateError('AUDIT_PROOF_NOT_YOURS', { index, from });
      return { ...signed, index: String(index), tree_size: String(treeSize), proof };
    },
  };
}

/** A list field of a result form: one value reads as a string, none as ''. */
function listField(value: string | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return value ? [value] : [];
}

/**
 * The recipient's side of audit_proof: ask `prover` (a full JID) for the
 * consistency proof between two sizes of its log, over this session.
 */
export function askConsistencyOver(
  session: XmppSession,
  timeoutMs = 30_000,
): (prover: string, first: number, second: number) => Promise<{ proof: string[] }> {
  return async (prover, first, second) => {
    const answer = await session.iq(
      commandIq(prover, AUDIT_PROOF_COMMAND, { first: String(first), second: String(second) }),
      timeoutMs,
    );
    // Refusals and errors of the answer come out as the RequestError they are.
    readReply(answer, AUDIT_PROOF_COMMAND, prover);
    const form = parseCommandResult(answer)?.form;
    return { proof: listField(form?.fields.proof) };
  };
}
