/**
 * The outgoing side of `sensorthings out`: Observations waiting in a bounded durable
 * queue (one entry per Observation) and stored in DataArray batches, by size or
 * after a time window, in the order they came.
 *
 * - `enqueue` resolves the Datastreams (and the FeatureOfInterest of a Thing without
 *   a Location) first, so that a 4xx of the server about an entity fails the pack at
 *   once; when the server cannot be reached, the Observation is queued with its
 *   entities unresolved and resolved when it is sent. A pack that does not fit in the
 *   queue whole is refused whole (STA_QUEUE_FULL): the queue never drops what it took.
 *   `enqueue` resolves once every Observation of the pack is on disk.
 * - Each batch's answer is read row by row: a stored row leaves the queue and is never
 *   sent again; a refused row (`"error …"`) leaves it too, told as `failed` with the
 *   server's reason. A server that is down, answers 5xx, 408 or 429, or refuses the
 *   credentials keeps the batch first in line, retried with backoff. When a request
 *   went out and no answer came (timeout, cut connection), and at start for what a
 *   previous run may have sent, the rows already stored are looked up first
 *   (findObservations): nothing is stored twice.
 * - How a batch is sent is the sender's business (`ObservationSender`): DataArray
 *   over HTTP by default (`dataArraySender`), or MQTT (mqtt-publisher.ts). A sender
 *   whose failed send may have stored some rows (`mayStoreOnFailure`, MQTT after a
 *   PUBACK) has them looked up before the resend, as after an HTTP timeout.
 */
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../backoff';
import type { SenfedError } from '../errors';
import type { DurableQueue, QueueItem } from '../store/durable-queue';
import { SensorThingsServerError } from './client-messages';
import { createObservations, findObservations, type ObservationRow } from './data-array';
import type { EntityResolver } from './find-or-create';
import type { SensorThingsClient } from './http';
import type { DatastreamSpec, EntityId, ObservationSpec, ThingSpec } from './model';
import { SensorThingsMqttError } from './mqtt-messages';

/** The outcome of one row: stored, or refused for good (with the server's reason). */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      serverMessage: string;
      /** Said instead of the server's message (MQTT, where the server says nothing). */
      reason?: SenfedError;
      /** The row's Datastream is no longer on the server (found out by the sender). */
      datastreamGone?: boolean;
    };

/**
 * How the writer stores a batch. `send` resolves with one outcome per row, in order,
 * or rejects when the batch is to be tried again (a SensorThingsServerError or
 * SensorThingsMqttError that is retryable, STA_AUTH or STA_TLS; anything else fails
 * the batch).
 */
export interface ObservationSender {
  send(rows: readonly ObservationRow[]): Promise<SendOutcome[]>;
  /** A rejected send may have stored rows: look them up before sending them again. */
  readonly mayStoreOnFailure?: boolean;
}

/** The default sender: one DataArray request per batch (STA 1.1 §14.3). */
export function dataArraySender(client: SensorThingsClient): ObservationSender {
  return { send: (rows) => createObservations(client, rows) };
}

/** One Observation as the queue keeps it. */
export interface QueuedObservation {
  /** The SenML name, the record's index in its pack, and the record itself (for errors). */
  name: string;
  index?: number;
  record?: unknown;
  phenomenonTime: string;
  result: unknown;
  parameters?: Record<string, unknown>;
  /** Resolved ids; absent while the entities are not resolved yet. */
  datastreamId?: EntityId;
  featureOfInterestId?: EntityId;
  /** What to resolve at send time, when the server could not be reached at enqueue time. */
  unresolved?: { thing: ThingSpec; datastream: DatastreamSpec; feature: boolean };
  key: string;
  /** When it was queued (ms since the epoch): starts the batch window. */
  queuedAt: number;
}

export interface ObservationWriterOptions {
  /** Rows per CreateObservations request. Default 500. */
  batchSize?: number;
  /** Longest wait for a batch to fill, in ms. Default 1000. */
  windowMs?: number;
  backoff?: BackoffOptions;
  /** Default: DataArray over the resolver's HTTP client. */
  sender?: ObservationSender;
}

/** An Observation that cannot be stored: told once, then gone from the queue. */
export interface FailedObservation {
  observation: QueuedObservation;
  error: SensorThingsServerError | SensorThingsMqttError;
}

export interface ObservationWriterEvents {
  stored: [count: number];
  failed: [failure: FailedObservation];
  retrying: [info: { error: unknown; delayMs: number }];
  queued: [count: number];
}

const OFFLINE = Symbol('offline');

interface Pending {
  item: QueueItem<QueuedObservation>;
  row?: ObservationRow;
  done?: boolean;
}

export class ObservationWriter extends EventEmitter<ObservationWriterEvents> {
  readonly batchSize: number;
  readonly windowMs: number;
  readonly #queue: DurableQueue<QueuedObservation>;
  readonly #resolver: EntityResolver;
  readonly #backoff: Backoff;
  readonly #sender: ObservationSender;
  #closed = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** The head batch may have been stored by a request whose answer never came. */
  #unclear: boolean;
  /** The last error of a send, until a send succeeds. */
  lastError: unknown;

  constructor(
    queue: DurableQueue<QueuedObservation>,
    resolver: EntityResolver,
    options: ObservationWriterOptions = {},
  ) {
    super();
    this.#queue = queue;
    this.#resolver = resolver;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
    this.windowMs = Math.max(0, options.windowMs ?? 1000);
    this.#backoff = new Backoff({ initialMs: 500, maxMs: 30_000, ...options.backoff });
    this.#sender = options.sender ?? dataArraySender(resolver.client);
    // A previous run may have sent the head and died before its acks were written.
    this.#unclear = queue.size > 0;
  }

  /** The queue written to (closed by its owner, after close()). */
  get queue(): DurableQueue<QueuedObservation> {
    return this.#queue;
  }

  /** Observations waiting to be stored. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Starts sending (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Queues the Observations of a pack; resolves once all are on disk. Rejects, queuing
   * none, when they do not fit or the server refused one of their entities.
   */
  async enqueue(
    observations: readonly ObservationSpec[],
    records: readonly unknown[] = [],
  ): Promise<void> {
    if (this.#closed) throw new SensorThingsServerError('STA_QUEUE_FULL', this.#fullParams(0));
    this.#checkRoom(observations.length);
    const now = Date.now();
    const entries: QueuedObservation[] = [];
    // Once the server proved unreachable, the rest of the pack is queued unresolved at once.
    let offline = false;
    for (const spec of observations) {
      const entry: QueuedObservation = {
        name: nameOf(records[spec.record ?? -1]) ?? `${spec.datastream.name}`,
        phenomenonTime: spec.phenomenonTime,
        result: spec.result,
        key: spec.key,
        queuedAt: now,
      };
      if (spec.record !== undefined) {
        entry.index = spec.record;
        if (records[spec.record] !== undefined) entry.record = records[spec.record];
      }
      if (spec.parameters !== undefined) entry.parameters = spec.parameters;
      try {
        if (offline) throw OFFLINE;
        entry.datastreamId = await this.#resolver.datastreamFor(spec.thing, spec.datastream);
        if (spec.featureOfInterest !== undefined) {
          const foi = await this.#resolver.featureOfInterestFor(spec.thing);
          if (foi !== undefined) entry.featureOfInterestId = foi;
        }
      } catch (err) {
        if (err !== OFFLINE && !waitable(err)) throw err;
        offline = true;
        delete entry.datastreamId;
        entry.unresolved = {
          thing: spec.thing,
          datastream: spec.datastream,
          feature: spec.featureOfInterest !== undefined,
        };
      }
      entries.push(entry);
    }
    // Checked again after the lookups: other packs may have come in meanwhile. The
    // check and the pushes run without a pause, so no other pack slips in between.
    this.#checkRoom(entries.length);
    await Promise.all(entries.map((entry) => this.#queue.push(entry)));
    this.emit('queued', this.#queue.size);
    this.#wake?.();
  }

  /** Stops sending; what is queued stays on disk for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    // A request under way is not waited for beyond a moment: its rows stay queued and
    // are looked up before they are sent again.
    await Promise.race([this.#loop, new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  #checkRoom(count: number): void {
    if (this.#queue.size + count > this.#queue.maxEntries)
      throw new SensorThingsServerError('STA_QUEUE_FULL', this.#fullParams(count));
  }

  #fullParams(count: number) {
    return { queued: this.#queue.size, max: this.#queue.maxEntries, count };
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const head = this.#queue.peek();
      if (head === undefined) {
        await this.#sleep(undefined);
        continue;
      }
      const due = head.entry.queuedAt + this.windowMs;
      if (this.#queue.size < this.batchSize && Date.now() < due) {
        await this.#sleep(due - Date.now());
        continue;
      }
      const batch = this.#take();
      try {
        await this.#send(batch);
        this.#backoff.reset();
        this.lastError = undefined;
      } catch (err) {
        if (this.#closed) break;
        if (this.#sender.mayStoreOnFailure || isStaError(err)?.outcomeUnknown) this.#unclear = true;
        this.lastError = err;
        const delayMs = this.#backoff.next();
        this.emit('retrying', { error: err, delayMs });
        await this.#sleep(delayMs, false);
      }
    }
  }

  /** Up to batchSize entries from the head, those on disk. */
  #take(): Pending[] {
    const batch: Pending[] = [];
    let item = this.#queue.peek();
    while (item !== undefined && batch.length < this.batchSize) {
      batch.push({ item });
      item = this.#queue.peekAfter(item.seq);
    }
    return batch;
  }

  /** Sends one batch; rejects, leaving all of it queued, when it is to be tried again. */
  async #send(batch: Pending[]): Promise<void> {
    const failures: FailedObservation[] = [];
    for (const pending of batch) {
      const entry = pending.item.entry;
      try {
        pending.row = await this.#rowOf(entry);
      } catch (err) {
        if (!(err instanceof SensorThingsServerError) || waitable(err)) throw err;
        failures.push({ observation: entry, error: failed(entry, err) });
        pending.done = true;
      }
    }
    let toSend = batch.filter((p) => !p.done);
    if (this.#unclear && toSend.length > 0) {
      const found = await findObservations(
        this.#resolver.client,
        toSend.map((p) => p.row!),
      );
      toSend.forEach((p, i) => {
        if (found[i] !== undefined) p.done = true;
      });
      toSend = toSend.filter((p) => !p.done);
      this.#unclear = false;
    }
    let stored = batch.length - failures.length - toSend.length;
    if (toSend.length > 0) {
      try {
        const outcomes = await this.#sender.send(toSend.map((p) => p.row!));
        outcomes.forEach((outcome, i) => {
          const entry = toSend[i].item.entry;
          if (outcome.ok) stored += 1;
          else {
            // A Datastream deleted on the server: the next packs resolve it again.
            if (outcome.datastreamGone || /no such entity/i.test(outcome.serverMessage))
              this.#resolver.forgetDatastream(toSend[i].row!.datastreamId);
            if (outcome.reason !== undefined) {
              failures.push({ observation: entry, error: failed(entry, outcome.reason) });
              return;
            }
            failures.push({
              observation: entry,
              error: new SensorThingsServerError(
                'STA_OBSERVATION_REFUSED',
                {
                  name: entry.name,
                  phenomenonTime: entry.phenomenonTime,
                  serverMessage: outcome.serverMessage,
                  ...placeOf(entry),
                },
                { entity: 'CreateObservations', serverMessage: outcome.serverMessage },
              ),
            });
          }
        });
      } catch (err) {
        const sta = isStaError(err);
        if (sta === undefined || waitable(sta)) throw err;
        // The request as a whole was refused (4xx): no row of it can be stored as it is.
        for (const p of toSend)
          failures.push({ observation: p.item.entry, error: failed(p.item.entry, sta) });
      }
    }
    // Every row of the batch has its outcome: the batch leaves the queue, in order.
    await Promise.all(batch.map((p) => this.#queue.ack(p.item.seq)));
    if (stored > 0) this.emit('stored', stored);
    for (const failure of failures) this.emit('failed', failure);
    this.emit('queued', this.#queue.size);
  }

  async #rowOf(entry: QueuedObservation): Promise<ObservationRow> {
    let { datastreamId, featureOfInterestId } = entry;
    if (entry.unresolved !== undefined) {
      const { thing, datastream, feature } = entry.unresolved;
      datastreamId = await this.#resolver.datastreamFor(thing, datastream);
      if (feature) featureOfInterestId = await this.#resolver.featureOfInterestFor(thing);
    }
    const row: ObservationRow = {
      datastreamId: datastreamId!,
      phenomenonTime: entry.phenomenonTime,
      result: entry.result,
    };
    if (entry.parameters !== undefined) row.parameters = entry.parameters;
    if (featureOfInterestId !== undefined) row.featureOfInterestId = featureOfInterestId;
    return row;
  }

  /** Waits for ms, or for an enqueue (when wakeable), or for close. */
  #sleep(ms: number | undefined, wakeable = true): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        if (this.#wake === wakeUp) this.#wake = undefined;
        resolve();
      };
      const wakeUp = (): void => {
        if (wakeable || this.#closed) finish();
      };
      if (ms !== undefined) timer = setTimeout(finish, ms);
      this.#wake = wakeUp;
    });
  }
}

/** An error of the server, over HTTP or MQTT. */
function isStaError(err: unknown): SensorThingsServerError | SensorThingsMqttError | undefined {
  return err instanceof SensorThingsServerError || err instanceof SensorThingsMqttError
    ? err
    : undefined;
}

/** Worth waiting for: the server is down, overloaded, or refused the credentials (fixable without losing data). */
function waitable(err: unknown): boolean {
  const sta = isStaError(err);
  return sta !== undefined && (sta.retryable || sta.code === 'STA_AUTH' || sta.code === 'STA_TLS');
}

function failed(entry: QueuedObservation, err: SenfedError): SensorThingsServerError {
  const server = err instanceof SensorThingsServerError ? err : undefined;
  return new SensorThingsServerError(
    'STA_OBSERVATION_FAILED',
    { name: entry.name, phenomenonTime: entry.phenomenonTime, cause: err, ...placeOf(entry) },
    {
      ...(server?.status === undefined ? {} : { status: server.status }),
      ...(server?.serverMessage === undefined ? {} : { serverMessage: server.serverMessage }),
      ...(server?.entity === undefined ? {} : { entity: server.entity }),
    },
    { cause: err },
  );
}

/** The record's index in its pack, as the `record` param that frames a sentence ("record 3: …"). */
function placeOf(entry: QueuedObservation): { record?: number } {
  return entry.index === undefined ? {} : { record: entry.index };
}

function nameOf(record: unknown): string | undefined {
  const n = (record as { n?: unknown } | undefined)?.n;
  return typeof n === 'string' ? n : undefined;
}
