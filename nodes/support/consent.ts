import type { Node, NodeAPI } from 'node-red';
import type { ConsentStore } from '../../lib/consent/consent-store';
import { ConsentGate } from '../../lib/consent/gate';
import { purposeIri } from '../../lib/consent/purposes';
import { askConsistencyOver } from '../../lib/consent/audit-command';
import { ShareVerifier } from '../../lib/consent/share-proof';
import type { Meta } from '../../lib/federation/quoalise';
import type { XmppSession } from '../../lib/federation/session';
import type { ResolvedPack } from '../../lib/senml/model';
import { errorText } from './errors';

/** A `consent store` config node as the nodes that name it see it. */
export interface ConsentStoreNode extends Node {
  /** The store, once open (rejects when it cannot be opened). */
  opened: Promise<ConsentStore>;
}

/** What a federation node's dialog says about consent. */
export interface ConsentSettings {
  /** The id of a `consent store` config node; empty: no consent check. */
  consentStore?: string;
  /** The DPV purpose the data leaves for. */
  purpose?: string;
}

/**
 * The consent gate of a federation node whose dialog names a consent store;
 * undefined when it names none. A store named and not found is an error (the
 * node must not send unchecked): the caller reports it and sends nothing. Its
 * text is the node's own `<type>.errors.noConsentStore`.
 */
export function consentGateOf(
  RED: NodeAPI,
  type: string,
  settings: ConsentSettings,
  prover: () => string | undefined,
): Promise<ConsentGate> | undefined {
  if (!settings.consentStore) return undefined;
  const storeNode = RED.nodes.getNode(settings.consentStore) as ConsentStoreNode | null;
  if (!storeNode || !(storeNode.opened instanceof Promise))
    return Promise.reject(new Error(RED._(`${type}.errors.noConsentStore`)));
  return storeNode.opened.then(
    (store) =>
      new ConsentGate({
        store,
        purpose: purposeIri(settings.purpose || 'ServiceProvision'),
        prover,
      }),
  );
}

/**
 * Checks the audit proofs of what a node receives (its dialog's "Verify audit
 * proofs"): sets `msg.proof` ({ valid, problems }) and reports a bad proof to
 * the Catch node with the message. The data goes on either way: it did arrive.
 */
export function proofChecker(
  RED: NodeAPI,
  node: Node,
  session: XmppSession,
): (
  msg: Record<string, unknown>,
  pack: ResolvedPack,
  meta: Meta | undefined,
  from: string,
) => Promise<void> {
  let verifier: ShareVerifier | undefined;
  return async (msg, pack, meta, from) => {
    verifier ??= new ShareVerifier(session.jid ?? session.bareJid, askConsistencyOver(session));
    const problems = await verifier.check(pack, meta, from);
    const texts = problems.map((problem) => errorText(RED._, problem));
    msg.proof = { valid: problems.length === 0, problems: texts };
    if (problems.length === 0) return;
    const [first] = problems;
    const error = Object.assign(new Error(texts[0]), {
      code: first.code,
      messageId: first.messageId,
      params: first.params,
    });
    node.error(error, msg as never);
  };
}
