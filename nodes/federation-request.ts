import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { QuoaliseCommand } from '../lib/federation/adhoc';
import { RequestError, request } from '../lib/federation/requester';
import type { XmppAccountNode } from './support/account';
import { reportError, reportNotes } from './support/report';
import { sessionStatus } from './support/session-status';
import { proofChecker } from './support/consent';

interface FederationRequestConfig extends NodeDef {
  account: string;
  /** The provider's full JID, e.g. provider@sen1.test/node-red. */
  to: string;
  command: QuoaliseCommand;
  identifier: string;
  /** Seconds to wait for the answer (default 60). */
  timeout?: string;
  /** Check the audit proof each answer carries (a provider with a consent store sends one). */
  verifyProofs?: boolean;
}

type RequestMessage = NodeMessageInFlow & {
  to?: unknown;
  command?: unknown;
  identifier?: unknown;
  start?: unknown;
  end?: unknown;
  meta?: unknown;
  xmppError?: unknown;
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export = function register(RED: NodeAPI): void {
  function FederationRequest(this: Node, config: FederationRequestConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    if (!account) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('federation-request.status.noAccount'),
      });
      node.on('input', (_msg, _send, done) =>
        done(new Error(RED._('federation-request.errors.noAccount'))),
      );
      return;
    }
    const timeoutMs = (Number.parseFloat(config.timeout ?? '') || 60) * 1000;
    /** Kinds of SenML notes already told, each once. */
    const told = new Set<string>();
    const checkProof = config.verifyProofs ? proofChecker(RED, node, account.session) : undefined;
    account.register(node);

    node.on('input', (msg: RequestMessage, send, done) => {
      (async () => {
        const to = text(msg.to) ?? text(config.to);
        if (!to) throw new Error(RED._('federation-request.errors.noProvider'));
        const identifier = text(msg.identifier) ?? text(config.identifier);
        if (!identifier) throw new Error(RED._('federation-request.errors.noIdentifier'));
        const command = (text(msg.command) ??
          text(config.command) ??
          'get_history') as QuoaliseCommand;
        node.status({
          fill: 'blue',
          shape: 'dot',
          text: RED._('federation-request.status.requesting', { command }),
        });
        const reply = await request(
          account.session,
          to,
          command,
          {
            identifier,
            start: msg.start as string | Date | undefined,
            end: msg.end as string | Date | undefined,
          },
          timeoutMs,
        );
        msg.payload = reply.records;
        msg.meta = reply.meta;
        reportNotes(RED._, node, msg, reply.senmlNotes, told, (message) =>
          RED._('federation-request.warn.senmlNote', { from: to, message }),
        );
        if (checkProof && reply.records.length > 0)
          await checkProof(msg as never, reply.records, reply.meta, to);
        node.status(sessionStatus(account.session.state, RED._));
        send(msg);
      })().then(
        () => done(),
        (err: unknown) => {
          // A Catch node sees the message, not the error's own fields: put the XMPP error on it.
          if (err instanceof RequestError && err.condition !== undefined)
            msg.xmppError = {
              condition: err.condition,
              type: err.type,
              text: err.text,
              upstream: err.upstream,
            };
          reportError(RED._, node, done, err);
        },
      );
    });

    node.on('close', (done: () => void) => account.deregister(node, done));
  }
  RED.nodes.registerType('federation-request', FederationRequest);
};
