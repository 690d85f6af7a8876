import type { Node, NodeAPI } from 'node-red';
import { join } from 'node:path';
import { removeDirectory } from '../../lib/store/files';

/** Where a node keeps its files: <userDir>/senfed/<kind>/<node id>, inside the Node-RED user directory. */
export function nodeStoragePath(
  RED: NodeAPI,
  kind: 'queues' | 'subscriptions' | 'providers' | 'consents' | 'lora',
  nodeId: string,
): string {
  const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
  return join(userDir, 'senfed', kind, nodeId.replace(/[^A-Za-z0-9_.-]/g, '_'));
}

/**
 * A node deleted from the flow takes its files with it, after saying in the log
 * what goes: `<type>.warn.removed` with `count` (queued packs, subscriptions)
 * when there is something, `<type>.log.removed` otherwise.
 */
export async function removeNodeStorage(
  RED: NodeAPI,
  node: Node,
  folder: string,
  count = 0,
): Promise<void> {
  if (count > 0) node.warn(RED._(`${node.type}.warn.removed`, { count }));
  else node.log(RED._(`${node.type}.log.removed`));
  await removeDirectory(folder);
}
