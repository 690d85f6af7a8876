/**
 * The SensorThings dialogs in a real Node-RED editor (headless Chromium,
 * node-red-editor.ts), against the real FROST-Server of frost.sh: the server dialog's
 * "test connection" (open FROST, a wrong URL, FROST with Basic authentication), its
 * authentication fields and where their secrets go; the sensorthings in dialog's
 * Datastream picker; the sensorthings out dialog's location fields. Then the same in
 * French and in Dutch.
 */
import { strict as assert } from 'assert';
import type { Locator, Page } from 'playwright-core';
import { SensorThingsClient } from '../../lib/sensorthings/http';
import { type Frost, startAuthFrost, startFrost } from '../support/frost';
import { NodeRedEditor, assertBuilt } from './node-red-editor';

const TAB = '5e75a11ce0000001';
const SERVER = '5e75a11ce0000002';
const IN = '5e75a11ce0000003';
const OUT = '5e75a11ce0000004';
const RUN = `st-editor-${Date.now().toString(36)}-${process.pid}`;
const PASSWORD = 'editor-secret-pw-4417';

type Red = {
  RED: { nodes: { createCompleteNodeSet(o: object): object[] } };
};

describe('the SensorThings dialogs in the Node-RED editor (headless Chromium)', function () {
  this.timeout(120_000);
  let editor: NodeRedEditor;
  let page: Page;
  let frost: Frost;
  let authFrost: Frost & { users: Record<string, { password: string }> };
  let sta: SensorThingsClient;
  /** Datastream names created for this run, and their ids. */
  const streams: { name: string; id: number }[] = [];

  async function createDatastream(label: string): Promise<{ name: string; id: number }> {
    const name = `${RUN} ${label}`;
    const thing = await sta.post('Things', {
      name: `${RUN} buoy ${label}`,
      description: 'editor test',
      Datastreams: [
        {
          name,
          description: 'editor test',
          observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
          unitOfMeasurement: { name: 'degree Celsius', symbol: 'Cel', definition: 'ucum:Cel' },
          Sensor: {
            name: `${RUN} sensor`,
            description: 's',
            encodingType: 'text/plain',
            metadata: '-',
          },
          ObservedProperty: {
            name: 'temperature',
            definition: 'urn:temperature',
            description: 't',
          },
        },
      ],
    });
    const ds = (await sta.get(`${thing.location}/Datastreams`)).body as {
      value: { '@iot.id': number }[];
    };
    return { name, id: ds.value[0]['@iot.id'] };
  }

  before(async function () {
    this.timeout(900_000);
    assertBuilt([
      'dist/nodes/sensorthings-server.html',
      'dist/nodes/sensorthings-in.html',
      'dist/nodes/sensorthings-out.html',
      'dist/nodes/locales/fr/sensorthings-server.json',
    ]);
    frost = await startFrost();
    authFrost = await startAuthFrost();
    sta = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
    for (const label of ['A', 'B', 'C']) streams.push(await createDatastream(label));
    editor = await NodeRedEditor.start({
      flow: [
        { id: TAB, type: 'tab', label: 'SensorThings', disabled: false, info: '' },
        {
          id: SERVER,
          type: 'sensorthings-server',
          name: 'reef',
          url: frost.serviceRoot,
          auth: 'none',
          caFile: '',
          mqttUrl: '',
        },
        {
          id: IN,
          type: 'sensorthings-in',
          z: TAB,
          name: '',
          server: SERVER,
          // Valid from the start: a node left invalid makes deploy ask for confirmation.
          datastreams: String(streams[0].id),
          interval: '60',
          startFrom: 'now',
          x: 160,
          y: 80,
          wires: [[]],
        },
        {
          id: OUT,
          type: 'sensorthings-out',
          z: TAB,
          name: '',
          server: SERVER,
          locationMode: 'none',
          lon: '',
          lat: '',
          alt: '',
          baseName: '',
          batchSize: '500',
          window: '1',
          queueSize: '100000',
          x: 400,
          y: 80,
          wires: [],
        },
      ],
      drawn: IN,
    });
    page = editor.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await editor
        ?.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`)
        .catch(() => undefined);
    for (const cancel of ['#node-config-dialog-cancel', '#node-dialog-cancel']) {
      const button = page.locator(cancel);
      while (await button.first().isVisible()) {
        await button.first().click();
        await page.waitForTimeout(300);
      }
    }
  });

  after(async function () {
    this.timeout(30_000);
    sta?.close();
    await editor?.stop();
  });

  async function openDialog(id: string): Promise<Locator> {
    await (await editor.canvasNode(id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    return form;
  }

  /** The server's dialog, from the out node's dialog (its pencil button). */
  async function openServer(): Promise<Locator> {
    await openDialog(OUT);
    await page.locator('#node-input-btn-server-edit').click();
    const url = page.locator('#node-config-input-url');
    await url.waitFor({ state: 'visible' });
    return page.locator('.red-ui-tray').last();
  }

  /** Clicks "test connection" and waits for its answer. */
  async function testConnection(): Promise<string> {
    const result = page.locator('#node-sensorthings-server-result');
    await page.locator('#node-sensorthings-server-test').click();
    await page.waitForFunction(
      () =>
        !/…$/.test(
          document.querySelector('#node-sensorthings-server-result')?.textContent?.trim() ?? '…',
        ),
      undefined,
      { timeout: 20_000 },
    );
    return (await result.innerText()).trim();
  }

  async function deploy(): Promise<void> {
    const deployed = page.locator('.red-ui-notification', { hasText: 'Successfully deployed' });
    await deployed.waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#red-ui-header-button-deploy').click();
    await deployed.waitFor();
    const close = deployed.locator('button', { hasText: 'Close' });
    if (await close.isVisible()) await close.click();
  }

  async function switchLanguage(language: string): Promise<void> {
    await page.evaluate((lang) => localStorage.setItem('editor-language', lang), language);
    await editor.open();
  }

  describe('sensorthings server', function () {
    it('tests the connection: the version and extensions of FROST, or a clear error for a wrong URL', async function () {
      await openServer();
      assert.equal(
        await testConnection(),
        'the server answers: SensorThings v1.1, DataArray, $batch, MQTT',
      );
      await editor.setValue(
        page.locator('#node-config-input-url'),
        'http://127.0.0.1:1/FROST-Server/v1.1',
      );
      assert.match(
        await testConnection(),
        /^no answer: GET service root: the server at http:\/\/127\.0\.0\.1:1\/FROST-Server\/v1\.1\/? cannot be reached: ECONNREFUSED/,
      );
      await editor.setValue(
        page.locator('#node-config-input-url'),
        `http://127.0.0.1:${frost.httpPort}/nothing-here/v1.1`,
      );
      assert.match(await testConnection(), /^no answer: .*\(404\)/);
      await editor.screenshot('sensorthings-server-test');
    });

    it('shows the user name and password for basic, the token for bearer, nothing for none', async function () {
      await openServer();
      const auth = page.locator('#node-config-input-auth');
      const visible = async () => ({
        username: await page.locator('#node-config-input-username').isVisible(),
        password: await page.locator('#node-config-input-password').isVisible(),
        token: await page.locator('#node-config-input-token').isVisible(),
      });
      assert.deepEqual(await visible(), { username: false, password: false, token: false });
      await auth.selectOption('basic');
      assert.deepEqual(await visible(), { username: true, password: true, token: false });
      await auth.selectOption('bearer');
      assert.deepEqual(await visible(), { username: false, password: false, token: true });
      assert.equal(await page.locator('#node-config-input-token').getAttribute('type'), 'password');
      await auth.selectOption('none');
      assert.deepEqual(await visible(), { username: false, password: false, token: false });
    });

    it('tests basic credentials against FROST with authentication: the right password works, a wrong one says 401', async function () {
      await openServer();
      await editor.setValue(page.locator('#node-config-input-url'), authFrost.serviceRoot);
      await page.locator('#node-config-input-auth').selectOption('basic');
      await editor.setValue(page.locator('#node-config-input-username'), 'write');
      await editor.setValue(
        page.locator('#node-config-input-password'),
        authFrost.users.write.password,
      );
      assert.match(await testConnection(), /^the server answers: SensorThings v1\.1/);
      await editor.setValue(page.locator('#node-config-input-password'), PASSWORD);
      const refused = await testConnection();
      assert.equal(
        refused,
        'no answer: credentials refused (401) for GET service root: HTTP Status 401 – Unauthorized',
      );
      assert.ok(!refused.includes(PASSWORD));
      await page.locator('#node-config-input-auth').selectOption('none');
      assert.match(await testConnection(), /^no answer: credentials needed \(401\)/);
    });

    it('keeps the password out of the flow, as a credential that is set', async function () {
      await openServer();
      await page.locator('#node-config-input-auth').selectOption('basic');
      await editor.setValue(page.locator('#node-config-input-username'), 'reef');
      await editor.setValue(page.locator('#node-config-input-password'), PASSWORD);
      await page.locator('#node-config-dialog-ok').click();
      await page.locator('#node-config-input-url').waitFor({ state: 'detached' });
      await page.locator('#node-dialog-ok').click();
      await page.locator('#dialog-form').waitFor({ state: 'detached' });
      await deploy();
      const flows = JSON.stringify(
        await (
          await page.request.get(`${editor.url}flows`, {
            headers: { Accept: 'application/json', 'Node-RED-API-Version': 'v2' },
          })
        ).json(),
      );
      assert.ok(!flows.includes(PASSWORD), 'the flow carries the password');
      const credentials = (await (
        await page.request.get(`${editor.url}credentials/sensorthings-server/${SERVER}`, {
          headers: { Accept: 'application/json' },
        })
      ).json()) as Record<string, unknown>;
      assert.equal(credentials.has_password, true);
      assert.equal(credentials.password, undefined);
      assert.equal(credentials.username, 'reef', 'the user name is no secret');
      const exported = await page.evaluate(() =>
        JSON.stringify(
          (globalThis as unknown as Red).RED.nodes.createCompleteNodeSet({ credentials: false }),
        ),
      );
      assert.ok(!exported.includes(PASSWORD), 'the export carries the password');
      // The deployed password is kept hidden in the dialog, and still used by its test.
      await openServer();
      assert.equal(await page.locator('#node-config-input-password').inputValue(), '__PWRD__');
      await page.locator('#node-config-input-auth').selectOption('none');
      await page.locator('#node-config-dialog-ok').click();
      await page.locator('#node-config-input-url').waitFor({ state: 'detached' });
      await page.locator('#node-dialog-ok').click();
      await page.locator('#dialog-form').waitFor({ state: 'detached' });
      await deploy();
    });
  });

  describe('sensorthings in', function () {
    it('lists the Datastreams of the server by name, fills the field with the one picked, and lists again with refresh', async function () {
      const form = await openDialog(IN);
      const tip = form.locator('#node-sensorthings-in-list-tip');
      await page.waitForFunction(
        (name) =>
          Array.from(document.querySelectorAll('#node-sensorthings-in-list option')).some((o) =>
            (o.textContent ?? '').startsWith(name),
          ),
        streams[2].name,
      );
      const labels = (
        await form.locator('#node-sensorthings-in-list option').allTextContents()
      ).map((t) => t.trim());
      for (const { name, id } of streams)
        assert.ok(
          labels.includes(`${name} · ${RUN} buoy ${name.slice(-1)} · Cel (${id})`),
          `${name} in ${labels.slice(-5).join(' | ')}`,
        );
      assert.match(await tip.innerText(), /^\d+ Datastreams on the server$/);
      await form.locator('#node-sensorthings-in-list').selectOption([String(streams[1].id)]);
      assert.equal(
        await form.locator('#node-input-datastreams').inputValue(),
        String(streams[1].id),
      );
      // A Datastream created while the dialog is open appears with the refresh button.
      const later = await createDatastream('D');
      streams.push(later);
      await form.locator('#node-sensorthings-in-refresh').click();
      await page.waitForFunction(
        (id) => !!document.querySelector(`#node-sensorthings-in-list option[value="${id}"]`),
        String(later.id),
      );
      assert.deepEqual(
        await form
          .locator('#node-sensorthings-in-list')
          .evaluate((el: HTMLSelectElement) => Array.from(el.selectedOptions).map((o) => o.value)),
        [String(streams[1].id)],
        'the pick survives the refresh',
      );
      assert.equal(
        await form.locator('#node-sensorthings-in-refresh').getAttribute('title'),
        "List the server's Datastreams again",
      );
      await editor.screenshot('sensorthings-in-picker');
    });
  });

  describe('sensorthings out', function () {
    it('shows longitude and latitude only when the Thing is placed by the node', async function () {
      const form = await openDialog(OUT);
      const mode = form.locator('#node-input-locationMode');
      const shown = () => form.locator('#node-input-lon').isVisible();
      const latShown = () => form.locator('#node-input-lat').isVisible();
      assert.equal(await mode.inputValue(), 'none');
      assert.deepEqual([await shown(), await latShown()], [false, false]);
      await mode.selectOption('node');
      assert.deepEqual([await shown(), await latShown()], [true, true]);
      await mode.selectOption('msg');
      assert.deepEqual([await shown(), await latShown()], [false, false]);
    });
  });

  for (const [language, words] of [
    [
      'fr',
      {
        test: 'Tester la connexion',
        ok: /^le serveur répond : SensorThings v1\.1, DataArray, \$batch, MQTT$/,
        found: /^\d+ Datastreams sur le serveur$/,
        location: 'Position du Thing',
      },
    ],
    [
      'nl',
      {
        test: 'Verbinding testen',
        ok: /^de server antwoordt: SensorThings v1\.1, DataArray, \$batch, MQTT$/,
        found: /^\d+ Datastreams op de server$/,
        location: null,
      },
    ],
  ] as const) {
    describe(`in ${language}`, function () {
      before(() => switchLanguage(language));
      after(() => switchLanguage('en-US'));

      it('labels the server dialog and its test answer', async function () {
        const tray = await openServer();
        assert.equal(
          (await page.locator('#node-sensorthings-server-test').innerText()).trim(),
          words.test,
        );
        assert.match(await testConnection(), words.ok);
        assert.doesNotMatch(await tray.innerText(), /sensorthings-server\./);
      });

      it('labels the picker and the out dialog', async function () {
        let form = await openDialog(IN);
        await page.waitForFunction(
          () => document.querySelectorAll('#node-sensorthings-in-list option').length > 0,
        );
        assert.match(await form.locator('#node-sensorthings-in-list-tip').innerText(), words.found);
        assert.doesNotMatch(await form.innerText(), /sensorthings-in\./);
        await page.locator('#node-dialog-cancel').click();
        await form.waitFor({ state: 'detached' });
        form = await openDialog(OUT);
        if (words.location)
          assert.equal(
            (await page.locator('label[for="node-input-locationMode"]').innerText()).trim(),
            words.location,
          );
        assert.doesNotMatch(await form.innerText(), /sensorthings-out\./);
      });
    });
  }

  describe('afterwards', function () {
    it('raised no script error in the page', function () {
      assert.deepEqual(editor.pageErrors, []);
    });
  });
});
