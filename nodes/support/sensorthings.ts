import type { Node, NodeAPI } from 'node-red';
import type { SensorThingsClient } from '../../lib/sensorthings/http';

/**
 * What the nodes reading or writing a SensorThings server take from its config
 * node (type `sensorthings-server`): a client for its service root, with its
 * authentication and TLS settings already applied.
 */
export interface SensorThingsServerNode extends Node {
  client: SensorThingsClient;
  /** The MQTT URL of the server, when one is configured. */
  mqttUrl?: string;
}

/** The deployed `sensorthings-server` config node of that id, or undefined. */
export function sensorThingsServer(
  RED: NodeAPI,
  id: string | undefined,
): SensorThingsServerNode | undefined {
  if (!id) return undefined;
  const node = RED.nodes.getNode(id) as Partial<SensorThingsServerNode> | null;
  if (!node || typeof node.client?.get !== 'function') return undefined;
  return node as SensorThingsServerNode;
}
