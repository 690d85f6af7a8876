import { SenfedError, type ErrorParams } from '../errors';
import { STORE_MESSAGES, type StoreMessageId } from './messages';

/** An error of lib/store's files and logs (the queue and the registry have their own names). */
export class StoreError extends SenfedError {
  constructor(messageId: StoreMessageId, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(messageId, STORE_MESSAGES[messageId], params, options);
    this.name = 'StoreError';
  }
}
