/**
 * Node-RED for benchmarks: real flows in a runtime started by node-red-node-test-helper,
 * with the helper's recording spies taken off once a flow is deployed (a runtime has
 * none, and they keep every call: send, status, log…).
 */
import helper from 'node-red-node-test-helper';

helper.init(require.resolve('node-red'));

const NodePrototype: Record<string, unknown> =
  require('@node-red/runtime/lib/nodes/Node').prototype;
const SPIED = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];
const originals = Object.fromEntries(SPIED.map((m) => [m, NodePrototype[m]]));
const runtimeLog: { log: unknown } = require('node-red').log;
const originalLog = runtimeLog.log;

/** Errors the nodes reported (node.error) since the last deploy, with the id of the node. */
export const nodeErrors: { id: string; message: string }[] = [];

function unspy(flow: readonly object[]): void {
  const spiedSend = NodePrototype.send;
  for (const { id } of flow as { id: string }[]) {
    const node = helper.getNode(id) as unknown as { send?: unknown } | null | undefined;
    if (node && node.send === spiedSend) node.send = originals.send;
  }
  for (const m of SPIED) NodePrototype[m] = originals[m];
  // node.error is still counted, so that a run that lost data cannot pass unseen.
  const error = originals.error as (this: { id: string }, ...args: unknown[]) => void;
  NodePrototype.error = function (this: { id: string }, ...args: unknown[]): void {
    const [what] = args;
    nodeErrors.push({
      id: this.id,
      message: what instanceof Error ? what.message : String(what),
    });
    error.apply(this, args);
  };
  runtimeLog.log = originalLog;
}

/** Deploys a flow in a fresh runtime, then takes the test helper's spies off. */
export async function deploy(
  nodes: unknown[],
  flow: object[],
  credentials: object = {},
): Promise<void> {
  nodeErrors.length = 0;
  await helper.load(nodes, flow, credentials);
  unspy(flow);
}

/** Stops the flows and the runtime; Node.prototype gets its own methods back. */
export async function undeploy(): Promise<void> {
  await helper.unload();
  for (const m of SPIED) NodePrototype[m] = originals[m];
}

export { helper };
