/**
 * Observations created over MQTT (STA 1.1 §14.2, "Create an Observation entity
 * with MQTT"): each row published QoS 1 as an Observation JSON to
 * `v1.1/Datastreams(<id>)/Observations`. The ObservationWriter's sender for
 * `sensorthings out` with "Create over: MQTT"; the Datastreams and
 * FeatureOfInterests are still found or created over HTTP.
 *
 * What FROST-Server 2.4.2 does, measured on it, and why this file is shaped so:
 *
 * - It answers nothing over MQTT about a create: a PUBACK only says the broker took
 *   the message. A refused Observation (a Datastream that does not exist: 404
 *   "Nothing found."; a phenomenonTime it cannot parse: 400) is written to its log
 *   and nothing else. A result of the wrong kind (an object in an OM_Measurement
 *   Datastream) is stored as it is, over MQTT as over HTTP.
 * - It keeps at most `mqtt.CreateMessageQueueSize` (10) creates waiting and drops
 *   the others after their PUBACK ("EntityCreateEvent discarded because message
 *   queue is full"): 1 000 Observations published at once left 26 stored.
 * - It creates on several threads, so Observations published together are committed
 *   in any order; a reader that goes by position (`sensorthings in`) may then pass
 *   over one committed after a later one (seen: 1 of 401 in chunks of 8).
 *
 * So rows go out `chunkSize` at a time (default 1), and the next chunk only once every
 * row of this one is seen stored over HTTP (findObservations): FROST commits them in
 * the order sent. Measured on FROST 2.4.2 on a loaded 2-core machine: 1 000
 * Observations in 27 s one at a time, 7.8 s in chunks of 8 (keep it below 10). A row
 * not seen within `confirmMs` is published again, up to `tries` times in all, then
 * told as not stored.
 *
 * A send that fails (broker down, connection lost before a PUBACK, the lookup
 * failing) rejects: the writer keeps every row queued and, since some may be stored,
 * looks them up before it sends them again (`mayStoreOnFailure`).
 */
import { EventEmitter } from 'node:events';
import type { MqttClient, IClientOptions } from 'mqtt';
import { findObservations, offsetWithColon, type ObservationRow } from './data-array';
import { SensorThingsServerError } from './client-messages';
import type { SensorThingsClient } from './http';
import type { EntityId } from './model';
import {
  checkMqttOptions,
  connectMqtt,
  mqttError,
  observationsTopic,
  type MqttConnectionOptions,
} from './mqtt-connection';
import { SensorThingsMqttError } from './mqtt-messages';
import type { ObservationSender, SendOutcome } from './observation-writer';
import { entityPath } from './odata';
import { probeServiceRoot } from './service-root';

export interface MqttPublisherOptions extends MqttConnectionOptions {
  /** The server's HTTP client: its service root is checked, and what was stored is looked up with it. */
  client: SensorThingsClient;
  /** Rows published before waiting for them to be stored. Default 1 (see the top of this file). */
  chunkSize?: number;
  /** Longest wait for a published row to be seen stored, in ms. Default 5 000. */
  confirmMs?: number;
  /** Publications of a row before it is told as not stored. Default 3. */
  tries?: number;
}

export interface MqttPublisherEvents {
  connected: [];
  disconnected: [error: unknown];
}

export class MqttObservationPublisher
  extends EventEmitter<MqttPublisherEvents>
  implements ObservationSender
{
  readonly mayStoreOnFailure = true;
  readonly chunkSize: number;
  readonly confirmMs: number;
  readonly tries: number;
  readonly #options: MqttPublisherOptions;
  readonly #checked: IClientOptions;
  #mqtt: MqttClient | undefined;
  #connecting: Promise<MqttClient> | undefined;
  #serverChecked = false;
  #closed = false;

  constructor(options: MqttPublisherOptions) {
    super();
    this.#options = options;
    this.#checked = checkMqttOptions(options);
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 1));
    this.confirmMs = Math.max(0, options.confirmMs ?? 5_000);
    this.tries = Math.max(1, Math.floor(options.tries ?? 3));
  }

  get connected(): boolean {
    return this.#mqtt?.connected === true;
  }

  async send(rows: readonly ObservationRow[]): Promise<SendOutcome[]> {
    if (rows.length === 0) return [];
    await this.#checkServer();
    const outcomes: SendOutcome[] = new Array<SendOutcome>(rows.length);
    for (let start = 0; start < rows.length; start += this.chunkSize) {
      let waiting = range(start, Math.min(rows.length, start + this.chunkSize));
      for (let attempt = 1; waiting.length > 0 && attempt <= this.tries; attempt++) {
        await this.#publish(waiting.map((i) => rows[i]));
        const stored = await this.#seenStored(waiting.map((i) => rows[i]));
        for (const [k, index] of waiting.entries()) if (stored[k]) outcomes[index] = { ok: true };
        waiting = waiting.filter((_, k) => !stored[k]);
      }
      // FROST only logs why it did not store one; a Datastream deleted behind the node's back
      // is the cause that lasts, so it is asked for, and the writer resolves the next ones again.
      const gone = await this.#goneDatastreams(waiting.map((i) => rows[i].datastreamId));
      for (const index of waiting) {
        const error = new SensorThingsMqttError('STA_MQTT_NOT_STORED', { tries: this.tries });
        outcomes[index] = {
          ok: false,
          serverMessage: error.message,
          reason: error,
          ...(gone.has(rows[index].datastreamId) ? { datastreamGone: true } : {}),
        };
      }
    }
    return outcomes;
  }

  /** Which of these Datastreams the server no longer has (404); one that cannot be asked is kept. */
  async #goneDatastreams(ids: readonly EntityId[]): Promise<Set<EntityId>> {
    const gone = new Set<EntityId>();
    for (const id of new Set(ids)) {
      try {
        await this.#options.client.get(`${entityPath('Datastreams', id)}?$select=id`);
      } catch (err) {
        if (err instanceof SensorThingsServerError && err.gone) gone.add(id);
      }
    }
    return gone;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#mqtt ?? (await this.#connecting?.catch(() => undefined));
    this.#mqtt = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  /** Once: does the server say it takes Observations over MQTT (serverSettings, STA 1.1 §14.2)? */
  async #checkServer(): Promise<void> {
    if (this.#serverChecked) return;
    const report = await probeServiceRoot(this.#options.client);
    // A 1.0 server lists no conformance classes: it is taken at its word (the URL was given).
    if (report.conformance.length > 0 && !report.extensions.createViaMqtt)
      throw new SensorThingsMqttError(
        'STA_MQTT_NO_CREATE',
        { url: this.#options.client.serviceRoot },
        { retryable: true },
      );
    this.#serverChecked = true;
  }

  async #connection(): Promise<MqttClient> {
    if (this.#closed)
      throw new SensorThingsMqttError(
        'STA_MQTT_UNREACHABLE',
        { url: this.#options.url, cause: 'closed' },
        { retryable: true },
      );
    if (this.#mqtt?.connected) return this.#mqtt;
    this.#connecting ??= connectMqtt(
      { ...this.#options, clientIdPrefix: this.#options.clientIdPrefix ?? 'senfed-out' },
      this.#checked,
    ).finally(() => (this.#connecting = undefined));
    const client = await this.#connecting;
    if (this.#closed) {
      client.end(true);
      throw new SensorThingsMqttError(
        'STA_MQTT_UNREACHABLE',
        { url: this.#options.url, cause: 'closed' },
        { retryable: true },
      );
    }
    client.on('error', () => undefined); // told through close
    client.once('close', () => {
      if (this.#mqtt === client) this.#mqtt = undefined;
      // A fresh client is made for the next send: this one must not resend what it had in flight.
      client.end(true);
      this.emit('disconnected', mqttError(this.#options.url, 'connection closed'));
    });
    this.#mqtt = client;
    this.emit('connected');
    return client;
  }

  /** Publishes the rows QoS 1; resolves when each has its PUBACK. */
  async #publish(rows: readonly ObservationRow[]): Promise<void> {
    const client = await this.#connection();
    const version = this.#options.client.version;
    await new Promise<void>((resolve, reject) => {
      let left = rows.length;
      const lost = (): void =>
        reject(
          new SensorThingsMqttError(
            'STA_MQTT_LOST',
            { url: this.#options.url, count: left },
            { retryable: true, outcomeUnknown: true },
          ),
        );
      client.once('close', lost);
      for (const row of rows)
        client.publish(
          observationsTopic(version, row.datastreamId),
          JSON.stringify(observationJson(row)),
          { qos: 1 },
          (err) => {
            if (err) {
              client.removeListener('close', lost);
              lost();
              return;
            }
            left -= 1;
            if (left === 0) {
              client.removeListener('close', lost);
              resolve();
            }
          },
        );
    });
  }

  /** For each row, whether it was seen stored within confirmMs. */
  async #seenStored(rows: readonly ObservationRow[]): Promise<boolean[]> {
    const deadline = Date.now() + this.confirmMs;
    let waitMs = 20;
    for (;;) {
      const found = await findObservations(this.#options.client, rows);
      const stored = found.map((id) => id !== undefined);
      if (stored.every(Boolean) || Date.now() >= deadline) return stored;
      await new Promise((r) => setTimeout(r, Math.min(waitMs, deadline - Date.now())));
      waitMs = Math.min(waitMs * 2, 500);
    }
  }
}

/** The Observation as STA 1.1 §14.2 takes it: the same members a DataArray row carries. */
export function observationJson(row: ObservationRow): Record<string, unknown> {
  const json: Record<string, unknown> = {
    phenomenonTime: offsetWithColon(row.phenomenonTime),
    result: row.result,
  };
  if (row.parameters !== undefined) json.parameters = row.parameters;
  if (row.featureOfInterestId !== undefined)
    json.FeatureOfInterest = { '@iot.id': row.featureOfInterestId };
  return json;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
