import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { discover } from '../lib/federation/discoverer';
import type { XmppAccountNode } from './support/account';
import { reportError } from './support/report';

interface FederationDiscoverConfig extends NodeDef {
  account: string;
  target: string;
}

export = function register(RED: NodeAPI): void {
  function FederationDiscover(this: Node, config: FederationDiscoverConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    if (!account) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('federation-discover.status.noAccount'),
      });
      node.on('input', (_msg, _send, done) =>
        done(new Error(RED._('federation-discover.errors.noAccount'))),
      );
      return;
    }
    account.register(node);

    node.on('input', (msg: NodeMessageInFlow & { target?: unknown }, send, done) => {
      const target = config.target || (typeof msg.target === 'string' ? msg.target : '');
      if (!target) {
        done(new Error(RED._('federation-discover.errors.noTarget')));
        return;
      }
      discover(account.session, target).then(
        (catalogue) => {
          msg.payload = catalogue;
          (msg as Record<string, unknown>).topic ??= target;
          const nodes = catalogue.services.reduce((sum, s) => sum + s.nodes.length, 0);
          node.status({
            fill: catalogue.problems.length ? 'yellow' : 'green',
            shape: 'dot',
            text: RED._('federation-discover.status.found', {
              nodes,
              commands: catalogue.commands.length,
            }),
          });
          send(msg);
          done();
        },
        (err: unknown) => reportError(RED._, node, done, err),
      );
    });
    node.on('close', (done: () => void) => account.deregister(node, done));
  }
  RED.nodes.registerType('federation-discover', FederationDiscover);
};
