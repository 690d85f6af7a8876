import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { Provider, type ProviderRequest, type Refusal } from '../lib/federation/provider';
import { SubscriberRegistry } from '../lib/store/subscriber-registry';
import { AUDIT_PROOF_COMMAND, auditProofCommand } from '../lib/consent/audit-command';
import { type ConsentSettings, consentGateOf } from './support/consent';
import type { XmppAccountNode } from './support/account';
import { errorText, localError } from './support/errors';
import { migrateConfig } from './support/migrations';
import { nodeStoragePath, removeNodeStorage } from './support/storage';

interface FederationProvideConfig extends NodeDef, ConsentSettings {
  account: string;
  /** Record subscribe/unsubscribe and answer them here (new nodes: false; see support/migrations for older flows). */
  handleSubscriptions: boolean;
  /** Seconds the flow has to answer a request (default 30). */
  timeout: string;
}

/** A provide node as other nodes see it: `federation publish` pushes to its subscribers. */
interface ProvideNode extends Node {
  subscribersOf(identifier: string): string[];
}

export = function register(RED: NodeAPI): void {
  function FederationProvide(this: ProvideNode, saved: FederationProvideConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const config = migrateConfig(RED, node, saved);
    const account = RED.nodes.getNode(config.account) as XmppAccountNode | null;
    let registry: SubscriberRegistry | undefined;
    node.subscribersOf = (identifier) => registry?.subscribers(identifier) ?? [];
    if (!account) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('federation-provide.status.noAccount'),
      });
      return;
    }
    const timeoutSeconds = Number.parseFloat(config.timeout) || 30;

    const storage = nodeStoragePath(RED, 'providers', node.id);
    // With a consent store, only requesters under an active consent are answered, with what it allows.
    const consent = consentGateOf(RED, 'federation-provide', config, () => account.session.jid);
    consent?.catch(() => undefined); // reported once the registry is open, below
    const ready = SubscriberRegistry.open(join(storage, 'subscribers.json')).then(
      async (opened) => {
        registry = opened;
        const gate = await consent?.catch(async (err: unknown) => {
          await opened.close();
          throw err;
        });
        for (const warning of opened.warnings) node.warn(errorText(RED._, warning));
        const provider = new Provider(account.session, {
          handleSubscriptions: config.handleSubscriptions === true,
          registry: opened,
          replyTimeoutMs: timeoutSeconds * 1000,
          ...(gate && {
            gate: gate.providerGate(),
            commands: { [AUDIT_PROOF_COMMAND]: auditProofCommand(gate.store.audit) },
          }),
        });
        provider.on('request', (request: ProviderRequest) => {
          node.send({
            topic: request.identifier,
            payload: { identifier: request.identifier, start: request.start, end: request.end },
            command: request.command,
            identifier: request.identifier,
            start: request.start,
            end: request.end,
            from: request.from,
            // Like msg.res of http in: what federation reply answers. Absent when already answered here.
            _senfedRequest: request.answered ? undefined : request.id,
            answered: request.answered,
          } as never);
        });
        provider.on('timeout', (request: ProviderRequest) =>
          node.warn(
            RED._('federation-provide.warn.timeout', {
              command: request.command,
              from: request.from,
              seconds: timeoutSeconds,
            }),
          ),
        );
        provider.on('refused', ({ from, condition, reasonSentence }: Refusal) =>
          node.warn(
            RED._('federation-provide.warn.refused', {
              from: from ?? '?',
              condition,
              reason: errorText(RED._, reasonSentence),
            }),
          ),
        );
        provider.on('problem', (err: Error) => node.error(localError(RED._, err)));
        return provider;
      },
    );
    ready.catch((err: Error) => {
      // Nothing to do on this account (a second provide node on it, say): let go of it and say why.
      const local = localError(RED._, err);
      node.error(local);
      account.deregister(node, () =>
        node.status({ fill: 'red', shape: 'ring', text: local.message }),
      );
    });
    account.register(node);

    // Deleted from the flow (not a redeploy, not a restart): its subscribers go with it, and the log says how many.
    node.on('close', (removed: boolean, done: () => void) => {
      ready
        .then(async (provider) => {
          await provider.close();
          await registry?.close();
          if (!removed) return;
          const subscriptions = registry
            ? registry
                .identifiers()
                .reduce((sum, identifier) => sum + registry!.subscribers(identifier).length, 0)
            : 0;
          await removeNodeStorage(RED, node, storage, subscriptions);
        })
        .catch(() => undefined)
        .finally(() => account.deregister(node, done));
    });
  }
  RED.nodes.registerType('federation-provide', FederationProvide as never);
};
