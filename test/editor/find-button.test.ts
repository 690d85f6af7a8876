/**
 * The "find" buttons of the federation subscribe and federation request dialogs,
 * as a user clicks them: headless Chromium on a real Node-RED (node-red-editor.ts)
 * whose accounts log in to the real two-domain test bed
 * (scripts/federation/federation.sh). A PubSub node with one item waits on
 * pubsub.sen1.test, a provide node answers at provider@sen1.test/node-red, and
 * bob@sen2.test looks at them across the federation from the dialogs. A third
 * account's server cannot be reached.
 *
 * Fails, never skips, without Chromium or Prosody.
 */
import { strict as assert } from 'assert';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Locator, Page } from 'playwright-core';
import { DurableQueue } from '../../lib/store/durable-queue';
import { type Publication, type PublishedEvent, Publisher } from '../../lib/federation/publisher';
import { XmppSession } from '../../lib/federation/session';
import { type TestBed, account, startTestBed, stopTestBed, waitFor } from '../support/federation';
import { NodeRedEditor, assertBuilt, freePort } from './node-red-editor';

const TAB = 'f1d0c0de5e4f0001';
const BOB = 'f1d0c0de5e4f0002';
const PROVIDER = 'f1d0c0de5e4f0003';
const DOWN = 'f1d0c0de5e4f0004';
const SUBSCRIBE = 'f1d0c0de5e4f0005';
const REQUEST = 'f1d0c0de5e4f0006';
const PROVIDE = 'f1d0c0de5e4f0007';
const DOWN_REQUEST = 'f1d0c0de5e4f0008';

const SERVICE = 'pubsub.sen1.test';
const PUBSUB_NODE = 'harbour-buoy';
const PROVIDER_JID = 'provider@sen1.test/node-red';

/** Create the PubSub node as a federation publish node does (whitelisted, persistent), with one reading. */
async function publishOneReading(bed: TestBed): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'senfed-find-'));
  const admin = new XmppSession(account(bed, 'admin@sen1.test'));
  try {
    admin.start();
    await admin.waitOnline();
    const publisher = new Publisher(
      admin,
      await DurableQueue.open<Publication>(join(dir, 'queue'), { maxEntries: 10 }),
    );
    try {
      const published = waitFor<PublishedEvent>('the first reading published', 15_000, (done) =>
        publisher.once('published', done),
      );
      await publisher.publish(
        [{ n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.2, t: 1_700_000_000 }],
        { mode: 'pubsub', service: SERVICE, node: PUBSUB_NODE, createNode: true },
      );
      await published;
    } finally {
      await publisher.close();
    }
  } finally {
    await admin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function flow(bed: TestBed, closedPort: number): object[] {
  const accountNode = (id: string, jid: string, resource: string, port?: number): object => {
    const { host, port: c2sPort, caFile } = account(bed, jid);
    return {
      id,
      type: 'xmpp-account',
      name: '',
      jid,
      host,
      port: String(port ?? c2sPort),
      caFile,
      resource,
    };
  };
  return [
    { id: TAB, type: 'tab', label: 'Find buttons', disabled: false, info: '' },
    accountNode(BOB, 'bob@sen2.test', ''),
    accountNode(PROVIDER, 'provider@sen1.test', 'node-red'),
    accountNode(DOWN, 'alice@sen1.test', '', closedPort),
    // Quoalise messages only: no service and node yet, the user finds them.
    {
      id: SUBSCRIBE,
      type: 'federation-subscribe',
      z: TAB,
      name: '',
      account: BOB,
      service: '',
      node: '',
      quoalise: true,
      x: 150,
      y: 80,
      wires: [[]],
    },
    {
      id: REQUEST,
      type: 'federation-request',
      z: TAB,
      name: '',
      account: BOB,
      to: '',
      command: 'get_history',
      identifier: '',
      timeout: '60',
      x: 150,
      y: 160,
      wires: [[]],
    },
    {
      id: PROVIDE,
      type: 'federation-provide',
      z: TAB,
      name: '',
      account: PROVIDER,
      handleSubscriptions: true,
      x: 150,
      y: 240,
      wires: [[]],
    },
    {
      id: DOWN_REQUEST,
      type: 'federation-request',
      z: TAB,
      name: 'unreachable',
      account: DOWN,
      to: '',
      command: 'get_history',
      identifier: '',
      timeout: '60',
      x: 150,
      y: 320,
      wires: [[]],
    },
  ];
}

describe('the find buttons of the subscribe and request dialogs, against the real federation (headless Chromium)', function () {
  this.timeout(60_000);

  let bed: TestBed | undefined;
  let editor: NodeRedEditor | undefined;
  let page: Page;

  before(async function () {
    this.timeout(240_000);
    assertBuilt([
      'dist/nodes/federation-subscribe.html',
      'dist/nodes/federation-request.html',
      'dist/nodes/locales/en-US/federation-request.json',
      'resources/find.js',
    ]);
    bed = await startTestBed();
    await publishOneReading(bed);
    const users = bed.users;
    editor = await NodeRedEditor.start({
      flow: flow(bed, await freePort()),
      credentials: {
        [BOB]: { password: users['bob@sen2.test'].password },
        [PROVIDER]: { password: users['provider@sen1.test'].password },
        [DOWN]: { password: users['alice@sen1.test'].password },
      },
      drawn: SUBSCRIBE,
    });
    page = editor.page;
    // What a user waits for before clicking: both accounts connected, on the canvas.
    for (const id of [SUBSCRIBE, PROVIDE]) {
      await page.waitForFunction(
        (nodeId) =>
          document
            .querySelector(
              `g.red-ui-flow-node-group[id="${nodeId}"] .red-ui-flow-node-status-label`,
            )
            ?.textContent?.trim() === 'connected',
        id,
        { timeout: 30_000 },
      );
    }
  });

  after(async function () {
    this.timeout(60_000);
    try {
      await editor?.stop();
    } finally {
      await stopTestBed();
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await editor
        ?.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`)
        .catch(() => undefined);
    // Leave no dialog open for the next test.
    if (await page.locator('#dialog-form').isVisible()) {
      await page.locator('#node-dialog-cancel').click();
      await page.locator('#dialog-form').waitFor({ state: 'detached' });
    }
  });

  async function openDialog(id: string): Promise<Locator> {
    await (await editor!.canvasNode(id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    return form;
  }

  /** The answers listed under the field, once the question is answered ("Asking …" gone). */
  async function answers(form: Locator, type: string): Promise<string[]> {
    const found = form.locator(`#node-${type}-found`);
    await found.waitFor({ state: 'visible' });
    await found
      .locator('li', { hasText: /^Asking / })
      .waitFor({ state: 'detached', timeout: 30_000 });
    return (await found.locator('li').allInnerTexts()).map((text) => text.trim());
  }

  it('lists the PubSub nodes of another domain, and picking one fills the service and the node', async function () {
    const form = await openDialog(SUBSCRIBE);
    const service = form.locator('#node-input-service');
    const node = form.locator('#node-input-node');
    assert.equal(await node.inputValue(), '');

    // A domain: every PubSub service of sen1.test is asked.
    await editor!.setValue(service, 'sen1.test');
    await form.locator('#node-federation-subscribe-find').click();
    assert.ok(
      (await answers(form, 'federation-subscribe')).includes(`${PUBSUB_NODE} - ${SERVICE}`),
    );
    await editor!.screenshot('find-subscribe-domain');
    await form.locator('a.node-federation-subscribe-found-item', { hasText: PUBSUB_NODE }).click();
    await form.locator('#node-federation-subscribe-found').waitFor({ state: 'hidden' });
    assert.equal(await node.inputValue(), PUBSUB_NODE);
    assert.equal(
      await service.inputValue(),
      SERVICE,
      'the domain is replaced by the service that holds the node',
    );
    assert.equal(await service.evaluate((el) => el.classList.contains('input-error')), false);

    // The service itself: its nodes.
    await editor!.setValue(node, '');
    await form.locator('#node-federation-subscribe-find').click();
    assert.deepEqual(await answers(form, 'federation-subscribe'), [`${PUBSUB_NODE} - ${SERVICE}`]);
    await form.locator('a.node-federation-subscribe-found-item').click();
    assert.equal(await node.inputValue(), PUBSUB_NODE);

    // Saved with the node, as the user picked it.
    await page.locator('#node-dialog-ok').click();
    await form.waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const n = (
        globalThis as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }
      ).RED.nodes.node(id);
      return { service: n.service, node: n.node };
    }, SUBSCRIBE);
    assert.deepEqual(saved, { service: SERVICE, node: PUBSUB_NODE });
  });

  it("lists the provider's three commands at its full JID, and picking one fills the provider and the command", async function () {
    const form = await openDialog(REQUEST);
    const to = form.locator('#node-input-to');
    const command = form.locator('#node-input-command');
    assert.equal(await command.inputValue(), 'get_history');

    await editor!.setValue(to, PROVIDER_JID);
    await form.locator('#node-federation-request-find').click();
    assert.deepEqual((await answers(form, 'federation-request')).sort(), [
      `get_history (Get history) - ${PROVIDER_JID}`,
      `subscribe (Subscribe) - ${PROVIDER_JID}`,
      `unsubscribe (Unsubscribe) - ${PROVIDER_JID}`,
    ]);
    await editor!.screenshot('find-request-commands');

    await editor!.setValue(to, '');
    await form.locator('a.node-federation-request-found-item', { hasText: /^subscribe / }).click();
    await form.locator('#node-federation-request-found').waitFor({ state: 'hidden' });
    assert.equal(await to.inputValue(), PROVIDER_JID);
    assert.equal(await command.inputValue(), 'subscribe');
  });

  it('says why when the account cannot connect, at once, and lists nothing', async function () {
    const form = await openDialog(DOWN_REQUEST);
    await editor!.setValue(form.locator('#node-input-to'), PROVIDER_JID);
    const clicked = Date.now();
    await form.locator('#node-federation-request-find').click();
    const notification = page.locator('.red-ui-notification-error', { hasText: 'find commands' });
    await notification.waitFor({ state: 'visible', timeout: 10_000 });
    const elapsed = Date.now() - clicked;
    const text = (await notification.innerText()).trim();
    assert.match(
      text,
      /^The account must be deployed and connected to find commands: this account is not connected \(.+\)$/,
    );
    assert.ok(elapsed < 5_000, `the answer took ${elapsed} ms`);
    await editor!.screenshot('find-request-unreachable');
    assert.equal(
      await form.locator('#node-federation-request-found').isVisible(),
      false,
      'no list is left saying "Asking …"',
    );
    assert.equal(await form.locator('a.node-federation-request-found-item').count(), 0);
  });

  it('raised no script error in the page', function () {
    assert.deepEqual(editor!.pageErrors, []);
  });
});
