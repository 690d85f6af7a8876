/**
 * The editor side of the SenFed nodes, as a user sees it: a real Node-RED with
 * the package installed and headless Chromium (see node-red-editor.ts). The
 * account's server is unreachable here; find-button.test.ts drives the editor
 * against the real federation.
 */
import { strict as assert } from 'assert';
import type { Page } from 'playwright-core';
import { NodeRedEditor, assertBuilt, freePort, withEditor } from './node-red-editor';

const TAB = 'a1f0c0de5e4f0001';
const INJECT = 'a1f0c0de5e4f0002';
const ENCODE = 'a1f0c0de5e4f0003';
const DECODE = 'a1f0c0de5e4f0004';
const DEBUG = 'a1f0c0de5e4f0005';
const ACCOUNT = 'a1f0c0de5e4f0006';
const PUBLISH = 'a1f0c0de5e4f0007';
const SUBSCRIBE = 'a1f0c0de5e4f0008';
const PROVIDE = 'a1f0c0de5e4f0009';

const FLOW = [
  { id: TAB, type: 'tab', label: 'Editor test', disabled: false, info: '' },
  {
    id: INJECT,
    type: 'inject',
    z: TAB,
    name: '',
    props: [{ p: 'payload' }],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: '{"temperature":18.2}',
    payloadType: 'json',
    x: 120,
    y: 100,
    wires: [[ENCODE]],
  },
  {
    id: ENCODE,
    type: 'senml-encode',
    z: TAB,
    name: '',
    format: 'cbor',
    compact: true,
    strict: true,
    baseName: 'urn:dev:mac:0024befffe804ff1:',
    units: [{ key: 'temperature', unit: 'Cel' }],
    x: 320,
    y: 100,
    wires: [[DECODE]],
  },
  {
    id: DECODE,
    type: 'senml-decode',
    z: TAB,
    name: 'buoy decode',
    format: 'auto',
    convertUnits: false,
    strict: true,
    x: 520,
    y: 100,
    wires: [[DEBUG]],
  },
  {
    id: DEBUG,
    type: 'debug',
    z: TAB,
    name: '',
    active: true,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete: 'payload',
    targetType: 'msg',
    x: 710,
    y: 100,
    wires: [],
  },
  // The account's port is replaced by one where nothing listens: the nodes then show a refused connection.
  {
    id: ACCOUNT,
    type: 'xmpp-account',
    name: '',
    jid: 'admin@sen1.test',
    host: '127.0.0.1',
    port: '5222',
    caFile: '',
    resource: '',
  },
  {
    id: PUBLISH,
    type: 'federation-publish',
    z: TAB,
    name: '',
    account: ACCOUNT,
    mode: 'pubsub',
    service: 'pubsub.sen1.test',
    node: 'buoy',
    createNode: true,
    to: '',
    queueSize: '1000',
    x: 720,
    y: 180,
    wires: [],
  },
  {
    id: SUBSCRIBE,
    type: 'federation-subscribe',
    z: TAB,
    name: 'from sen1',
    account: ACCOUNT,
    service: 'pubsub.sen1.test',
    node: 'buoy',
    quoalise: true,
    x: 130,
    y: 260,
    wires: [],
  },
  {
    id: PROVIDE,
    type: 'federation-provide',
    z: TAB,
    name: '',
    account: ACCOUNT,
    handleSubscriptions: true,
    timeout: '30',
    x: 130,
    y: 340,
    wires: [[]],
  },
];

describe('SenFed nodes in the Node-RED editor (headless Chromium)', function () {
  this.timeout(60_000);

  let editor: NodeRedEditor;
  let page: Page;
  let url = '';

  /** The help text shown in the help sidebar. */
  function helpPanel() {
    return page.locator('.red-ui-sidebar-help-stack .red-ui-help').first();
  }

  /** Palette labels of a category, as read (long labels wrap over two lines). */
  async function paletteLabels(category: string): Promise<string[]> {
    const texts = await page
      .locator(`#red-ui-palette-container-${category} .red-ui-palette-node .red-ui-palette-label`)
      .allInnerTexts();
    return texts.map((text) => text.replace(/\s+/g, ' ').trim()).sort();
  }

  withEditor(
    async () => {
      assertBuilt([
        'dist/nodes/senml-encode.js',
        'dist/nodes/senml-encode.html',
        'dist/nodes/icons/senml.svg',
        'dist/nodes/locales/fr/senml-encode.json',
        'dist/nodes/federation-publish.html',
        'dist/nodes/xmpp-account.html',
        'dist/nodes/icons/federation.svg',
      ]);
      const closedPort = await freePort();
      return NodeRedEditor.start({
        flow: FLOW.map((n) => (n.id === ACCOUNT ? { ...n, port: String(closedPort) } : n)),
        drawn: ENCODE,
      });
    },
    (started) => {
      editor = started;
      page = started.page;
      url = started.url;
    },
  );

  it('loads the senml nodes without error', async function () {
    const response = await page.request.get(`${url}nodes`, {
      headers: { Accept: 'application/json' },
    });
    const sets = (await response.json()) as {
      id: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }[];
    for (const type of ['senml-decode', 'senml-encode']) {
      const set = sets.find((s) => s.types.includes(type));
      assert.ok(set, `${type} is not registered`);
      assert.equal(set.err, undefined, `${type} failed to load: ${set.err}`);
      assert.equal(set.enabled, true);
    }
    assert.doesNotMatch(editor.log, /\[error\]|\[warn\] \[senml/, 'Node-RED logged an error');
  });

  it('loads the federation nodes without error', async function () {
    const response = await page.request.get(`${url}nodes`, {
      headers: { Accept: 'application/json' },
    });
    const sets = (await response.json()) as {
      id: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }[];
    for (const type of ['xmpp-account', 'federation-publish', 'federation-subscribe']) {
      const set = sets.find((s) => s.types.includes(type));
      assert.ok(set, `${type} is not registered`);
      assert.equal(set.err, undefined, `${type} failed to load: ${set.err}`);
      assert.equal(set.enabled, true);
    }
    assert.doesNotMatch(editor.log, /\[error\]/, 'Node-RED logged an error');
  });

  it('shows a SenFed palette category with its nodes', async function () {
    const category = page.locator('#red-ui-palette-container-SenFed');
    await category.waitFor({ state: 'visible' });
    assert.equal(
      (await category.locator('.red-ui-palette-header span').first().innerText()).trim(),
      'SenFed',
    );
    assert.deepEqual(await paletteLabels('SenFed'), [
      'STA in',
      'STA out',
      'consent filter',
      'consent manage',
      'federation discover',
      'federation provide',
      'federation publish',
      'federation reply',
      'federation request',
      'federation subscribe',
      'lora decode',
      'lora gateway',
      'lora uplink',
      'senml decode',
      'senml encode',
      'serial sensor',
    ]);
    const icon = category.locator(
      '.red-ui-palette-node[data-palette-type="senml-encode"] .red-ui-palette-icon',
    );
    assert.match((await icon.getAttribute('style')) ?? '', /senml\.svg/);
  });

  it('labels the nodes on the canvas with their name or the default label', async function () {
    // SVG text: textContent, not innerText.
    const label = async (id: string) =>
      (
        await page
          .locator(`g.red-ui-flow-node-group[id="${id}"] text.red-ui-flow-node-label-text`)
          .allTextContents()
      )
        .join(' ')
        .trim();
    assert.equal(await label(ENCODE), 'senml encode');
    assert.equal(await label(DECODE), 'buoy decode');
    assert.equal(await label(PUBLISH), 'buoy', 'an unnamed publish node shows its PubSub node');
    assert.equal(await label(SUBSCRIBE), 'from sen1');
  });

  it('opens the senml encode dialog with its format and units list, and saves edits', async function () {
    await (await editor.canvasNode(ENCODE)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });

    const format = form.locator('#node-input-format');
    assert.equal(await format.inputValue(), 'cbor');
    assert.deepEqual(
      await format
        .locator('option')
        .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value)),
      ['json', 'cbor', 'xml'],
    );
    assert.match(await format.locator('option[value="json"]').innerText(), /^JSON text/);
    assert.equal(
      (await form.locator('label[for="node-input-format"]').innerText()).trim(),
      'Format',
    );
    assert.equal(await form.locator('#node-input-compact').isChecked(), true);
    assert.equal(await form.locator('#node-input-strict').isChecked(), true);
    assert.equal(
      await form.locator('#node-input-baseName').inputValue(),
      'urn:dev:mac:0024befffe804ff1:',
    );
    // An example that looks like a value must not sit in the field as if it were applied: it is told beside it.
    assert.equal(await form.locator('#node-input-baseName').getAttribute('placeholder'), null);
    assert.match(
      await form.locator('#node-senml-encode-basename-tip').innerText(),
      /^For example urn:dev:mac:0024befffe804ff1: \(RFC 9039\)/,
    );

    const list = form.locator('#node-input-units-container');
    await list.waitFor({ state: 'visible' });
    const rows = list.locator('li');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.nth(0).locator('.node-input-units-key').inputValue(), 'temperature');
    assert.equal(await rows.nth(0).locator('.node-input-units-unit').inputValue(), 'Cel');
    assert.equal(
      await rows.nth(0).locator('.node-input-units-unit').getAttribute('list'),
      'node-senml-encode-unit-list',
    );
    assert.ok(
      (await form.locator('#node-senml-encode-unit-list option[value="%RH"]').count()) === 1,
      'the unit datalist offers %RH',
    );
    const tip = await form.locator('.node-senml-encode-units-tip').innerText();
    assert.match(tip, /not a percentage/);
    assert.doesNotMatch(tip, /<code>/, 'the tip is rendered as HTML');

    // Add a row the way a user does, and pick another format.
    await page.locator('.red-ui-editableList-addButton').click();
    assert.equal(await rows.count(), 2);
    await rows.nth(1).locator('.node-input-units-key').fill('humidity');
    await rows.nth(1).locator('.node-input-units-unit').fill('/');
    await format.selectOption('json');
    await editor.screenshot('senml-encode-dialog');
    await page.locator('#node-dialog-ok').click();
    await form.waitFor({ state: 'detached' });

    const saved = await page.evaluate((id) => {
      const node = (
        globalThis as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }
      ).RED.nodes.node(id);
      return { format: node.format, units: node.units, compact: node.compact, strict: node.strict };
    }, ENCODE);
    assert.deepEqual(saved, {
      format: 'json',
      units: [
        { key: 'temperature', unit: 'Cel' },
        { key: 'humidity', unit: '/' },
      ],
      compact: true,
      strict: true,
    });
  });

  it('opens the senml decode dialog with its options', async function () {
    await (await editor.canvasNode(DECODE)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    assert.equal(await form.locator('#node-input-name').inputValue(), 'buoy decode');
    assert.equal(await form.locator('#node-input-format').inputValue(), 'auto');
    assert.deepEqual(
      await form
        .locator('#node-input-format option')
        .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value)),
      ['auto', 'json', 'cbor', 'xml'],
    );
    assert.equal(await form.locator('#node-input-convertUnits').isChecked(), false);
    assert.equal(await form.locator('#node-input-strict').isChecked(), true);
    const tip = form.locator('#node-senml-decode-lenient-tip');
    assert.equal(await tip.isVisible(), false);
    await form.locator('#node-input-strict').uncheck();
    await tip.waitFor({ state: 'visible' });
    const tipText = await tip.innerText();
    assert.match(tipText, /msg\.senmlSkipped/);
    assert.doesNotMatch(tipText, /<code>/, 'the tip is rendered as HTML');
    await editor.screenshot('senml-decode-dialog');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });
  });

  it('shows the help with Inputs, Outputs and Details in the help sidebar', async function () {
    await page.locator('#red-ui-tab-help-link-button').click();
    await (await editor.canvasNode(ENCODE)).click();
    const help = helpPanel();
    await help.locator('h3', { hasText: 'Inputs' }).waitFor({ state: 'visible' });
    const headings = (await help.locator('h3').allInnerTexts()).map((text) => text.trim());
    assert.deepEqual(
      headings.filter((h) => ['Inputs', 'Outputs', 'Details'].includes(h)),
      ['Inputs', 'Outputs', 'Details'],
    );
    const properties = (await help.locator('dl.message-properties dt').allInnerTexts()).map(
      (text) => text.trim(),
    );
    assert.ok(
      properties.some((p) => p.startsWith('payload')),
      'the help lists msg.payload',
    );
    assert.ok(
      properties.some((p) => p.startsWith('contentType')),
      'the help lists msg.contentType',
    );
    assert.match(await help.innerText(), /not a percentage/);
  });

  it('shows federation publish and federation subscribe in SenFed with their icon, and no config node in the palette', async function () {
    const category = page.locator('#red-ui-palette-container-SenFed');
    await category.waitFor({ state: 'visible' });
    const labels = await paletteLabels('SenFed');
    assert.ok(
      labels.includes('federation publish') && labels.includes('federation subscribe'),
      labels.join(', '),
    );
    for (const type of ['federation-publish', 'federation-subscribe']) {
      const icon = category.locator(
        `.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-icon`,
      );
      assert.match((await icon.getAttribute('style')) ?? '', /federation\.svg/, `${type} icon`);
    }
    assert.equal(
      await page.locator('.red-ui-palette-node[data-palette-type="xmpp-account"]').count(),
      0,
    );
  });

  it('shows federation discover, request, provide and reply in SenFed, and a find button in the subscribe dialog', async function () {
    const category = page.locator('#red-ui-palette-container-SenFed');
    await category.waitFor({ state: 'visible' });
    const labels = await paletteLabels('SenFed');
    for (const label of [
      'federation discover',
      'federation request',
      'federation provide',
      'federation reply',
    ])
      assert.ok(labels.includes(label), labels.join(', '));
    for (const type of [
      'federation-discover',
      'federation-request',
      'federation-provide',
      'federation-reply',
    ]) {
      const icon = category.locator(
        `.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-icon`,
      );
      assert.match((await icon.getAttribute('style')) ?? '', /federation\.svg/, `${type} icon`);
    }

    // The dialogs' shared find script, from the package's resources/ folder (a scoped module name, unescaped).
    const script = await page.request.get(`${url}resources/@senfed/node-red/find.js`);
    assert.equal(script.status(), 200);
    assert.match(script.headers()['content-type'] ?? '', /javascript/);
    assert.equal(
      await page.evaluate(
        () =>
          typeof (globalThis as unknown as { SenFedFind?: { attach?: unknown } }).SenFedFind
            ?.attach,
      ),
      'function',
    );

    await (await editor.canvasNode(SUBSCRIBE)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    const find = form.locator('#node-federation-subscribe-find');
    await find.waitFor({ state: 'visible' });
    assert.match((await find.getAttribute('title')) ?? '', /^Find the nodes/);
    assert.equal(await form.locator('#node-federation-subscribe-found').isVisible(), false);
    await editor.screenshot('federation-subscribe-dialog-find');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });
  });

  it('says in the provide dialog and help who may subscribe: everyone when ticked, whoever the flow accepts when unticked', async function () {
    await (await editor.canvasNode(PROVIDE)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    const option = form.locator('#node-input-handleSubscriptions');
    const everyone = form.locator('#node-federation-provide-everyone');
    const consent = form.locator('#node-federation-provide-consent');
    assert.equal(await option.isChecked(), true);
    assert.match(
      (await form.locator('label[for="node-input-handleSubscriptions"]').last().innerText()).trim(),
      /^Accept every requester/,
    );
    // The checkbox and its text on one line, as Node-RED's own dialogs have them.
    const box = (await option.boundingBox())!;
    const beside = (await form
      .locator('label[for="node-input-handleSubscriptions"]')
      .last()
      .boundingBox())!;
    assert.ok(
      Math.abs(beside.y + beside.height / 2 - (box.y + box.height / 2)) < box.height,
      `checkbox at y ${box.y}, its text at y ${beside.y}`,
    );
    assert.match(await everyone.innerText(), /Anyone on any federated domain can subscribe/);
    assert.equal(await consent.isVisible(), false);
    await option.uncheck();
    await consent.waitFor({ state: 'visible' });
    assert.match(await consent.innerText(), /The flow decides who may subscribe/);
    assert.equal(await everyone.isVisible(), false);
    await editor.screenshot('federation-provide-dialog-consent');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });

    await page.locator('#red-ui-tab-help-link-button').click();
    await (await editor.canvasNode(PROVIDE)).click();
    const help = helpPanel();
    await help.locator('h3', { hasText: 'Details' }).waitFor({ state: 'visible' });
    const text = (await help.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /accepts every requester, from any federated domain/);
    assert.match(
      text,
      /Subscriptions: the flow decides\. With the option unticked \(the default\), the flow chooses who may subscribe/,
    );
    assert.match(text, /a switch node on msg\.from/);
    assert.match(text, /get_history always comes out to the flow/);
  });

  it('a provide node dragged from the palette starts with "accept every requester" off: the flow decides', async function () {
    const before = await page.evaluate(() =>
      (
        window as unknown as { RED: { nodes: { filterNodes(f: object): { id: string }[] } } }
      ).RED.nodes
        .filterNodes({ type: 'federation-provide' })
        .map((n) => n.id),
    );
    await page
      .locator('.red-ui-palette-node[data-palette-type="federation-provide"]')
      .dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 420, y: 460 } });
    const added = await page.waitForFunction(
      (known) =>
        (
          window as unknown as { RED: { nodes: { filterNodes(f: object): { id: string }[] } } }
        ).RED.nodes
          .filterNodes({ type: 'federation-provide' })
          .map((n) => n.id)
          .find((id) => !known.includes(id)),
      before,
    );
    const id = (await added.jsonValue()) as string;
    await (await editor.canvasNode(id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    assert.equal(await form.locator('#node-input-handleSubscriptions').isChecked(), false);
    await form.locator('#node-federation-provide-consent').waitFor({ state: 'visible' });
    assert.equal(await form.locator('#node-federation-provide-everyone').isVisible(), false);
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });
    await page.evaluate(() =>
      (window as unknown as { RED: { history: { pop(): void } } }).RED.history.pop(),
    );
  });

  it("shows the account's connection state on every node that uses it", async function () {
    // The account has no password yet: the shared session says so, on both nodes.
    for (const id of [PUBLISH, SUBSCRIBE]) {
      await page.waitForFunction(
        (nodeId) =>
          /no password/.test(
            document.querySelector(
              `g.red-ui-flow-node-group[id="${nodeId}"] .red-ui-flow-node-status-label`,
            )?.textContent ?? '',
          ),
        id,
        { timeout: 20_000 },
      );
      assert.equal(await editor.statusText(id), 'no password: set it in the account node');
    }
  });

  it('opens the federation publish dialog, and switching the mode shows service and node or the recipient', async function () {
    await (await editor.canvasNode(PUBLISH)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });

    // The account is a config node picker, on the flow's account, labelled by its JID.
    const account = form.locator('select#node-input-account');
    assert.equal(await account.inputValue(), ACCOUNT);
    // No name: the JID and the server, so that two accounts of one JID can be told apart.
    assert.match(
      (await account.locator('option:checked').innerText()).trim(),
      /^admin@sen1\.test \(127\.0\.0\.1:\d+\)$/,
    );
    const mode = form.locator('#node-input-mode');
    assert.equal(await mode.inputValue(), 'pubsub');
    assert.deepEqual(
      await mode
        .locator('option')
        .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value)),
      ['pubsub', 'direct'],
    );
    assert.equal(await form.locator('#node-input-service').inputValue(), 'pubsub.sen1.test');
    assert.equal(await form.locator('#node-input-node').inputValue(), 'buoy');
    assert.equal(await form.locator('#node-input-createNode').isChecked(), true);
    assert.equal(await form.locator('#node-input-queueSize').inputValue(), '1000');
    assert.equal(
      await form.locator('#node-input-node').getAttribute('placeholder'),
      'empty: msg.topic',
    );

    const pubsubFields = ['#node-input-service', '#node-input-node', '#node-input-createNode'];
    const visible = async (selectors: string[]) =>
      Promise.all(selectors.map((selector) => form.locator(selector).isVisible()));
    assert.deepEqual(await visible(pubsubFields), [true, true, true]);
    assert.equal(await form.locator('#node-input-to').isVisible(), false);

    await mode.selectOption('direct');
    await form.locator('#node-input-to').waitFor({ state: 'visible' });
    assert.deepEqual(await visible(pubsubFields), [false, false, false]);
    assert.equal(await form.locator('#node-input-to').getAttribute('placeholder'), 'empty: msg.to');
    await editor.screenshot('federation-publish-dialog-direct');

    await mode.selectOption('pubsub');
    await form.locator('#node-input-service').waitFor({ state: 'visible' });
    assert.equal(await form.locator('#node-input-to').isVisible(), false);

    // A PubSub service is required in PubSub mode only; the queue bound must be a positive whole number.
    const service = form.locator('#node-input-service');
    await editor.setValue(service, '');
    await page.waitForFunction(() =>
      document.querySelector('#node-input-service')?.classList.contains('input-error'),
    );
    await mode.selectOption('direct');
    await page.waitForFunction(
      () => !document.querySelector('#node-input-service')?.classList.contains('input-error'),
    );
    await mode.selectOption('pubsub');
    await editor.setValue(service, 'pubsub.sen1.test');
    const queueSize = form.locator('#node-input-queueSize');
    await editor.setValue(queueSize, '0');
    await page.waitForFunction(() =>
      document.querySelector('#node-input-queueSize')?.classList.contains('input-error'),
    );
    await editor.setValue(queueSize, '250');
    await page.waitForFunction(
      () => !document.querySelector('#node-input-queueSize')?.classList.contains('input-error'),
    );
    await editor.screenshot('federation-publish-dialog');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });
  });

  it('edits the xmpp account from the publish dialog, with a password field and the security note', async function () {
    await (await editor.canvasNode(PUBLISH)).dblclick();
    await page.locator('#node-input-account').waitFor({ state: 'visible' });
    await page.locator('#node-input-btn-account-edit').click();
    const jid = page.locator('#node-config-input-jid');
    await jid.waitFor({ state: 'visible' });
    assert.equal(await jid.inputValue(), 'admin@sen1.test');
    assert.equal(await page.locator('#node-config-input-host').inputValue(), '127.0.0.1');
    assert.equal(
      await page.locator('#node-config-input-password').getAttribute('type'),
      'password',
    );
    assert.equal(
      (await page.locator('label[for="node-config-input-password"]').innerText()).trim(),
      'Password',
    );
    assert.equal(
      (await page.locator('label[for="node-config-input-caFile"]').innerText()).trim(),
      'CA file',
    );
    const tip = await page.locator('#node-xmpp-account-security-tip').innerText();
    assert.match(tip, /TLS certificate checks are always on/);
    assert.match(tip, /not exported with flows/);

    // A JID is user@domain; a port is a number.
    await editor.setValue(jid, 'not a jid');
    await page.waitForFunction(() =>
      document.querySelector('#node-config-input-jid')?.classList.contains('input-error'),
    );
    await editor.setValue(jid, 'admin@sen1.test');
    await page.waitForFunction(
      () => !document.querySelector('#node-config-input-jid')?.classList.contains('input-error'),
    );
    const port = page.locator('#node-config-input-port');
    await editor.setValue(port, 'xmpp');
    await page.waitForFunction(() =>
      document.querySelector('#node-config-input-port')?.classList.contains('input-error'),
    );
    await editor.setValue(port, '');
    await page.waitForFunction(
      () => !document.querySelector('#node-config-input-port')?.classList.contains('input-error'),
    );
    await editor.screenshot('xmpp-account-dialog');

    // Cancel the account dialog, then the publish dialog under it.
    await page.locator('#node-config-dialog-cancel').click();
    await jid.waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#dialog-form').waitFor({ state: 'detached' });
  });

  it('shows the federation publish help with Inputs, Outputs and Details', async function () {
    await page.locator('#red-ui-tab-help-link-button').click();
    await (await editor.canvasNode(PUBLISH)).click();
    const help = helpPanel();
    await help.locator('h3', { hasText: 'Inputs' }).waitFor({ state: 'visible' });
    const headings = (await help.locator('h3').allInnerTexts()).map((text) => text.trim());
    assert.deepEqual(
      headings.filter((h) => ['Inputs', 'Outputs', 'Details'].includes(h)),
      ['Inputs', 'Outputs', 'Details'],
    );
    const properties = (await help.locator('dl.message-properties dt').allInnerTexts()).map(
      (text) => text.trim().split(/\s/)[0],
    );
    for (const property of ['payload', 'topic', 'to', 'meta'])
      assert.ok(properties.includes(property), `the help lists msg.${property}`);
    const text = await help.innerText();
    assert.match(text, /senfed\/queues/);
    assert.match(text, /urn:quoalise:0/);
  });

  it('speaks French once the editor language is switched to Français', async function () {
    // User settings > View > Language, as a user switches it; the editor then reloads.
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-user-settings').click();
    const language = page.locator('#user-settings-editor-language');
    await language.waitFor({ state: 'visible' });
    await language.selectOption('fr');
    await page.locator('#node-dialog-ok').click();
    await language.waitFor({ state: 'detached' });
    await editor.open();

    const category = page.locator('#red-ui-palette-container-SenFed');
    await category.waitFor({ state: 'visible' });
    assert.deepEqual(await paletteLabels('SenFed'), [
      'capteur série',
      'demander (fédération)',
      'décoder LoRa',
      'décoder senml',
      'découvrir (fédération)',
      'encoder senml',
      'entrée STA',
      'filtre (RGPD)',
      'fournir (fédération)',
      'gestion (RGPD)',
      'passerelle LoRa',
      'publier (fédération)',
      'remontée LoRa',
      'répondre (fédération)',
      "s'abonner (fédération)",
      'sortie STA',
    ]);

    await page.locator('#red-ui-tab-help-link-button').click();
    await (await editor.canvasNode(ENCODE)).click();
    const help = helpPanel();
    await help.locator('h3', { hasText: 'Entrées' }).waitFor({ state: 'visible' });
    assert.match(await help.innerText(), /pas un pourcentage/);

    await (await editor.canvasNode(ENCODE)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    assert.equal(
      (await form.locator('label[for="node-input-baseName"]').innerText()).trim(),
      'Nom de base',
    );
    await editor.screenshot('senml-encode-dialog-fr');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });

    await (await editor.canvasNode(PUBLISH)).dblclick();
    await form.waitFor({ state: 'visible' });
    assert.equal(
      (await form.locator('label[for="node-input-mode"]').innerText()).trim(),
      'Envoyer à',
    );
    assert.match(
      await form.locator('#node-input-mode option[value="direct"]').innerText(),
      /message Quoalise/,
    );
    await editor.screenshot('federation-publish-dialog-fr');
    await page.locator('#node-dialog-cancel').click();
    await form.waitFor({ state: 'detached' });

    // The shared find script speaks the node's language too. The account has no password: it cannot connect.
    await (await editor.canvasNode(SUBSCRIBE)).dblclick();
    await form.waitFor({ state: 'visible' });
    const find = form.locator('#node-federation-subscribe-find');
    assert.match((await find.getAttribute('title')) ?? '', /^Trouver les nœuds du service/);
    await find.click();
    const notification = page.locator('.red-ui-notification-error', {
      hasText: 'trouver des nœuds',
    });
    await notification.waitFor({ state: 'visible' });
    assert.match(
      (await notification.innerText()).trim(),
      /^Le compte doit être déployé et connecté pour trouver des nœuds : ce compte n'est pas connecté \(.+\)$/,
    );
    await page.locator('#node-dialog-cancel').click();
  });

  it('raised no script error in the page', function () {
    assert.deepEqual(editor.pageErrors, []);
  });
});
