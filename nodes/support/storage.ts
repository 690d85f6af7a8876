import type { NodeAPI } from 'node-red';
import { join } from 'node:path';

/** Where a node keeps its files: <userDir>/senfed/<kind>/<node id>, inside the Node-RED user directory. */
export function nodeStoragePath(RED: NodeAPI, kind: 'queues' | 'subscriptions' | 'providers', nodeId: string): string {
  const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
  return join(userDir, 'senfed', kind, nodeId.replace(/[^A-Za-z0-9_.-]/g, '_'));
}
