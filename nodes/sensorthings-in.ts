import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import type { EntityId } from '../lib/sensorthings/model';
import { ObservationPoller, listDatastreams, parseDatastreamIds } from '../lib/sensorthings/reader';
import { errorText, localError } from './support/errors';
import { sensorThingsServer } from './support/sensorthings';
import { nodeStoragePath, removeNodeStorage } from './support/storage';

interface SensorThingsInConfig extends NodeDef {
  server: string;
  /** Datastream ids apart by commas: whole numbers, or texts in single quotes. */
  datastreams: string;
  /** Seconds between the end of a poll and the next. */
  interval: string | number;
  /** Where a Datastream never read starts: "now" or "everything". */
  startFrom: 'now' | 'everything';
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
    const storage = nodeStoragePath(RED, 'subscriptions', node.id);
    let total = 0;
    const poller = new ObservationPoller({
      client: server.client,
      datastreams,
      file: join(storage, 'sensorthings-positions.json'),
      intervalMs,
      startFrom: config.startFrom === 'everything' ? 'everything' : 'now',
      onPack: ({ pack, datastream }) => {
        node.send({
          payload: pack,
          topic: datastream.thing,
          datastream: { id: datastream.id, name: datastream.name },
        } as never);
      },
      onError: (err, datastream) => {
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
    node.status({ fill: 'grey', shape: 'ring', text: RED._('sensorthings-in.status.starting') });
    poller.start();

    // Deleted from the flow (not a redeploy, not a restart): its read positions go with it.
    node.on('close', (removed: boolean, done: () => void) => {
      poller
        .close()
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
