import type { NodeStatus } from 'node-red';
import type { StateChange } from '../../lib/federation/session';

/** A session's state as a status dot, in Node-RED's common words where they exist. */
export function sessionStatus(change: StateChange): NodeStatus {
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
