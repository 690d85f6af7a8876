import { SenfedError, type SentenceParams } from '../errors';
import { DEVICE_MESSAGES, type DeviceMessageId } from './messages';

/** An error of lib/devices: a payload that cannot be decoded, a bad schema or decoder script. */
export class DeviceError extends SenfedError {
  constructor(
    messageId: DeviceMessageId,
    params: SentenceParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, DEVICE_MESSAGES[messageId], params, options);
    this.name = 'DeviceError';
  }
}
