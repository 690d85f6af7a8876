import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { senml } from '../lib';
import { packToObservations, type MappingOptions } from '../lib/sensorthings/mapping';
import { MqttObservationPublisher } from '../lib/sensorthings/mqtt-publisher';
import {
  type FailedObservation,
  ObservationWriter,
  type ObservationSender,
  type QueuedObservation,
} from '../lib/sensorthings/observation-writer';
import { DurableQueue } from '../lib/store/durable-queue';
import { errorText, localError } from './support/errors';
import { reportError } from './support/report';
import type { SensorThingsServerNode } from './support/sensorthings';
import { mqttOptionsOf } from './support/sensorthings-mqtt';
import { nodeStoragePath, removeNodeStorage } from './support/storage';
import { throttledStatus } from './support/throttled-status';

interface SensorThingsOutConfig extends NodeDef {
  server: string;
  /** Where the Things are: nowhere known, at the node's lon/lat, or at msg.location. */
  locationMode: 'none' | 'node' | 'msg';
  lon: string;
  lat: string;
  alt: string;
  baseName: string;
  batchSize: string;
  /** Seconds a batch may wait to fill. */
  window: string;
  queueSize: string;
  /** How Observations are created: DataArray requests over HTTP (default) or MQTT publications. */
  createOver?: 'http' | 'mqtt';
}

type OutMessage = NodeMessageInFlow & { location?: unknown; meta?: unknown };

const number = (text: string | undefined, fallback: number): number => {
  const value = Number.parseFloat(text ?? '');
  return Number.isFinite(value) ? value : fallback;
};

/** Base fields or relative times: a pack senml.resolve makes whole first. */
const BASE_FIELDS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver'];
const RELATIVE_TIME_LIMIT = 2 ** 28; // RFC 8428 §4.5.3

/**
 * A resolved pack as it is: the mapping checks every field it uses, and SensorThings
 * names may hold characters SenML names may not (spaces, quotes). Anything else is
 * resolved by senml.resolve, which also refuses what is not SenML.
 */
function resolved(payload: unknown): senml.ResolvedPack {
  const plain =
    Array.isArray(payload) &&
    payload.every(
      (record) =>
        typeof record === 'object' &&
        record !== null &&
        !BASE_FIELDS.some((field) => field in record) &&
        typeof (record as { t?: unknown }).t === 'number' &&
        Math.abs((record as { t: number }).t) >= RELATIVE_TIME_LIMIT,
    );
  return plain
    ? (payload as senml.ResolvedPack)
    : senml.resolve(payload, { secondaryUnits: 'accept' });
}

export = function register(RED: NodeAPI): void {
  function SensorThingsOut(this: Node, config: SensorThingsOutConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server) as SensorThingsServerNode | null;
    if (!server || !server.client) {
      const key = server
        ? 'sensorthings-out.problems.badServer'
        : 'sensorthings-out.problems.noServer';
      node.status({ fill: 'red', shape: 'ring', text: RED._(key) });
      node.on('input', (_msg, _send, done) => done(new Error(RED._(key))));
      return;
    }
    let sender: MqttObservationPublisher | undefined;
    if (config.createOver === 'mqtt') {
      try {
        sender = new MqttObservationPublisher({
          ...mqttOptionsOf(server),
          client: server.client,
        });
      } catch (err) {
        const reason = errorText(RED._, err);
        node.status({ fill: 'red', shape: 'ring', text: senml.shortMessage(reason) });
        node.error(reason);
        node.on('input', (_msg, _send, done) => done(localError(RED._, err)));
        return;
      }
    }
    const mapping: MappingOptions = {};
    if (config.baseName) mapping.baseName = config.baseName;
    let nodeLocation: unknown;
    if (config.locationMode === 'node') {
      const position = [number(config.lon, Number.NaN), number(config.lat, Number.NaN)];
      if (config.alt !== undefined && config.alt.trim() !== '')
        position.push(number(config.alt, Number.NaN));
      nodeLocation = { type: 'Point', coordinates: position };
    }
    const maxEntries = Math.max(1, Math.floor(number(config.queueSize, 100_000)));
    const queueDirectory = nodeStoragePath(RED, 'queues', node.id);
    let lastError: string | undefined;
    const status = throttledStatus(node, (): NodeStatus => {
      const queued = writer?.pending ?? 0;
      if (lastError !== undefined)
        return {
          fill: 'red',
          shape: 'ring',
          text: RED._('sensorthings-out.status.error', { count: queued, error: lastError }),
        };
      return queued === 0
        ? { fill: 'green', shape: 'dot', text: RED._('sensorthings-out.status.stored') }
        : {
            fill: 'yellow',
            shape: 'dot',
            text: RED._('sensorthings-out.status.queued', { count: queued }),
          };
    });
    const short = (err: unknown): string => senml.shortMessage(errorText(RED._, err));

    let writer: ObservationWriter | undefined;
    const ready = Promise.all([
      server.resolver,
      DurableQueue.open<QueuedObservation>(queueDirectory, {
        maxEntries,
        onWarning: (warning) => node.warn(errorText(RED._, warning)),
      }),
    ]).then(([resolver, queue]) => {
      const w = new ObservationWriter(queue, resolver, {
        batchSize: Math.max(1, Math.floor(number(config.batchSize, 500))),
        windowMs: Math.max(0, number(config.window, 1) * 1000),
        ...(sender === undefined ? {} : { sender: sender as ObservationSender }),
      });
      w.on('queued', () => status.show());
      // Within an outage (from the first retry to the next row stored): the whole reason
      // logged once, as the status has room for its start only.
      let warned = false;
      w.on('stored', () => {
        lastError = undefined;
        warned = false;
        status.show();
      });
      w.on('retrying', ({ error }) => {
        lastError = short(error);
        if (!warned) {
          warned = true;
          node.warn(errorText(RED._, error));
        }
        status.draw();
      });
      w.on('failed', ({ observation, error }: FailedObservation) => {
        // The message may be gone (a restart in between): the Catch node gets the record and the reason.
        node.error(localError(RED._, error), {
          payload: observation.record ?? null,
          record: observation.index,
          phenomenonTime: observation.phenomenonTime,
          serverMessage: error.serverMessage,
          _msgid: RED.util.generateId(),
        } as never);
        lastError = short(error);
        status.draw();
      });
      writer = w;
      w.start();
      status.draw();
      return w;
    });
    ready.catch((err: unknown) => {
      node.status({ fill: 'red', shape: 'ring', text: short(err) });
    });

    node.on('input', (msg: OutMessage, _send, done) => {
      (async () => {
        const pack = resolved(msg.payload);
        const options: MappingOptions = { ...mapping };
        if (config.locationMode === 'node') options.location = nodeLocation;
        else if (config.locationMode === 'msg' && msg.location !== undefined)
          options.location = msg.location;
        if (msg.meta !== undefined) options.meta = msg.meta;
        const observations = packToObservations(pack, options);
        const w = await ready;
        // done() once every Observation of the pack is on disk: from there the queue answers for it.
        await w.enqueue(observations, pack);
      })().then(
        () => done(),
        (err: unknown) => {
          lastError = short(err);
          status.cancel();
          reportError(RED._, node, done, err);
        },
      );
    });

    // Deleted from the flow (not a redeploy): the queue goes too, and the log says how much was in it.
    node.on('close', (removed: boolean, done: () => void) => {
      status.cancel();
      ready
        .then(async (w) => {
          const queued = w.pending;
          await w.close();
          await sender?.close();
          await w.queue.close();
          if (removed) await removeNodeStorage(RED, node, queueDirectory, queued);
        })
        .catch(() => sender?.close())
        .finally(() => done());
    });
  }
  RED.nodes.registerType('sensorthings-out', SensorThingsOut);
};
