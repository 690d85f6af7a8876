import type { Node, NodeAPI, NodeConstructor, NodeDef, NodeStatus } from 'node-red';
import { isSentence } from '../lib/errors';
import { type Catalogue, type CatalogueProblem, discover } from '../lib/federation/discoverer';
import { XmppSession } from '../lib/federation/session';
import type { XmppAccountNode } from './support/account';
import { type Translate, errorText } from './support/errors';
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
    let status: NodeStatus = sessionStatus(node.session.state, RED._);
    node.session.on('state', (change) => {
      status = sessionStatus(change, RED._);
      for (const user of users) user.status(status);
      if (change.state === 'error') node.warn(`${config.jid}: ${String(status.text)}`);
    });
    node.session.on('clientError', (err: Error) =>
      node.debug(`${config.jid}: ${errorText(RED._, err)}`),
    );

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
  // A refusal carries a code, so that the editor can say it in the editor's language (xmpp-account.errors.<code>);
  // what the library says (a reason, a failure) comes in the runtime's language, with its code, messageId and params.
  RED.httpAdmin.get(
    '/senfed/xmpp-account/:id/discover',
    RED.auth.needsPermission('xmpp-account.read'),
    (req, res) => {
      const account = RED.nodes.getNode(String(req.params.id)) as XmppAccountNode | null;
      const target = typeof req.query.target === 'string' ? req.query.target.trim() : '';
      if (!account) {
        res
          .status(404)
          .json({ code: 'notDeployed', error: RED._('xmpp-account.errors.notDeployed') });
        return;
      }
      if (!target) {
        res.status(400).json({ code: 'noTarget', error: RED._('xmpp-account.errors.noTarget') });
        return;
      }
      if (!account.session.online) {
        // Say why, as the status of the account's nodes does: a refused password, a server that cannot be reached.
        const { state, reason: english, reasonSentence } = account.session.state;
        const reason = reasonSentence ? errorText(RED._, reasonSentence) : (english ?? state);
        const said = reasonSentence
          ? {
              reasonCode: reasonSentence.code,
              messageId: reasonSentence.messageId,
              params: reasonSentence.params,
            }
          : {};
        res.status(503).json({
          code: 'notConnected',
          reason,
          ...said,
          error: RED._('xmpp-account.errors.notConnected', { reason }),
        });
        return;
      }
      discover(account.session, target).then(
        (catalogue) => res.json(localCatalogue(RED._, catalogue)),
        (err: unknown) => {
          const reason = errorText(RED._, err);
          if (isSentence(err))
            res.status(502).json({
              code: err.code,
              messageId: err.messageId,
              params: err.params,
              error: reason,
            });
          else
            res.status(502).json({
              code: 'discoverFailed',
              reason,
              error: RED._('xmpp-account.errors.discoverFailed', { reason }),
            });
        },
      );
    },
  );

  RED.nodes.registerType(
    'xmpp-account',
    XmppAccount as unknown as NodeConstructor<
      Node<{ password: string }>,
      XmppAccountConfig,
      { password: string }
    >,
    {
      credentials: { password: { type: 'password' } },
    },
  );
};

/** The catalogue with the reasons of its problems in the runtime's language (each one's code, messageId and params kept). */
function localCatalogue(translate: Translate, catalogue: Catalogue): Catalogue {
  const local = (problem: CatalogueProblem): CatalogueProblem => {
    if (
      problem.messageId === undefined ||
      problem.params === undefined ||
      problem.code === undefined
    )
      return problem;
    return {
      ...problem,
      reason: errorText(translate, {
        code: problem.code,
        messageId: problem.messageId,
        params: problem.params,
        message: problem.reason,
        parts: problem.parts,
      }),
    };
  };
  return { ...catalogue, problems: catalogue.problems.map(local) };
}
