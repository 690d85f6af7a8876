/**
 * One MQTT connection to a SensorThings server's broker (STA 1.1 §14), as the
 * publisher and the subscriber open it: MQTT 3.1.1 (FROST 2.4.2's broker refuses
 * MQTT 5 and an empty client id), a client id of our own, no automatic reconnect
 * (the callers reconnect with their own backoff, and a fresh client never resends
 * what an old one had in flight: a resend is decided after a lookup over HTTP), and
 * TLS verified for mqtts:// and wss:// (the CA given, else the system's).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { EntityId } from './model';
import { SensorThingsMqttError } from './mqtt-messages';
import { quoteString } from './odata';

export interface MqttConnectionOptions {
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://…`, `wss://…`. */
  url: string;
  /** CA certificate(s) as PEM text, instead of the system's. */
  ca?: string;
  /** The same, read from a PEM file. */
  caFile?: string;
  username?: string;
  password?: string;
  /** Prefix of the client id; a random part follows. Default `senfed`. */
  clientIdPrefix?: string;
  /** Longest wait for CONNACK, in ms. Default 10 000. */
  connectTimeoutMs?: number;
}

const TLS_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;

/** The options checked once: a bad URL or an unreadable CA file is an error at once, not at each try. */
export function checkMqttOptions(options: MqttConnectionOptions): IClientOptions {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new SensorThingsMqttError('STA_MQTT_URL', { url: String(options.url) });
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol))
    throw new SensorThingsMqttError('STA_MQTT_URL', { url: options.url });
  let ca = options.ca;
  if (ca === undefined && options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new SensorThingsMqttError(
        'STA_MQTT_TLS',
        { url: options.url, cause: err instanceof Error ? err.message : String(err) },
        {},
        { cause: err },
      );
    }
  }
  return {
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // Said here so that no option can turn it off (mqtt.js's default too).
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  };
}

/** Connects once; resolves with the connected client, rejects with a SensorThingsMqttError. */
export function connectMqtt(
  options: MqttConnectionOptions,
  checked: IClientOptions = checkMqttOptions(options),
): Promise<MqttClient> {
  const clientId = `${options.clientIdPrefix ?? 'senfed'}-${randomBytes(6).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(options.url, { ...checked, clientId });
    const fail = (err: unknown): void => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      reject(mqttError(options.url, err));
    };
    client.once('connect', () => {
      client.removeListener('error', fail);
      client.removeListener('close', closed);
      resolve(client);
    });
    const closed = (): void => fail('connection closed');
    client.once('error', fail);
    client.once('close', closed);
  });
}

/** What went wrong with a connection, as a sentence; retryable but for a bad CA setting. */
export function mqttError(url: string, err: unknown): SensorThingsMqttError {
  if (err instanceof SensorThingsMqttError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  const params = { url, cause: text };
  if (TLS_ERROR.test(`${String(code)} ${text}`))
    return new SensorThingsMqttError('STA_MQTT_TLS', params, { retryable: true }, { cause: err });
  // CONNACK return codes 4 (bad user name or password) and 5 (not authorised).
  if (code === 4 || code === 5 || /not authori[sz]ed|bad user ?name/i.test(text))
    return new SensorThingsMqttError('STA_MQTT_AUTH', params, { retryable: true }, { cause: err });
  return new SensorThingsMqttError(
    'STA_MQTT_UNREACHABLE',
    params,
    { retryable: true },
    { cause: err },
  );
}

/**
 * `v1.1/Datastreams(7)/Observations` (STA 1.1 §14.2.1 creates there, §14.1 notifies
 * there): the version of the service root, v1.1 when it names none.
 */
export function observationsTopic(version: string | undefined, datastream: EntityId): string {
  // Not percent-encoded as in a URL: a topic is taken as it is written.
  const key = typeof datastream === 'number' ? String(datastream) : quoteString(datastream);
  return `${version ?? 'v1.1'}/Datastreams(${key})/Observations`;
}
