import { SenfedError, type SentenceParams } from '../errors';
import { CONSENT_MESSAGES, type ConsentMessageId } from './messages';

/** An error of lib/consent: a bad consent record, purpose, duration, pattern or export. */
export class ConsentError extends SenfedError {
  constructor(
    messageId: ConsentMessageId,
    params: SentenceParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, CONSENT_MESSAGES[messageId], params, options);
    this.name = 'ConsentError';
  }
}
