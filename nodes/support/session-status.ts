import type { NodeStatus } from 'node-red';
import { type StateChange, nextAttemptSentence } from '../../lib/federation/session';
import { errorText, type Translate } from './errors';

/**
 * A session's state as a status dot, in Node-RED's common words where they exist,
 * else in the runtime's language: the library's reason (and when it tries again),
 * and for a missing password this package's own words (where to set it).
 */
export function sessionStatus(change: StateChange, translate: Translate): NodeStatus {
  const why = change.reasonSentence?.messageId;
  if (why === 'SESSION_NO_PASSWORD')
    return { fill: 'red', shape: 'ring', text: translate('xmpp-account.status.noPassword') };
  switch (change.state) {
    case 'online':
      return { fill: 'green', shape: 'dot', text: 'node-red:common.status.connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    case 'error':
      return {
        fill: 'red',
        shape: 'ring',
        text: reasonText(change, translate) ?? 'node-red:common.status.error',
      };
    default:
      return {
        fill: 'red',
        shape: 'ring',
        text:
          (why !== 'SESSION_STOPPED' && reasonText(change, translate)) ||
          'node-red:common.status.disconnected',
      };
  }
}

/** The reason, with the wait before the next attempt when it is long enough to read. */
function reasonText(change: StateChange, translate: Translate): string | undefined {
  const reason = change.reasonSentence ?? change.reason;
  if (reason === undefined) return undefined;
  const text = errorText(translate, reason);
  if (change.retryInMs === undefined || change.retryInMs < RETRY_SHOWN_FROM_MS) return text;
  return `${text} (${errorText(translate, nextAttemptSentence(change.retryInMs))})`;
}

/** Shorter waits pass before anyone reads them: the dot turns yellow again first. */
const RETRY_SHOWN_FROM_MS = 5_000;
