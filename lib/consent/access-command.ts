import type { ExtraCommand } from '../federation/command-desk';
import type { ConsentStore } from './consent-store';
import type { ConsentGate } from './gate';
import { ConsentGateError } from './gate-messages';

/**
 * request_access (REQUEST_ACCESS_COMMAND, asked by a Subscriber with
 * `askAccessOf`): a whitelist node refuses a non-member's subscription and
 * the service tells the owner nothing (Prosody 0.12 has no `authorize` access
 * model), so the recipient asks the publisher, whose consent gate records it.
 */
export { REQUEST_ACCESS_COMMAND } from '../federation/subscriber';

const GATES = new WeakMap<ConsentStore, Set<ConsentGate>>();

/**
 * `request_access` for the gates of one consent store: fields `service` and
 * `node`, answered with `status` (`member`, `requested` or `refused`) by the
 * gate that keeps that node's members. Every gate of the store on the account
 * answers through the same command; `add` one, and call what it returns when
 * it closes.
 */
export function requestAccessCommand(gate: ConsentGate): {
  command: ExtraCommand;
  remove: () => void;
} {
  let gates = GATES.get(gate.store);
  if (gates === undefined) GATES.set(gate.store, (gates = new Set()));
  gates.add(gate);
  const all = gates;
  return {
    remove: () => all.delete(gate),
    command: {
      owner: all,
      name: 'Request access',
      fields: ['service', 'node'],
      async answer(fields, from) {
        const service = one(fields.service);
        const node = one(fields.node);
        if (!service || !node) throw new ConsentGateError('ACCESS_REQUEST_FIELDS');
        const keeper = [...all].find((candidate) => candidate.follows(service, node));
        if (keeper === undefined)
          throw new ConsentGateError('ACCESS_REQUEST_UNKNOWN_NODE', { service, node });
        const status = await keeper.requestMembership(from, { mode: 'pubsub', service, node });
        return { status, service, node, purpose: keeper.purpose };
      },
    },
  };
}

function one(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : undefined;
}
