import { SenfedError, type MessageTable, type SentenceParams } from '../errors';

/** The sentences of the SensorThings MQTT extension (STA 1.1 §14), by messageId. */
export const STA_MQTT_MESSAGES = {
  STA_MQTT_URL: {
    code: 'STA_OPTIONS',
    en: 'the MQTT URL must be an mqtt://, mqtts://, ws:// or wss:// URL, not "{url}"',
  },
  STA_MQTT_NO_URL: {
    code: 'STA_OPTIONS',
    en: 'the SensorThings server has no MQTT URL: give it in the server settings to use MQTT',
  },
  STA_MQTT_UNREACHABLE: {
    code: 'STA_REFUSED',
    en: 'the MQTT broker at {url} cannot be reached: {cause}',
  },
  STA_MQTT_TLS: {
    code: 'STA_TLS',
    en: 'the TLS certificate of the MQTT broker at {url} is not trusted: {cause}',
  },
  STA_MQTT_AUTH: {
    code: 'STA_AUTH',
    en: 'the MQTT broker at {url} refused the credentials: {cause}',
  },
  STA_MQTT_LOST: {
    code: 'STA_REFUSED',
    en: 'the connection to the MQTT broker at {url} was lost before it acknowledged {count} observations: what the server stored is looked up before they are sent again',
  },
  STA_MQTT_NO_CREATE: {
    code: 'STA_OPTIONS',
    en: 'the server {url} does not list the MQTT observation creation class (STA 1.1 §14.2) in its serverSettings: the observations stay queued',
  },
  STA_MQTT_NOT_STORED: {
    code: 'STA_ROW',
    en: 'the server acknowledged it over MQTT {tries} times but did not store it: FROST answers nothing over MQTT for an observation it refuses (a Datastream that is gone, a bad time) and only writes why in its log',
  },
} as const satisfies MessageTable;

export type StaMqttMessageId = keyof typeof STA_MQTT_MESSAGES;

/** A failure of the MQTT side of a SensorThings server. */
export class SensorThingsMqttError extends SenfedError {
  /** Trying again later may succeed (broker down, connection lost). */
  readonly retryable: boolean;
  /** Observations went out and no PUBACK came: the server may hold them. */
  readonly outcomeUnknown: boolean;
  /** Never set: FROST says nothing over MQTT. Kept for the shape the nodes read. */
  readonly serverMessage?: string;

  constructor(
    messageId: StaMqttMessageId,
    params: SentenceParams = {},
    details: { retryable?: boolean; outcomeUnknown?: boolean } = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, STA_MQTT_MESSAGES[messageId], params, options);
    this.name = 'SensorThingsMqttError';
    this.retryable = details.retryable ?? false;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }
}
