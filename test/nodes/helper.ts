import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { type TestBed, startTestBed, stopTestBed } from '../support/federation';

helper.init(require.resolve('node-red'));

// Node types under test, as Node-RED loads them: from the build, with their catalogs.
export const catchNode = require('@node-red/nodes/core/common/25-catch.js');
export const decodeNode = require('../../nodes/senml-decode.js');
export const encodeNode = require('../../nodes/senml-encode.js');

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
  return [{ id: 'tab', type: 'tab', label: 'test' }, ...nodes.map((node) => ({ z: 'tab', ...node }))];
}

export const accountNode = require('../../nodes/xmpp-account.js');
export const publishNode = require('../../nodes/federation-publish.js');
export const subscribeNode = require('../../nodes/federation-subscribe.js');
export const discoverNode = require('../../nodes/federation-discover.js');
export const requestNode = require('../../nodes/federation-request.js');
export const provideNode = require('../../nodes/federation-provide.js');
export const replyNode = require('../../nodes/federation-reply.js');

/**
 * Hooks of a flow test on the real federation: the test bed for the whole file
 * (plus the file's own set-up and tear-down), a fresh Node-RED user directory
 * for each test, the flow unloaded after each. Read `bed` and `userDir` once the
 * hooks have run.
 */
export function federationFlows(extra: { before?: (bed: TestBed) => Promise<void>; after?: () => Promise<void> } = {}): { readonly bed: TestBed; readonly userDir: string } {
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

/**
 * Run the runtime in another language for a while, as on a machine whose LANG is
 * French or Dutch: Node-RED's i18next loads the node catalogues in that language.
 */
export async function inLanguage<T>(lang: string, run: () => Promise<T>): Promise<T> {
  const i18next = require('@node-red/util').i18n.i;
  await i18next.changeLanguage(lang);
  try {
    return await run();
  } finally {
    await i18next.changeLanguage('en-US');
  }
}
