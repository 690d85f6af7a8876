import type { Node, NodeAPI } from 'node-red';
import { join } from 'node:path';
import type { EntityResolver } from '../../lib/sensorthings/find-or-create';
import type { SensorThingsClient } from '../../lib/sensorthings/http';

/** What the SensorThings nodes see of their `sensorthings server` config node. */
export interface SensorThingsServerNode extends Node<SensorThingsCredentials> {
  /** The client, or undefined when the settings cannot make one (the reason in `problem`). */
  client: SensorThingsClient | undefined;
  /** The entity resolver with its id cache, opened once per config node. */
  resolver: Promise<EntityResolver>;
  /** Why there is no client: a bad URL, an unreadable CA file… */
  problem: unknown;
  /** The MQTT URL given, stored for the nodes that create or read over MQTT. */
  mqttUrl: string | undefined;
  /** The CA file given (PEM), for the MQTT connection as for HTTP. */
  caFile: string | undefined;
}

export interface SensorThingsCredentials {
  username?: string;
  password?: string;
  token?: string;
}

/** The deployed `sensorthings-server` config node of that id with a working client, or undefined. */
export function sensorThingsServer(
  RED: NodeAPI,
  id: string | undefined,
): (SensorThingsServerNode & { client: SensorThingsClient }) | undefined {
  if (!id) return undefined;
  const node = RED.nodes.getNode(id) as Partial<SensorThingsServerNode> | null;
  if (!node || typeof node.client?.get !== 'function') return undefined;
  return node as SensorThingsServerNode & { client: SensorThingsClient };
}

/**
 * Where a `sensorthings server` node keeps its id cache: <userDir>/senfed/sensorthings/<node id>,
 * beside nodeStoragePath's folders (whose kinds are the other nodes').
 */
export function sensorthingsCachePath(RED: NodeAPI, nodeId: string): string {
  const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
  return join(userDir, 'senfed', 'sensorthings', nodeId.replace(/[^A-Za-z0-9_.-]/g, '_'));
}
