import type { Node } from 'node-red';
import type { XmppSession } from '../../lib/federation/session';

/** What the federation nodes see of their xmpp account config node. */
export interface XmppAccountNode extends Node<{ password?: string }> {
  session: XmppSession;
  register(user: Node): void;
  deregister(user: Node, done: () => void): void;
}
