/**
 * The consent dialogs in the Node-RED editor, in headless Chromium: the
 * purposes are a list of W3C DPV terms labelled in the editor's language (never
 * free text), and a federation node shows its purpose only once a consent store
 * is chosen. Then the same in French.
 */
import { strict as assert } from 'assert';
import type { Page } from 'playwright-core';
import { NodeRedEditor, assertBuilt, withEditor } from './node-red-editor';

const TAB = 'c0a5e0e0e0e00001';
const STORE = 'c0a5e0e0e0e00002';
const FILTER = 'c0a5e0e0e0e00003';
const PROVIDE = 'c0a5e0e0e0e00004';
const ACCOUNT = 'c0a5e0e0e0e00005';
const REQUEST = 'c0a5e0e0e0e00006';
const SUBSCRIBE = 'c0a5e0e0e0e00007';
const SP = 'https://w3id.org/dpv#ServiceProvision';
const RESEARCH = 'https://w3id.org/dpv#NonCommercialResearch';

const FLOW = [
  { id: TAB, type: 'tab', label: 'Consent editor test', disabled: false, info: '' },
  { id: STORE, type: 'consent-store', name: 'household' },
  {
    id: FILTER,
    type: 'consent-filter',
    z: TAB,
    name: '',
    store: STORE,
    recipient: 'advisor@sen2.test',
    purpose: RESEARCH,
    x: 200,
    y: 100,
    wires: [[], []],
  },
  {
    id: PROVIDE,
    type: 'federation-provide',
    z: TAB,
    name: '',
    account: ACCOUNT,
    handleSubscriptions: false,
    timeout: '30',
    consentStore: '',
    purpose: SP,
    x: 200,
    y: 200,
    wires: [[]],
  },
  {
    id: REQUEST,
    type: 'federation-request',
    z: TAB,
    name: '',
    account: ACCOUNT,
    to: 'household@sen1.test/node-red',
    command: 'get_history',
    identifier: 'urn:dev:mac:0024befffe804ff1',
    timeout: '60',
    verifyProofs: true,
    x: 200,
    y: 300,
    wires: [[]],
  },
  {
    id: SUBSCRIBE,
    type: 'federation-subscribe',
    z: TAB,
    name: '',
    account: ACCOUNT,
    service: 'pubsub.sen1.test',
    node: 'urn:dev:mac:0024befffe804ff1',
    askAccessOf: 'household@sen1.test/node-red',
    verifyProofs: true,
    quoalise: false,
    quoaliseFrom: '',
    x: 200,
    y: 400,
    wires: [[], []],
  },
  {
    id: ACCOUNT,
    type: 'xmpp-account',
    name: '',
    jid: 'household@sen1.test',
    host: '127.0.0.1',
    port: '1',
    caFile: '',
    resource: 'node-red',
  },
];

describe('consent dialogs in the Node-RED editor (headless Chromium)', function () {
  this.timeout(60_000);
  let editor: NodeRedEditor;
  let page: Page;

  withEditor(
    async () => {
      assertBuilt(['dist/nodes/consent-filter.html', 'dist/nodes/locales/fr/consent-filter.json']);
      return NodeRedEditor.start({ flow: FLOW, drawn: FILTER });
    },
    (started) => {
      editor = started;
      page = started.page;
    },
  );

  async function purposeOptions(): Promise<{ value: string; label: string }[]> {
    const select = page.locator('#node-input-purpose');
    // Filled from the runtime's list: wait for more than the placeholder.
    await page.waitForFunction(
      () => document.querySelectorAll('#node-input-purpose option').length > 3,
    );
    return select
      .locator('option')
      .evaluateAll((options) =>
        options.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })),
      );
  }

  it('the consent filter lists the DPV purposes by their labels, with the saved one chosen', async () => {
    await (await editor.canvasNode(FILTER)).dblclick();
    const options = await purposeOptions();
    assert.deepEqual(options[0], { value: '', label: 'from msg.purpose' });
    assert.ok(options.some((o) => o.value === SP && o.label === 'Service Provision'));
    assert.ok(options.every((o) => o.value === '' || o.value.startsWith('https://w3id.org/dpv#')));
    assert.equal(await page.locator('#node-input-purpose').inputValue(), RESEARCH);
    await page.locator('#node-dialog-cancel').click();
  });

  it('federation provide shows its purpose once a consent store is chosen', async () => {
    await (await editor.canvasNode(PROVIDE)).dblclick();
    const purposeRow = page.locator('.node-federation-provide-consent').first();
    await page.locator('#node-input-consentStore').waitFor({ state: 'attached' });
    assert.equal(await purposeRow.isVisible(), false, 'no store: no purpose to choose');
    await page.locator('#node-input-consentStore').selectOption(STORE);
    await purposeRow.waitFor({ state: 'visible' });
    await purposeOptions();
    assert.equal(await page.locator('#node-input-purpose').inputValue(), SP);
    await page.locator('#node-dialog-cancel').click();
  });

  it('federation request shows Verify audit proofs in its dialog, ticked as saved', async () => {
    await (await editor.canvasNode(REQUEST)).dblclick();
    const box = page.locator('#node-input-verifyProofs');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.isChecked(), true);
    assert.equal(
      (await page.locator('label[for="node-input-verifyProofs"]').innerText()).trim(),
      'Verify audit proofs',
    );
    await page.locator('#node-dialog-cancel').click();
  });

  it('federation subscribe shows Ask access of with the publisher saved, and checks it is a full JID', async () => {
    await (await editor.canvasNode(SUBSCRIBE)).dblclick();
    const field = page.locator('#node-input-askAccessOf');
    await field.waitFor({ state: 'visible' });
    assert.equal(await field.inputValue(), 'household@sen1.test/node-red');
    assert.equal(
      (await page.locator('label[for="node-input-askAccessOf"]').innerText()).trim(),
      'Ask access of',
    );
    // A bare JID cannot take an ad-hoc command: the field is marked invalid.
    await field.fill('household@sen1.test');
    await field.dispatchEvent('change');
    await page.locator('#node-input-askAccessOf.input-error').waitFor({ state: 'attached' });
    await page.locator('#node-dialog-cancel').click();
  });

  it('in French: the same purposes, labelled in French', async () => {
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-user-settings').click();
    const language = page.locator('#user-settings-editor-language');
    await language.waitFor({ state: 'visible' });
    await language.selectOption('fr');
    await page.locator('#node-dialog-ok').click();
    await language.waitFor({ state: 'detached' });
    await editor.open();
    await (await editor.canvasNode(FILTER)).dblclick();
    const options = await purposeOptions();
    assert.deepEqual(options[0], { value: '', label: 'depuis msg.purpose' });
    assert.ok(options.some((o) => o.value === SP && o.label === 'Fourniture du service'));
    assert.equal(
      (await page.locator('label[for="node-input-purpose"]').innerText()).trim(),
      'Finalité',
    );
    assert.deepEqual(editor.pageErrors, []);
  });
});
