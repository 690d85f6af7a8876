/**
 * The thread an uplink decoder runs in (see uplink-sandbox.ts): it compiles the
 * decoder it is given in workerData, answers 'ready' or a failure, then one
 * answer per input, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSandbox } from './uplink-sandbox';

const { source, filename, timeout } = workerData as {
  source: string;
  filename: string;
  timeout: number;
};
const opened = openSandbox(source, filename, timeout);
if ('failure' in opened) {
  parentPort!.postMessage({ ready: false, failure: opened });
} else {
  parentPort!.postMessage({ ready: true });
  parentPort!.on('message', ({ id, input }: { id: number; input: string }) => {
    parentPort!.postMessage({ id, answer: opened.call(input) });
  });
}
