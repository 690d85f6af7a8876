import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { senml } from '../lib';
import { DurableQueue } from '../lib/store/durable-queue';
import {
  type CappedEvent,
  type FailedEvent,
  type Publication,
  Publisher,
  type PublishTarget,
  targetSentence,
} from '../lib/federation/publisher';
import { type Meta, metaElement } from '../lib/federation/quoalise';
import type { XmppAccountNode } from './support/account';
import { errorText, localError } from './support/errors';
import { reportError } from './support/report';
import { nodeStoragePath, removeNodeStorage } from './support/storage';
import { type ConsentSettings, consentGateOf } from './support/consent';
import { CommandDesk } from '../lib/federation/command-desk';
import { AUDIT_PROOF_COMMAND, auditProofCommand } from '../lib/consent/audit-command';
import { REQUEST_ACCESS_COMMAND, requestAccessCommand } from '../lib/consent/access-command';
import type { ConsentGate } from '../lib/consent/gate';
import { membershipSentence } from '../lib/federation/membership';

interface FederationPublishConfig extends NodeDef, ConsentSettings {
  account: string;
  mode: 'pubsub' | 'direct';
  service: string;
  node: string;
  createNode: boolean;
  /** Items kept by a node this one creates; empty or absent: the publisher's default. */
  maxItems?: string;
  to: string;
  queueSize: string;
  /** Direct mode: the id of a federation provide node; the pack goes to every current subscriber of the identifier. */
  toSubscribersOf?: string;
  identifier?: string;
}

type PublishMessage = NodeMessageInFlow & { meta?: unknown; to?: unknown; identifier?: unknown };

export = function register(RED: NodeAPI): void {
  function FederationPublish(this: Node, config: FederationPublishConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    if (!account) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('federation-publish.status.noAccount'),
      });
      node.on('input', (_msg, _send, done) =>
        done(new Error(RED._('federation-publish.errors.noAccount'))),
      );
      return;
    }
    const maxEntries = Math.max(1, Number.parseInt(config.queueSize, 10) || 1000);
    const keep = Number.parseInt(config.maxItems ?? '', 10);
    const maxItems = keep >= 1 ? keep : undefined;
    const queueDirectory = nodeStoragePath(RED, 'queues', node.id);
    // With a consent store, what leaves is decided at send time, recipient by recipient.
    const consent = consentGateOf(RED, 'federation-publish', config, () => account.session.jid);
    consent?.catch(() => undefined); // reported when the queue is open, below
    let gate: ConsentGate | undefined;
    let withheld = 0;
    const ready = DurableQueue.open<Publication>(queueDirectory, {
      maxEntries,
      // At-least-once delivery: a power cut may resend the last packs (same item ids), never lose one.
      syncAcks: false,
      onWarning: (warning) => node.warn(errorText(RED._, warning)),
    }).then(async (queue) => {
      gate = await consent?.catch(async (err: unknown) => {
        await queue.close();
        throw err;
      });
      const publisher = new Publisher(
        account.session,
        queue,
        gate ? { release: gate.publisherRelease(account.session) } : {},
      );
      if (gate) {
        gate.on('withheld', () => {
          withheld += 1;
        });
        gate.on('membership', ({ node: pubsubNode, change }) =>
          node.log(errorText(RED._, membershipSentence(change, pubsubNode))),
        );
        gate.on('problem', (err: Error) => node.warn(errorText(RED._, err)));
        // A withdrawal made while nothing is published still takes the member off the node.
        if (config.mode === 'pubsub' && config.service && config.node)
          gate.follow(account.session, {
            mode: 'pubsub',
            service: config.service,
            node: config.node,
          });
        const syncNow = (): void => void gate!.syncMemberships();
        account.session.on('online', syncNow);
        // Recipients check proofs with audit_proof and ask to become members with request_access.
        const desk = CommandDesk.of(account.session);
        const access = requestAccessCommand(gate);
        const removals = [access.remove];
        try {
          removals.push(desk.add(AUDIT_PROOF_COMMAND, auditProofCommand(gate.store.audit)));
          removals.push(desk.add(REQUEST_ACCESS_COMMAND, access.command));
        } catch (err) {
          node.warn(errorText(RED._, err));
        }
        node.on('close', () => {
          account.session.off('online', syncNow);
          for (const remove of removals) remove();
        });
      }
      publisher.on('withheld', () => showQueue(publisher));
      publisher.on('published', () => showQueue(publisher));
      publisher.on('drained', () => showQueue(publisher));
      publisher.on('problem', (err: Error) => node.warn(errorText(RED._, err)));
      // Subscribers catch up only as far back as the node keeps: say so when the service keeps fewer.
      publisher.on('capped', (capped: CappedEvent) =>
        node.warn(
          RED._('federation-publish.warn.capped', {
            node: capped.node,
            service: capped.service,
            asked: capped.asked,
          }),
        ),
      );
      publisher.on('failed', ({ publication, error }: FailedEvent) => {
        // The original message may be gone (a restart in between): give the Catch node what was published.
        node.error(localError(RED._, error), {
          payload: publication.pack,
          topic:
            publication.target.mode === 'pubsub' ? publication.target.node : publication.target.to,
          itemId: publication.itemId,
          _msgid: RED.util.generateId(),
        } as never);
      });
      void publisher.drain();
      return publisher;
    });
    ready.catch((err: Error) =>
      node.status({ fill: 'red', shape: 'ring', text: errorText(RED._, err) }),
    );
    account.register(node);

    function showQueue(publisher: Publisher): void {
      if (!account!.session.online) return; // the account shows the connection state
      const pending = publisher.pending;
      node.status(
        pending === 0
          ? withheld > 0
            ? {
                fill: 'green',
                shape: 'dot',
                text: RED._('federation-publish.status.withheld', { count: withheld }),
              }
            : { fill: 'green', shape: 'dot', text: 'node-red:common.status.connected' }
          : {
              fill: 'yellow',
              shape: 'dot',
              text: RED._('federation-publish.status.queued', { count: pending }),
            },
      );
    }

    function targetOf(msg: PublishMessage): PublishTarget {
      if (config.mode === 'direct') {
        const to = config.to || (typeof msg.to === 'string' ? msg.to : '');
        if (!to) throw new Error(RED._('federation-publish.errors.noRecipient'));
        return { mode: 'direct', to };
      }
      const pubsubNode = config.node || (typeof msg.topic === 'string' ? msg.topic : '');
      if (!config.service || !pubsubNode)
        throw new Error(RED._('federation-publish.errors.noNode'));
      const target: PublishTarget = {
        mode: 'pubsub',
        service: config.service,
        node: pubsubNode,
        createNode: config.createNode !== false,
        accessModel: 'whitelist',
      };
      if (maxItems !== undefined) target.maxItems = maxItems;
      return target;
    }

    /** Direct mode to the subscribers of a provide node: one target per subscriber, none when nobody subscribed. */
    function targetsOf(msg: PublishMessage): PublishTarget[] {
      if (config.mode !== 'direct' || !config.toSubscribersOf) return [targetOf(msg)];
      const identifier =
        config.identifier || (typeof msg.identifier === 'string' ? msg.identifier : '');
      if (!identifier) throw new Error(RED._('federation-publish.errors.noIdentifier'));
      const provider = RED.nodes.getNode(config.toSubscribersOf) as
        (Node & { subscribersOf?: (identifier: string) => string[] }) | null;
      if (typeof provider?.subscribersOf !== 'function')
        throw new Error(RED._('federation-publish.errors.noProvider'));
      return provider
        .subscribersOf(identifier)
        .map((to): PublishTarget => ({ mode: 'direct', to }));
    }

    node.on('input', (msg: PublishMessage, _send, done) => {
      (async () => {
        // The pack is checked before it is queued: bad input fails here, not hours later.
        // A pack with Wh or kWh and no version is given bver 26 (RFC 9100 §4), which Quoalise peers ignore.
        const pack = senml.resolve(msg.payload, {
          relativeTimes: 'keep',
          secondaryUnits: 'accept',
        });
        const targets = targetsOf(msg);
        // msg.meta goes with direct messages; a PubSub item carries only the consent gate's meta.
        const meta =
          config.mode === 'direct' &&
          msg.meta !== undefined &&
          typeof msg.meta === 'object' &&
          msg.meta !== null
            ? (msg.meta as Meta)
            : undefined;
        // Meta that cannot become XML fails now, at the Catch node, rather than at the head of the queue.
        if (meta !== undefined) metaElement(meta);
        const publisher = await ready;
        // One queue entry per recipient: each is delivered, retried and reported on its own.
        for (const target of targets) {
          const { dropped } = await publisher.publish(pack, target, meta);
          if (dropped.length > 0) {
            const ids = dropped.map((d) => d.entry.itemId).join(', ');
            node.warn(
              RED._('federation-publish.warn.dropped', {
                count: dropped.length,
                max: maxEntries,
                target: errorText(RED._, targetSentence(target)),
                ids,
              }),
            );
          }
        }
        if (!account.session.online)
          node.status({
            fill: 'yellow',
            shape: 'ring',
            text: RED._('federation-publish.status.queuedOffline', { count: publisher.pending }),
          });
      })().then(
        () => done(),
        (err: unknown) => reportError(RED._, node, done, err),
      );
    });

    // Deleted from the flow (not a redeploy, not a restart): its queue goes with it, and the log says how much.
    node.on('close', (removed: boolean, done: () => void) => {
      ready
        .then(async (publisher) => {
          const queued = publisher.pending;
          gate?.close();
          await publisher.close();
          if (removed) await removeNodeStorage(RED, node, queueDirectory, queued);
        })
        .catch(() => undefined)
        .finally(() => account.deregister(node, done));
    });
  }
  RED.nodes.registerType('federation-publish', FederationPublish);
};
