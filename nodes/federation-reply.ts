import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { senml } from '../lib';
import { type ProviderRequest, findRequest } from '../lib/federation/provider';
import type { Meta, UpstreamError } from '../lib/federation/quoalise';
import type { DefinedCondition } from '../lib/federation/stanza-error';
import { reportError } from './support/report';

type ReplyMessage = NodeMessageInFlow & {
  _senfedRequest?: unknown;
  answered?: unknown;
  error?: unknown;
  meta?: unknown;
};

interface ReplyError {
  condition?: unknown;
  text?: unknown;
  upstream?: unknown;
}

export = function register(RED: NodeAPI): void {
  function FederationReply(this: Node, config: NodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let failed = false;

    /** msg.error.upstream = { issuer, code } (Quoalise's upstream-error). */
    function upstreamOf(value: unknown): UpstreamError | undefined {
      if (value === undefined || value === null) return undefined;
      const { issuer, code } = value as { issuer?: unknown; code?: unknown };
      if (typeof issuer !== 'string' || issuer === '' || typeof code !== 'string' || code === '')
        throw new Error(RED._('federation-reply.errors.badUpstream'));
      return { issuer, code };
    }

    /** Answer the request the message carries; resolves once the answer is sent (for an accepted subscription, once recorded). */
    async function answer(msg: ReplyMessage): Promise<void> {
      if (msg._senfedRequest === undefined) {
        // subscribe/unsubscribe the provide node answered itself: nothing left to say.
        if (msg.answered === true) return;
        throw new Error(RED._('federation-reply.errors.noRequest'));
      }
      const request = findRequest(msg._senfedRequest);
      if (!request)
        throw new Error(RED._('federation-reply.errors.gone', { id: String(msg._senfedRequest) }));
      try {
        await answerWith(request, msg);
      } catch (err) {
        // The requester must not wait for the provide node's timeout and then hear "did not answer":
        // it is told now that the answer could not be sent, and why.
        if (!request.answered)
          request.fail('internal-server-error', {
            text: `the provider could not send its answer: ${senml.shortMessage(err, 300)}`,
          });
        throw err;
      }
    }

    async function answerWith(request: ProviderRequest, msg: ReplyMessage): Promise<void> {
      const error =
        msg.error !== undefined && msg.error !== null && typeof msg.error === 'object'
          ? (msg.error as ReplyError)
          : undefined;
      if (error) {
        // Without a condition: undefined-condition for an upstream error (Quoalise's), else
        // internal-server-error (a Catch node's msg.error, whose message stays inside: only msg.error.text goes out).
        const upstream = upstreamOf(error.upstream);
        const condition = (error.condition ??
          (upstream ? 'undefined-condition' : 'internal-server-error')) as DefinedCondition;
        const text = typeof error.text === 'string' && error.text !== '' ? error.text : undefined;
        request.fail(condition, { text, upstream });
        return;
      }
      // Data is a pack; subscribe and unsubscribe may be acknowledged with any other payload (no data).
      if (
        !Array.isArray(msg.payload) &&
        request.command === 'get_history' &&
        msg.payload !== undefined
      )
        throw new Error(RED._('federation-reply.errors.notPack'));
      const pack = !Array.isArray(msg.payload)
        ? undefined
        : msg.payload.length === 0
          ? []
          : senml.resolve(msg.payload, { secondaryUnits: 'accept' });
      const meta =
        msg.meta !== null && typeof msg.meta === 'object' ? (msg.meta as Meta) : undefined;
      await request.reply(pack, meta);
    }

    node.on('input', (msg: ReplyMessage, _send, done) => {
      answer(msg).then(
        () => {
          if (failed) node.status({});
          failed = false;
          done();
        },
        (err: unknown) => {
          failed = true;
          reportError(RED._, node, done, err);
        },
      );
    });
  }
  RED.nodes.registerType('federation-reply', FederationReply);
};
