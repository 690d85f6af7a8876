import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { senml } from '../lib';
import { ConsentGate } from '../lib/consent/gate';
import { purposeIri } from '../lib/consent/purposes';
import type { Meta } from '../lib/federation/quoalise';
import type { ConsentStoreNode } from './support/consent';
import { errorText } from './support/errors';
import { reportError } from './support/report';

interface ConsentFilterConfig extends NodeDef {
  store: string;
  /** A bare JID or a domain; empty: msg.to. */
  recipient: string;
  /** A DPV purpose IRI; empty: msg.purpose. */
  purpose: string;
}

type FilterMessage = NodeMessageInFlow & {
  to?: unknown;
  purpose?: unknown;
  subject?: unknown;
  meta?: unknown;
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export = function register(RED: NodeAPI): void {
  function ConsentFilter(this: Node, config: ConsentFilterConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const storeNode = RED.nodes.getNode(config.store) as ConsentStoreNode | null;
    if (!storeNode?.opened) {
      node.status({ fill: 'red', shape: 'ring', text: RED._('consent-filter.status.noStore') });
      node.on('input', (_msg, _send, done) =>
        done(new Error(RED._('consent-filter.errors.noStore'))),
      );
      return;
    }
    let allowed = 0;
    let withheld = 0;
    /** One gate per purpose: the purpose may come with each message. */
    const gates = new Map<string, ConsentGate>();
    const gateFor = (purpose: string, store: ConsentGate['store']): ConsentGate => {
      let gate = gates.get(purpose);
      if (!gate) {
        gate = new ConsentGate({ store, purpose });
        gates.set(purpose, gate);
      }
      return gate;
    };
    node.status({});

    node.on('input', (msg: FilterMessage, send, done) => {
      (async () => {
        const recipient = text(config.recipient) ?? text(msg.to);
        if (!recipient) throw new Error(RED._('consent-filter.errors.noRecipient'));
        const purposeText = text(config.purpose) ?? text(msg.purpose);
        if (!purposeText) throw new Error(RED._('consent-filter.errors.noPurpose'));
        const purpose = purposeIri(purposeText);
        // A resolved pack, as every SenFed node gives it; anything else is said at the Catch node.
        const pack = senml.resolve(msg.payload, {
          relativeTimes: 'keep',
          secondaryUnits: 'accept',
        });
        const store = await storeNode.opened;
        const meta =
          typeof msg.meta === 'object' && msg.meta !== null && !Array.isArray(msg.meta)
            ? (msg.meta as Meta)
            : undefined;
        const { outcome, share } = await gateFor(purpose, store).decide(
          pack,
          recipient,
          'flow',
          meta,
          text(msg.subject),
        );
        allowed += share ? share.pack.length : 0;
        withheld += outcome.withheld.length;
        let out: FilterMessage | null = null;
        if (share) {
          out = msg;
          out.payload = share.pack;
          out.meta = share.meta;
        }
        let kept: Record<string, unknown> | null = null;
        if (outcome.withheld.length > 0) {
          kept = {
            ...RED.util.cloneMessage(msg),
            payload: outcome.withheld.map((w) => w.record),
            withheld: outcome.withheld.map((w) => ({
              index: w.index,
              n: w.record.n,
              t: w.record.t,
              reason: errorText(RED._, w.reason),
              messageId: w.reason.messageId,
              consent: w.consent ?? null,
            })),
          };
        }
        node.status({
          fill: allowed > 0 ? 'green' : 'grey',
          shape: 'dot',
          text: RED._('consent-filter.status.counts', { allowed, withheld }),
        });
        send([out, kept as never]);
      })().then(
        () => done(),
        (err: unknown) => reportError(RED._, node, done, err),
      );
    });
  }
  RED.nodes.registerType('consent-filter', ConsentFilter);
};
