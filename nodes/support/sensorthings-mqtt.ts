import type { MqttConnectionOptions } from '../../lib/sensorthings/mqtt-connection';
import { SensorThingsMqttError } from '../../lib/sensorthings/mqtt-messages';
import type { SensorThingsServerNode } from './sensorthings';

/**
 * How the SensorThings nodes reach their server's MQTT broker: the config node's
 * MQTT URL, its user name and password (basic authentication), and its CA file.
 * Throws STA_MQTT_NO_URL when no MQTT URL is set.
 */
export function mqttOptionsOf(
  server: Pick<SensorThingsServerNode, 'mqttUrl' | 'credentials' | 'caFile'>,
): MqttConnectionOptions {
  if (!server.mqttUrl) throw new SensorThingsMqttError('STA_MQTT_NO_URL');
  const options: MqttConnectionOptions = { url: server.mqttUrl };
  const { username, password } = server.credentials ?? {};
  if (username) options.username = username;
  if (password) options.password = password;
  if (server.caFile) options.caFile = server.caFile;
  return options;
}
