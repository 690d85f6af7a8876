import { BACKOFF_MESSAGES } from './backoff';
import { PLACE_MESSAGES, type MessageTable } from './errors';
import { SENML_MESSAGES } from './senml/messages';
import { FEDERATION_MESSAGES } from './federation/messages';
import { STORE_MESSAGES } from './store/messages';
import { CONSENT_MESSAGES } from './consent/messages';
import { CONSENT_GATE_MESSAGES } from './consent/gate-messages';
import { CONSENT_STORE_MESSAGES } from './consent/consent-store-messages';
import { AUDIT_MESSAGES } from './consent/audit/messages';
import { DEVICE_MESSAGES } from './devices/messages';
import { LINE_MESSAGES } from './devices/line-messages';
import { LORA_MESSAGES } from './devices/lora-messages';
import { SENSORTHINGS_MESSAGES } from './sensorthings/messages';
import { STA_CLIENT_MESSAGES } from './sensorthings/client-messages';
import { STA_MQTT_MESSAGES } from './sensorthings/mqtt-messages';

/**
 * Every sentence the library can say, by messageId: what the nodes' catalogues
 * translate (the build writes the en-US catalogue from it).
 */
export const MESSAGES: MessageTable = {
  ...PLACE_MESSAGES,
  ...BACKOFF_MESSAGES,
  ...SENML_MESSAGES,
  ...FEDERATION_MESSAGES,
  ...STORE_MESSAGES,
  ...CONSENT_MESSAGES,
  ...CONSENT_GATE_MESSAGES,
  ...CONSENT_STORE_MESSAGES,
  ...AUDIT_MESSAGES,
  ...DEVICE_MESSAGES,
  ...LINE_MESSAGES,
  ...LORA_MESSAGES,
  ...SENSORTHINGS_MESSAGES,
  ...STA_CLIENT_MESSAGES,
  ...STA_MQTT_MESSAGES,
};
