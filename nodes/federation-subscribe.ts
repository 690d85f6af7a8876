import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { senml } from '../lib';
import { SeenItems } from '../lib/federation/seen-items';
import { type ReceivedData, type ReceivedItem, Subscriber } from '../lib/federation/subscriber';
import type { XmppAccountNode } from './support/account';
import { nodeStoragePath } from './support/storage';

interface FederationSubscribeConfig extends NodeDef {
  account: string;
  service: string;
  node: string;
  quoalise: boolean;
}

export = function register(RED: NodeAPI): void {
  function FederationSubscribe(this: Node, config: FederationSubscribeConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    if (!account) {
      node.status({ fill: 'red', shape: 'ring', text: RED._('federation-subscribe.status.noAccount') });
      return;
    }
    const subscriber = config.service && config.node
      ? new Subscriber(account.session, config.service, config.node, new SeenItems(join(nodeStoragePath(RED, 'subscriptions', node.id), 'seen.json')))
      : undefined;
    const emitter = subscriber ?? account.session;

    /** Resolve received records; a bad pack goes to the Catch node with what arrived. */
    function output(records: senml.SenmlRecord[], props: Record<string, unknown>): void {
      try {
        node.send({ payload: senml.resolve(records), ...props });
      } catch (err) {
        node.error(err, { payload: records, ...props } as never);
      }
    }

    if (subscriber) {
      subscriber.on('item', (item: ReceivedItem) => output(item.records, { topic: item.node, from: item.publisher ?? item.service, itemId: item.itemId, service: item.service }));
      subscriber.on('problem', (err: Error) => {
        node.status({ fill: 'red', shape: 'ring', text: err.message });
        // With a message, so that a Catch node sees it; the subscriber asks again by itself.
        node.error(RED._('federation-subscribe.errors.subscribe', { node: config.node, service: config.service, reason: err.message }), {
          topic: config.node,
          service: config.service,
          _msgid: RED.util.generateId(),
        } as never);
      });
      subscriber.on('subscribed', () => node.status({ fill: 'green', shape: 'dot', text: RED._('federation-subscribe.status.subscribed') }));
      subscriber.on('invalid', (err: Error) => node.warn(err.message));
    }
    if (config.quoalise !== false) {
      const onData = (data: ReceivedData): void => output(data.records, { topic: 'quoalise', from: data.from, meta: data.meta });
      if (subscriber) subscriber.on('data', onData);
      else {
        // Without a node to follow, only pushed Quoalise data: read it straight from the session.
        const quoalise = new Subscriber(account.session, '', '', new SeenItems(join(nodeStoragePath(RED, 'subscriptions', node.id), 'seen.json')));
        quoalise.on('data', onData);
        node.on('close', () => quoalise.close());
      }
    }
    account.register(node);

    node.on('close', (done: () => void) => {
      subscriber?.close();
      void emitter;
      account.deregister(node, done);
    });
  }
  RED.nodes.registerType('federation-subscribe', FederationSubscribe);
};
