import type { Node, NodeAPI, NodeConstructor, NodeDef, NodeStatus } from 'node-red';
import { discover } from '../lib/federation/discoverer';
import { XmppSession } from '../lib/federation/session';
import type { XmppAccountNode } from './support/account';
import { sessionStatus } from './support/session-status';

interface XmppAccountConfig extends NodeDef {
  jid: string;
  host: string;
  port: string;
  caFile: string;
  resource: string;
}

export = function register(RED: NodeAPI): void {
  function XmppAccount(this: XmppAccountNode, config: XmppAccountConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const users = new Set<Node>();
    const port = Number.parseInt(config.port, 10);
    node.session = new XmppSession({
      jid: config.jid,
      password: node.credentials?.password ?? '',
      host: config.host || undefined,
      port: Number.isFinite(port) ? port : undefined,
      caFile: config.caFile || undefined,
      resource: config.resource || undefined,
    });
    const translate = (key: string): string => RED._(key);
    let status: NodeStatus = sessionStatus(node.session.state, translate);
    node.session.on('state', (change) => {
      status = sessionStatus(change, translate);
      for (const user of users) user.status(status);
      if (change.state === 'error') node.warn(`${config.jid}: ${String(status.text)}`);
    });
    node.session.on('clientError', (err: Error) => node.debug(`${config.jid}: ${err.message}`));

    // One session for every node using the account: opened with the first, closed with the last.
    node.register = (user: Node): void => {
      users.add(user);
      user.status(status);
      if (users.size === 1) node.session.start();
    };
    node.deregister = (user: Node, done: () => void): void => {
      users.delete(user);
      if (users.size > 0) return done();
      node.session.stop().then(done, done);
    };
    node.on('close', (done: () => void) => {
      node.session.stop().then(done, done);
    });
  }
  // The editor's "find" buttons: the catalogue of a domain, service or JID, seen from a deployed account.
  // A refusal carries a code, so that the editor can say it in the editor's language (xmpp-account.errors.<code>).
  RED.httpAdmin.get('/senfed/xmpp-account/:id/discover', RED.auth.needsPermission('xmpp-account.read'), (req, res) => {
    const account = RED.nodes.getNode(String(req.params.id)) as XmppAccountNode | null;
    const target = typeof req.query.target === 'string' ? req.query.target.trim() : '';
    if (!account) {
      res.status(404).json({ code: 'notDeployed', error: RED._('xmpp-account.errors.notDeployed') });
      return;
    }
    if (!target) {
      res.status(400).json({ code: 'noTarget', error: RED._('xmpp-account.errors.noTarget') });
      return;
    }
    if (!account.session.online) {
      // Say why, as the status of the account's nodes does: a refused password, a server that cannot be reached.
      const reason = account.session.state.reason ?? account.session.state.state;
      res.status(503).json({ code: 'notConnected', reason, error: RED._('xmpp-account.errors.notConnected', { reason }) });
      return;
    }
    discover(account.session, target).then(
      (catalogue) => res.json(catalogue),
      (err: Error) => res.status(502).json({ error: err.message }),
    );
  });

  RED.nodes.registerType('xmpp-account', XmppAccount as unknown as NodeConstructor<Node<{ password: string }>, XmppAccountConfig, { password: string }>, {
    credentials: { password: { type: 'password' } },
  });
};
