import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import type { EntityId } from '../lib/sensorthings/model';
import { MqttObservationSubscriber } from '../lib/sensorthings/mqtt-subscriber';
import { ObservationPoller, listDatastreams, parseDatastreamIds } from '../lib/sensorthings/reader';
import { errorText, localError } from './support/errors';
import { sensorThingsServer } from './support/sensorthings';
import { mqttOptionsOf } from './support/sensorthings-mqtt';
import { nodeStoragePath, removeNodeStorage } from './support/storage';

interface SensorThingsInConfig extends NodeDef {
  server: string;
  /** Datastream ids apart by commas: whole numbers, or texts in single quotes. */
  datastreams: string;
  /** Seconds between the end of a poll and the next. */
  interval: string | number;
  /** Where a Datastream never read starts: "now" or "everything". */
  startFrom: 'now' | 'everything';
  /** Polling only (default), or told by MQTT subscription with the polls as a safety net. */
  mode?: 'poll' | 'mqtt';
}

const DEFAULT_INTERVAL_S = 60;

export = function register(RED: NodeAPI): void {
  function SensorThingsIn(this: Node, config: SensorThingsInConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = sensorThingsServer(RED, config.server);
    if (!server) {
      node.status({
        fill: 'red',
        shape: 'ring',
        text: RED._('sensorthings-in.status.noServer'),
      });
      return;
    }
    let datastreams: EntityId[];
    try {
      datastreams = parseDatastreamIds(String(config.datastreams ?? ''));
    } catch (err) {
      const reason = errorText(RED._, err);
      node.status({ fill: 'red', shape: 'ring', text: reason });
      node.error(reason);
      return;
    }
    if (datastreams.length === 0) {
      node.status({
        fill: 'yellow',
        shape: 'ring',
        text: RED._('sensorthings-in.status.noDatastream'),
      });
      return;
    }
    const seconds = Number(config.interval);
    const intervalMs =
      (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_INTERVAL_S) * 1000;
    const byMqtt = config.mode === 'mqtt';
    let mqttOptions;
    if (byMqtt) {
      try {
        mqttOptions = mqttOptionsOf(server);
      } catch (err) {
        const reason = errorText(RED._, err);
        node.status({ fill: 'red', shape: 'ring', text: reason });
        node.error(reason);
        return;
      }
    }
    const storage = nodeStoragePath(RED, 'subscriptions', node.id);
    let total = 0;
    let subscriber: MqttObservationSubscriber | undefined;
    let closing = false;
    const poller = new ObservationPoller({
      client: server.client,
      datastreams,
      file: join(storage, 'sensorthings-positions.json'),
      intervalMs,
      startFrom: config.startFrom === 'everything' ? 'everything' : 'now',
      onPack: async ({ pack, datastream, meta }) => {
        node.send({
          payload: pack,
          topic: datastream.thing,
          datastream: { id: datastream.id, name: datastream.name },
          ...(meta === undefined ? {} : { meta }),
        } as never);
        // Node-RED delivers on the next turn and drops what a stopping flow sends: a pack
        // sent as the node closes keeps its position and comes again (at least once, never lost).
        await new Promise((resolve) => setImmediate(resolve));
        if (closing) throw new Error('closing');
      },
      onError: (err, datastream) => {
        if (closing) return; // a pack kept back as the node closes, nothing to tell
        const reason = errorText(RED._, err);
        node.status({ fill: 'red', shape: 'ring', text: reason });
        // With a message, so that a Catch node sees it; the next poll tries again.
        const error = localError(RED._, err);
        node.error(error, {
          topic: datastream === undefined ? undefined : String(datastream),
          datastream,
          error,
          _msgid: RED.util.generateId(),
        } as never);
      },
      onWarning: (note) => node.warn(errorText(RED._, note)),
      onPoll: (report) => {
        total += report.records;
        if (report.failed > 0) return;
        if (subscriber !== undefined) {
          if (subscriber.connected) showConnected();
          return;
        }
        node.status({
          fill: 'green',
          shape: 'dot',
          text: RED._('sensorthings-in.status.polled', {
            time: report.at.toLocaleTimeString(),
            count: report.records,
            total,
          }),
        });
      },
    });
    const showConnected = (): void =>
      node.status({
        fill: 'green',
        shape: 'dot',
        text: RED._('sensorthings-in.status.connected', { total }),
      });
    node.status({ fill: 'grey', shape: 'ring', text: RED._('sensorthings-in.status.starting') });
    if (mqttOptions !== undefined) {
      try {
        subscriber = new MqttObservationSubscriber({
          ...mqttOptions,
          poller,
          version: server.client.version,
        });
      } catch (err) {
        const reason = errorText(RED._, err);
        node.status({ fill: 'red', shape: 'ring', text: reason });
        node.error(reason);
        void poller.close();
        return;
      }
      subscriber.on('connected', showConnected);
      subscriber.on('disconnected', (error, retryInMs) =>
        node.status({
          fill: 'red',
          shape: 'ring',
          text: RED._('sensorthings-in.status.disconnected', {
            error: errorText(RED._, error),
            seconds: Math.ceil(retryInMs / 1000),
          }),
        }),
      );
      subscriber.start();
    }
    // By MQTT, the polls go on at their interval: they read what a dropped notification did not tell.
    poller.start();

    // Deleted from the flow (not a redeploy, not a restart): its read positions go with it.
    node.on('close', (removed: boolean, done: () => void) => {
      closing = true;
      // Both at once: the poller stops handing packs on before the connection is ended.
      Promise.all([poller.close(), subscriber?.close()])
        .then(() => (removed ? removeNodeStorage(RED, node, storage) : undefined))
        .catch((err: unknown) => node.warn(errorText(RED._, err)))
        .finally(done);
    });
  }
  RED.nodes.registerType('sensorthings-in', SensorThingsIn);

  // The dialog's picker: the Datastreams of a deployed server.
  RED.httpAdmin.get(
    '/senfed/sensorthings-in/datastreams',
    RED.auth.needsPermission('sensorthings-in.read'),
    (req, res) => {
      const id = typeof req.query.server === 'string' ? req.query.server : undefined;
      const server = sensorThingsServer(RED, id);
      if (!server) {
        res.status(404).json({ error: RED._('sensorthings-in.list.notDeployed') });
        return;
      }
      listDatastreams(server.client).then(
        (datastreams) => res.json({ datastreams }),
        (err: unknown) => res.status(502).json({ error: errorText(RED._, err) }),
      );
    },
  );
};
