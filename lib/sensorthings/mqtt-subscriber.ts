/**
 * `sensorthings in` by MQTT subscription (STA 1.1 §14.1, "Receive updates with
 * MQTT"): the chosen Datastreams' `v1.1/Datastreams(<id>)/Observations` topics
 * tell when an Observation is created, and the ObservationPoller reads it from its
 * durable position over HTTP. So a live Observation comes out as a polled one does
 * (the same pack, once, in position order), and nothing is lost or repeated across
 * a restart or a broker outage:
 *
 * - on each (re)connect, the topics are subscribed first, then every Datastream is
 *   caught up from its position: what was created while nobody listened comes out
 *   before anything live;
 * - a notification (a message with an `@iot.id`) polls its Datastream from the
 *   position; notifications that come during a poll are served by one poll after
 *   it. Messages without an `@iot.id` are what other clients published to create
 *   Observations (FROST's broker hands them to subscribers too): the server's own
 *   notification follows when it stores one;
 * - FROST-Server 2.4.2 drops notifications when more than
 *   `mqtt.SubscribeMessageQueueSize` (10) wait (it logs "EntityCreateEvent
 *   discarded"): the next notification's poll reads those too, and the poller's
 *   own interval, kept running as a safety net, reads what came last.
 *
 * - a notification's Datastream is read `settleMs` (250 ms) after it, not at once:
 *   FROST creates what comes together (a DataArray, MQTT creates) on several threads,
 *   and the one that commits first is notified first; read at once, the position
 *   would pass Observations of earlier times not committed yet, which a position
 *   never goes back for. Seen on FROST 2.4.2: read at once, 8 of 401 MQTT-created
 *   Observations were passed over in a run across a FROST restart; with the wait, none
 *   in the runs made since. It narrows the race, it cannot close it (polling meets
 *   the same race when a poll falls between two commits).
 *
 * The connection is made again with backoff when it drops or cannot be made.
 */
import { EventEmitter } from 'node:events';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Backoff, type BackoffOptions } from '../backoff';
import type { EntityId } from './model';
import {
  checkMqttOptions,
  connectMqtt,
  mqttError,
  observationsTopic,
  type MqttConnectionOptions,
} from './mqtt-connection';
import type { ObservationPoller } from './reader';

/** After a (re)connect, how long until the Datastreams are read once more (see #connect). */
const RECHECK_MS = 2_000;
export interface MqttSubscriberOptions extends MqttConnectionOptions {
  /** Reads the Datastreams: its position file, its onPack. */
  poller: ObservationPoller;
  /** `v1.1` or `v1.0`: the topics' version (the service root's). */
  version: string | undefined;
  /** The waits between connection attempts. Default 1 s doubling to 30 s, as the writer. */
  backoff?: BackoffOptions;
  /** The wait after a notification before its Datastream is read, in ms. Default 250. */
  settleMs?: number;
}

export interface MqttSubscriberEvents {
  connected: [];
  disconnected: [error: unknown, retryInMs: number];
}

export class MqttObservationSubscriber extends EventEmitter<MqttSubscriberEvents> {
  readonly #options: MqttSubscriberOptions;
  readonly #checked: IClientOptions;
  readonly #backoff: Backoff;
  /** Topic → Datastream id. */
  readonly #topics = new Map<string, EntityId>();
  readonly #dirty = new Map<string, EntityId>();
  readonly #settleMs: number;
  #settling: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #client: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #closed = false;
  #started = false;

  constructor(options: MqttSubscriberOptions) {
    super();
    this.#options = options;
    this.#checked = checkMqttOptions(options);
    this.#backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000, ...options.backoff });
    this.#settleMs = Math.max(0, options.settleMs ?? 250);
    for (const id of options.poller.datastreams)
      this.#topics.set(observationsTopic(options.version, id), id);
  }

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  /** Connects (and keeps connecting) and catches up; idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#settling);
    clearTimeout(this.#recheck);
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
    await this.#draining?.catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let client: MqttClient;
    try {
      client = await connectMqtt(
        { ...this.#options, clientIdPrefix: this.#options.clientIdPrefix ?? 'senfed-in' },
        this.#checked,
      );
      if (this.#closed) {
        client.end(true);
        return;
      }
      client.on('error', () => undefined); // told through close
      client.on('message', (topic, payload) => this.#notified(topic, payload));
      await client.subscribeAsync([...this.#topics.keys()], { qos: 1 });
    } catch (err) {
      this.#retry(mqttError(this.#options.url, err));
      return;
    }
    if (this.#closed) {
      client.end(true);
      return;
    }
    this.#client = client;
    client.once('close', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end(true);
      this.#retry(mqttError(this.#options.url, 'connection closed'));
    });
    this.#backoff.reset();
    this.emit('connected');
    // Subscribed first, then caught up: what is created meanwhile is both notified and
    // read, and the positions make it come out once.
    this.#readAll();
    // FROST 2.4.2 starts notifying a topic a moment after its SUBACK (seen under load: an
    // Observation created in that moment was never told): one more read covers it.
    clearTimeout(this.#recheck);
    this.#recheck = setTimeout(() => this.#readAll(), RECHECK_MS);
  }

  /** Every Datastream read from its position. */
  #readAll(): void {
    if (this.#closed) return;
    for (const id of this.#options.poller.datastreams) this.#dirty.set(JSON.stringify(id), id);
    this.#drain();
  }

  #retry(error: unknown): void {
    if (this.#closed) return;
    const delayMs = this.#backoff.next();
    this.emit('disconnected', error, delayMs);
    this.#timer = setTimeout(() => void this.#connect(), delayMs);
  }

  #notified(topic: string, payload: Buffer): void {
    const id = this.#topics.get(topic);
    if (id === undefined || this.#closed) return;
    let created: { '@iot.id'?: unknown } | undefined;
    try {
      created = JSON.parse(payload.toString('utf8')) as typeof created;
    } catch {
      return;
    }
    if (created?.['@iot.id'] === undefined) return; // another client's create, not the server's news
    this.#dirty.set(JSON.stringify(id), id);
    this.#settling ??= setTimeout(() => {
      this.#settling = undefined;
      this.#drain();
    }, this.#settleMs);
  }

  /** Polls the Datastreams notified, one poll at a time, until none is left. */
  #drain(): void {
    this.#draining ??= (async () => {
      while (this.#dirty.size > 0 && !this.#closed) {
        const ids = [...this.#dirty.values()];
        this.#dirty.clear();
        await this.#options.poller.poll(ids);
      }
    })().finally(() => {
      this.#draining = undefined;
      if (this.#dirty.size > 0 && !this.#closed) this.#drain(); // notified as the loop ended
    });
  }
}
