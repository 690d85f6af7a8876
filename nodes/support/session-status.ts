import type { NodeStatus } from 'node-red';
import { NO_PASSWORD_REASON, type StateChange } from '../../lib/federation/session';

/**
 * A session's state as a status dot, in Node-RED's common words where they exist;
 * `text` translates this package's own (a missing password: where to set it).
 */
export function sessionStatus(change: StateChange, text: (key: string) => string): NodeStatus {
  if (change.reason === NO_PASSWORD_REASON) return { fill: 'red', shape: 'ring', text: text('xmpp-account.status.noPassword') };
  switch (change.state) {
    case 'online':
      return { fill: 'green', shape: 'dot', text: 'node-red:common.status.connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'error':
      return { fill: 'red', shape: 'ring', text: change.reason ?? 'node-red:common.status.error' };
    default:
      return { fill: 'red', shape: 'ring', text: change.reason && change.reason !== 'stopped' ? change.reason : 'node-red:common.status.disconnected' };
  }
}
