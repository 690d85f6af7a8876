// The parts of node-red-node-test-helper's API these tests use (the package ships no types).
declare module 'node-red-node-test-helper' {
  import type { EventEmitter } from 'node:events';
  interface TestNode extends EventEmitter {
    id: string;
    type: string;
    receive(msg: object): void;
    status: (...args: unknown[]) => void;
    warn: (...args: unknown[]) => void;
    error: (...args: unknown[]) => void;
    /** Node-RED's own: runs the close handlers; `removed` true as when the node is deleted from the flow. */
    close(removed?: boolean): Promise<void>;
  }
  interface Helper {
    init(nodeRedRuntime: string, userSettings?: object): void;
    load(nodes: unknown, flow: object[], credentials?: object, done?: () => void): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    startServer(done?: () => void): Promise<void>;
    stopServer(done?: () => void): Promise<void>;
    clearFlows(): Promise<void>;
    settings(userSettings: object): void;
    /** supertest on the admin app (RED.httpAdmin). */
    request(): { get(path: string): PromiseLike<{ status: number; body: any }> };
    _logSpy?: unknown;
    /** The spy on RED.log.log of the loaded flow: each call's first argument is the logged event. */
    log(): { args: [LogEvent][]; INFO: number; WARN: number; ERROR: number };
  }
  interface LogEvent {
    id: string;
    type: string;
    level: number;
    msg: unknown;
  }
  const helper: Helper;
  export = helper;
}
