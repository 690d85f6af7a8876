import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { type TestBed, startTestBed, stopTestBed } from '../support/federation';

helper.init(require.resolve('node-red'));

const i18n = require('@node-red/util').i18n;
/** The built node catalogues, one folder per language, as Node-RED finds them next to the nodes. */
const LOCALES = join(__dirname, '..', '..', 'nodes', 'locales');
/** The language inLanguage() runs in; outside it, RED._ answers the key, as the test helper's does. */
let language: string | undefined;

type NodeModule = (red: { _: (key: string, params?: object) => string }) => unknown;

/**
 * A node type of the package as Node-RED loads it: from the build, its RED._
 * reading the type's own catalogue (the test helper's RED._ only answers keys).
 */
function nodeType(type: string): NodeModule {
  const register: NodeModule = require(`../../nodes/${type}.js`);
  return (red) => {
    const own = Object.create(red) as typeof red;
    own._ = (key, params) =>
      language === undefined ? red._(key, params) : i18n._(`${type}:${key}`, params);
    return register(own);
  };
}

// Node types under test.
export const catchNode = require('@node-red/nodes/core/common/25-catch.js');
/** Node-RED's own mqtt in/out and broker, as users wire network-server integrations. */
export const mqttNode = require('@node-red/nodes/core/network/10-mqtt.js');
export const loraUplinkNode = nodeType('lora-uplink');
export const decodeNode = nodeType('senml-decode');
export const encodeNode = nodeType('senml-encode');

export { helper };

export type Msg = Record<string, any>;

/** Resolve with the next message a helper node receives. */
export function nextMessage(nodeId: string): Promise<Msg> {
  return new Promise((resolve) => helper.getNode(nodeId).once('input', resolve));
}

/** Every message a node receives from now on. */
export function collect(nodeId: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(nodeId).on('input', (msg: Msg) => got.push(msg));
  return got;
}

/** Resolve once check() holds, polling; fail after ms milliseconds, saying what was awaited. */
export async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Record every status a node shows. */
export function statuses(nodeId: string): Msg[] {
  const seen: Msg[] = [];
  const node = helper.getNode(nodeId);
  const original = node.status.bind(node);
  node.status = (status: unknown) => {
    seen.push(status as Msg);
    original(status);
  };
  return seen;
}

/** Record every warning a node gives (node.warn), passing each on. */
export function warnings(nodeId: string): unknown[] {
  const seen: unknown[] = [];
  const node = helper.getNode(nodeId);
  const original = node.warn.bind(node);
  node.warn = (warning: unknown) => {
    seen.push(warning);
    original(warning);
  };
  return seen;
}

/** Put nodes on one flow tab, as the editor does: Catch nodes only see errors of their own tab. */
export function inTab(nodes: object[]): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    ...nodes.map((node) => ({ z: 'tab', ...node })),
  ];
}

export const accountNode = nodeType('xmpp-account');
export const publishNode = nodeType('federation-publish');
export const subscribeNode = nodeType('federation-subscribe');
export const discoverNode = nodeType('federation-discover');
export const requestNode = nodeType('federation-request');
export const provideNode = nodeType('federation-provide');
export const replyNode = nodeType('federation-reply');

/**
 * Hooks of a flow test on the real federation: the test bed for the whole file
 * (plus the file's own set-up and tear-down), a fresh Node-RED user directory
 * for each test, the flow unloaded after each. Read `bed` and `userDir` once the
 * hooks have run.
 */
export function federationFlows(
  extra: { before?: (bed: TestBed) => Promise<void>; after?: () => Promise<void> } = {},
): { readonly bed: TestBed; readonly userDir: string } {
  const context = {} as { bed: TestBed; userDir: string };
  before(async function () {
    this.timeout(180_000);
    context.bed = await startTestBed();
    await extra.before?.(context.bed);
  });
  beforeEach(() => {
    context.userDir = mkdtempSync(join(tmpdir(), 'senfed-userdir-'));
    helper.settings({ userDir: context.userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(context.userDir, { recursive: true, force: true });
  });
  after(async function () {
    this.timeout(30_000);
    await extra.after?.();
    await stopTestBed();
  });
  return context;
}

let catalogues: Promise<void> | undefined;

/** Node-RED's i18n started, as the runtime starts it, with every node type's catalogue registered under its type. */
function loadCatalogues(): Promise<void> {
  catalogues ??= (async () => {
    i18n.init({ lang: 'en-US' });
    for (const file of readdirSync(join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json'))) {
      await i18n.registerMessageCatalog(file.replace(/\.json$/, ''), LOCALES, file);
    }
  })();
  return catalogues;
}

/**
 * Run the runtime in another language for a while, as on a machine whose LANG is
 * French or Dutch: Node-RED's i18next loads the node catalogues in that language,
 * and the nodes' RED._ reads them.
 */
export async function inLanguage<T>(lang: string, run: () => Promise<T>): Promise<T> {
  await loadCatalogues();
  const i18next = i18n.i;
  await i18next.changeLanguage(lang);
  language = lang;
  try {
    return await run();
  } finally {
    language = undefined;
    await i18next.changeLanguage('en-US');
  }
}

export const consentStoreNode = nodeType('consent-store');
export const consentFilterNode = nodeType('consent-filter');
export const consentManageNode = nodeType('consent-manage');
export const serialSensorNode = nodeType('serial-sensor');
export const loraDeviceNode = nodeType('lora-device');
export const loraDecodeNode = nodeType('lora-decode');
export const loraGatewayNode = nodeType('lora-gateway');
export const sensorthingsInNode = nodeType('sensorthings-in');
export const sensorthingsServerNode = nodeType('sensorthings-server');
export const sensorthingsOutNode = nodeType('sensorthings-out');
