import { createHash } from 'node:crypto';
import { canonicalJson as canonical, type CanonicalProblem } from '../canonical-json';
import type { ResolvedPack } from '../senml/model';
import { AuditError } from './audit/messages';

function notJson(problem: CanonicalProblem): never {
  throw new AuditError('AUDIT_NOT_JSON', {
    reason:
      problem.kind === 'too-deep'
        ? 'nested too deeply'
        : problem.kind === 'not-finite'
          ? `the number ${problem.value}`
          : `a ${problem.type}`,
  });
}

/** The canonical JSON of an audit entry or a pack (lib/canonical-json.ts): the bytes a leaf hashes. */
export function canonicalJson(value: unknown): string {
  return canonical(value, notJson);
}

/**
 * `sha-256:<hex>` of exactly the records of a pack, whatever their order: the
 * canonical JSON of each record, sorted, as a JSON list. The recipient computes
 * the same on the records it resolved, so that a pack re-ordered on the way
 * (senders and readers may sort by time) still matches, and any other change
 * does not.
 */
export function packDigest(pack: ResolvedPack): string {
  const records = pack.map((record) => canonical(record, notJson)).sort();
  return `sha-256:${createHash('sha256')
    .update(`[${records.join(',')}]`, 'utf8')
    .digest('hex')}`;
}
