import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { senml } from '../lib';
import { SeenItems } from '../lib/store/seen-items';
import { SenderList } from '../lib/federation/senders';
import {
  type CatchUpGap,
  type ReceivedData,
  type ReceivedItem,
  Subscriber,
} from '../lib/federation/subscriber';
import type { XmppAccountNode } from './support/account';
import { type Translate, errorText, localError } from './support/errors';
import { migrateConfig } from './support/migrations';
import { nodeStoragePath, removeNodeStorage } from './support/storage';
import { reportNotes } from './support/report';
import { proofChecker } from './support/consent';
import { proverOf } from '../lib/consent/share-proof';
import type { AccessAnswer } from '../lib/federation/subscriber';
import type { Meta } from '../lib/federation/quoalise';

interface FederationSubscribeConfig extends NodeDef {
  account: string;
  service: string;
  node: string;
  /** Output Quoalise data pushed to the account (see support/migrations for older flows). */
  quoalise: boolean;
  /** Who may push it: JIDs and domains, "*" for anyone. */
  quoaliseFrom: string;
  /** Check the audit proof Quoalise data carries (a provider with a consent store sends one). */
  verifyProofs?: boolean;
  /** The publisher's full JID, asked for access (request_access) when the node refuses us. */
  askAccessOf?: string;
}

const isoTime = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();

export = function register(RED: NodeAPI): void {
  function FederationSubscribe(this: Node, saved: FederationSubscribeConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const config = migrateConfig(RED, node, saved);
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    if (!account) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('federation-subscribe.status.noAccount'),
      });
      return;
    }
    let senders: SenderList;
    try {
      senders = quoaliseSenders(config);
    } catch (err) {
      const reason = errorText(RED._, err);
      node.status({ fill: 'red', shape: 'ring', text: reason });
      node.error(RED._('federation-subscribe.errors.senders', { reason }));
      return;
    }
    const follows = Boolean(config.service && config.node);
    const storage = nodeStoragePath(RED, 'subscriptions', node.id);
    const subscriber = new Subscriber(
      account.session,
      follows ? config.service : '',
      follows ? config.node : '',
      new SeenItems(join(storage, 'seen.json')),
      {
        quoaliseFrom: senders,
        ...(config.askAccessOf?.trim() ? { askAccessOf: config.askAccessOf.trim() } : {}),
      },
    );
    /** What the publisher answered to our request for access, shown while the service still refuses. */
    let access: AccessAnswer | undefined;

    // Data from a publisher or provider with a consent store carries its audit proof: checked before it goes on.
    const checkProof = config.verifyProofs ? proofChecker(RED, node, account.session) : undefined;
    function showAccess(answer: AccessAnswer): void {
      const owner = config.askAccessOf?.trim() ?? '';
      if (answer.status === 'refused')
        node.status({
          fill: 'red',
          shape: 'ring',
          text: RED._('federation-subscribe.status.accessRefused', { owner }),
        });
      else if (answer.status === 'member')
        node.status({
          fill: 'yellow',
          shape: 'dot',
          text: RED._('federation-subscribe.status.accessMember', { owner }),
        });
      else
        node.status({
          fill: 'yellow',
          shape: 'ring',
          text: RED._('federation-subscribe.status.accessRequested', { owner }),
        });
    }

    /** Kinds of SenML notes already told, each once. */
    const told = new Set<string>();
    /** Resolve received records; a bad pack goes to the Catch node with what arrived. */
    function output(records: senml.SenmlRecord[], props: Record<string, unknown>): void {
      try {
        const notes: senml.SenmlNote[] = [];
        // Quoalise peers send Wh and kWh without declaring them (no bver): accepted, with a note.
        const msg = {
          payload: senml.resolve(records, {
            secondaryUnits: 'accept',
            onNote: (note) => notes.push(note),
          }),
          ...props,
        };
        reportNotes(RED._, node, msg, notes, told, (message) =>
          RED._('federation-subscribe.warn.senmlNote', {
            from: String(props.from ?? '?'),
            message,
          }),
        );
        node.send([msg, null]);
      } catch (err) {
        node.error(localError(RED._, err), { payload: records, ...props } as never);
      }
    }

    if (follows) {
      subscriber.on('item', (item: ReceivedItem) => {
        const props: Record<string, unknown> = {
          topic: item.node,
          from: item.publisher ?? item.service,
          itemId: item.itemId,
          service: item.service,
        };
        if (item.meta !== undefined) props.meta = item.meta;
        if (!checkProof) return output(item.records, props);
        // The log that proves an item is its publisher's: keys are pinned per prover, not per service.
        checked(item.records, props, item.meta, proverOf(item.meta) ?? item.service);
      });
      subscriber.on('access', (answer: AccessAnswer) => {
        access = answer;
        node.log(
          RED._('federation-subscribe.log.access', {
            owner: config.askAccessOf?.trim() ?? '',
            node: answer.node,
            status: answer.status,
          }),
        );
        showAccess(answer);
      });
      subscriber.on('problem', (err: Error) => {
        if (
          access !== undefined &&
          refusalText(err, RED._) === RED._('federation-subscribe.status.notMember')
        )
          showAccess(access);
        else node.status({ fill: 'red', shape: 'ring', text: refusalText(err, RED._) });
        // With a message, so that a Catch node sees it; the subscriber asks again by itself.
        node.error(
          RED._('federation-subscribe.errors.subscribe', {
            node: config.node,
            service: config.service,
            reason: errorText(RED._, err),
          }),
          {
            topic: config.node,
            service: config.service,
            _msgid: RED.util.generateId(),
          } as never,
        );
      });
      subscriber.on('subscribed', () => {
        access = undefined;
        node.status({
          fill: 'green',
          shape: 'dot',
          text: RED._('federation-subscribe.status.subscribed'),
        });
      });
      subscriber.on('gap', (gap: CatchUpGap) => {
        const since = isoTime(gap.lastSeen?.time) ?? gap.lastSeen?.id ?? '?';
        const until = isoTime(gap.oldestKept?.time) ?? gap.oldestKept?.id ?? '?';
        node.warn(
          RED._('federation-subscribe.warn.gap', {
            node: gap.node,
            service: gap.service,
            since,
            until,
            kept: gap.kept,
          }),
        );
        node.status({
          fill: 'yellow',
          shape: 'dot',
          text: RED._('federation-subscribe.status.gap', { since }),
        });
        node.send([
          null,
          {
            topic: 'gap',
            service: gap.service,
            node: gap.node,
            payload: {
              lastSeen: gap.lastSeen && { id: gap.lastSeen.id, time: isoTime(gap.lastSeen.time) },
              oldestKept: gap.oldestKept && {
                id: gap.oldestKept.id,
                time: isoTime(gap.oldestKept.time),
              },
              kept: gap.kept,
            },
          },
        ]);
      });
    }
    subscriber.on('invalid', (err: Error) => node.warn(errorText(RED._, err)));
    subscriber.on('data', (data: ReceivedData) => {
      const props: Record<string, unknown> = {
        topic: 'quoalise',
        from: data.from,
        meta: data.meta,
      };
      if (!checkProof) return output(data.records, props);
      checked(data.records, props, data.meta, data.from);
    });

    /** Output what arrived once its audit proof is checked (msg.proof says how it went). */
    function checked(
      records: senml.SenmlRecord[],
      props: Record<string, unknown>,
      meta: Meta | undefined,
      from: string,
    ): void {
      let pack: senml.ResolvedPack;
      try {
        pack = senml.resolve(records, { secondaryUnits: 'accept' });
      } catch {
        return output(records, props); // output says what is wrong with it
      }
      checkProof!(props, pack, meta, from).then(
        () => output(records, props),
        (err: unknown) => node.error(localError(RED._, err)),
      );
    }
    // Each refused sender is told once, not at every message it sends; a node not asked to take such data says nothing.
    const refused = new Set<string>();
    subscriber.on('refused', (from: string) => {
      const bare = from.split('/')[0];
      if (config.quoalise === false || refused.has(bare)) return;
      refused.add(bare);
      node.warn(RED._('federation-subscribe.warn.refused', { from: bare }));
    });
    account.register(node);

    // Deleted from the flow (not a redeploy, not a restart): the ids it had seen go with it.
    node.on('close', (removed: boolean, done: () => void) => {
      subscriber.close();
      const removing = removed ? removeNodeStorage(RED, node, storage) : Promise.resolve();
      removing
        .catch((err: Error) => node.warn(errorText(RED._, err)))
        .finally(() => account.deregister(node, done));
    });
  }
  RED.nodes.registerType('federation-subscribe', FederationSubscribe);
};

/**
 * What the status says of a subscription refused: what to do, where the service's
 * condition says it (XEP-0060 §6.1.3: a whitelist node answers forbidden or
 * not-allowed with closed-node to a JID that is not a member).
 */
function refusalText(err: Error, translate: Translate): string {
  const condition = (err as { condition?: unknown }).condition;
  if (condition === 'forbidden' || condition === 'not-allowed' || condition === 'not-authorized')
    return translate('federation-subscribe.status.notMember');
  if (condition === 'item-not-found') return translate('federation-subscribe.status.noNode');
  return errorText(translate, err);
}

/** Quoalise senders the node accepts: none unless ticked. */
function quoaliseSenders(config: FederationSubscribeConfig): SenderList {
  if (config.quoalise !== true) return SenderList.nobody;
  return SenderList.parse(config.quoaliseFrom);
}
