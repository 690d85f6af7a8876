/**
 * The device nodes' edit dialogs (serial sensor, lora device, lora decode) in a
 * real Node-RED editor, as a maker uses them: headless Chromium on a real
 * Node-RED (node-red-editor.ts). The serial sensor reads a board played on a
 * socat pseudo-terminal (test/support/pty.ts); lora decode is fed by an inject
 * node with the frame of the lora-decode example. Then the same dialogs in
 * French, and once in Dutch.
 *
 * This machine has no udev: serialport's port list fails as it does for a user
 * without it. A stand-in udevadm, put on Node-RED's PATH later in the run,
 * plays a machine where an Arduino is plugged in.
 */
import { strict as assert } from 'assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import type { Locator, Page } from 'playwright-core';
import { PtyBoard } from '../support/pty';
import { NodeRedEditor, assertBuilt } from './node-red-editor';
import { freeUdpPort } from '../support/ports';

const TAB = 'de71ce5e4f000001';
const SERIAL = 'de71ce5e4f000002';
const DEVICE = 'de71ce5e4f000003';
const DECODE = 'de71ce5e4f000004';
const INJECT = 'de71ce5e4f000005';
const OTAA = 'de71ce5e4f000006';
const UPLINK = 'de71ce5e4f000007';
const GATEWAY = 'de71ce5e4f000008';

// The lora-decode example's device and frame: an LPP temperature from DevAddr 49be7df1.
const FRAME = '40f17dbe4900010001e2957a78ce518db7160f40b4';
const NWK_S_KEY = '44024241ed4ce9a68c6a8bc055233fd3';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';

const FLOW = [
  { id: TAB, type: 'tab', label: 'Devices', disabled: false, info: '' },
  {
    id: SERIAL,
    type: 'serial-sensor',
    z: TAB,
    name: '',
    port: '/dev/ttyUSB0',
    baudRate: '9600',
    dataBits: '8',
    parity: 'none',
    stopBits: '1',
    format: 'keyvalue',
    innerFormat: 'keyvalue',
    fields: '',
    baseName: '',
    x: 160,
    y: 80,
    wires: [[]],
  },
  {
    id: DEVICE,
    type: 'lora-device',
    name: 'buoy-7',
    devEui: '0004a30b001c4a2f',
    activation: 'abp',
    devAddr: '49be7df1',
    joinEui: '',
  },
  {
    id: OTAA,
    type: 'lora-device',
    name: 'joiner',
    devEui: '0004a30b001c4a30',
    activation: 'otaa',
    devAddr: '',
    joinEui: '70b3d57ed0000000',
  },
  {
    id: INJECT,
    type: 'inject',
    z: TAB,
    name: 'LPP frame',
    props: [{ p: 'payload' }],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: FRAME,
    payloadType: 'str',
    x: 140,
    y: 180,
    wires: [[DECODE]],
  },
  {
    id: DECODE,
    type: 'lora-decode',
    z: TAB,
    name: '',
    device: DEVICE,
    codec: 'lpp',
    schema: '',
    script: '',
    x: 360,
    y: 180,
    wires: [[]],
  },
  {
    id: UPLINK,
    type: 'lora-uplink',
    z: TAB,
    name: '',
    preferDecoded: true,
    codec: 'lpp',
    schema: '',
    script: '',
    units: '',
    x: 360,
    y: 260,
    wires: [[]],
  },
  {
    id: GATEWAY,
    type: 'lora-gateway',
    z: TAB,
    name: '',
    // A free UDP port of this run, set before the editor starts.
    port: 1700,
    bind: '127.0.0.1',
    x: 140,
    y: 340,
    wires: [[]],
  },
];

/** What `udevadm info -e` prints for an Arduino Uno on USB (the part serialport reads). */
const UDEVADM = `#!/bin/sh
cat <<'EOF'
P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/tty/ttyACM0
N: ttyACM0
E: DEVNAME=/dev/ttyACM0
E: ID_VENDOR_ENC=Arduino\\x20\\x28www.arduino.cc\\x29
E: ID_SERIAL_SHORT=75735323531351F0B1E1
E: ID_VENDOR_ID=2341
E: ID_MODEL_ID=0043
E: DEVLINKS=/dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_75735323531351F0B1E1-if00

EOF
`;

type Red = {
  RED: {
    nodes: { node(id: string): Record<string, unknown> | null };
  };
};

describe('the device nodes in the Node-RED editor (headless Chromium)', function () {
  this.timeout(60_000);

  let editor: NodeRedEditor;
  let page: Page;
  let gatewayPort = 0;
  const board = new PtyBoard();
  /** On Node-RED's PATH, empty until udev is "installed". */
  const bin = mkdtempSync(join(tmpdir(), 'senfed-udevadm-'));

  before(async function () {
    this.timeout(60_000);
    assertBuilt([
      'dist/nodes/serial-sensor.html',
      'dist/nodes/lora-device.html',
      'dist/nodes/lora-decode.html',
      'dist/nodes/lora-uplink.html',
      'dist/nodes/lora-gateway.html',
      'dist/nodes/locales/fr/serial-sensor.json',
      'dist/nodes/locales/nl/lora-decode.json',
    ]);
    await board.plug();
    gatewayPort = await freeUdpPort();
    FLOW.find((n) => n.id === GATEWAY)!.port = gatewayPort;
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    try {
      editor = await NodeRedEditor.start({
        flow: FLOW,
        credentials: { [DEVICE]: { nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY } },
        drawn: SERIAL,
      });
    } finally {
      process.env.PATH = path;
    }
    page = editor.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await editor
        ?.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`)
        .catch(() => undefined);
    // Leave no dialog open for the next test.
    for (const cancel of ['#node-config-dialog-cancel', '#node-dialog-cancel']) {
      const button = page.locator(cancel);
      if (await button.isVisible()) {
        await button.click();
        await button.waitFor({ state: 'detached' });
      }
    }
  });

  after(async function () {
    this.timeout(30_000);
    try {
      await editor?.stop();
    } finally {
      await board.unplug();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  async function openDialog(id: string): Promise<Locator> {
    await (await editor.canvasNode(id)).dblclick();
    const form = page.locator('#dialog-form');
    await form.waitFor({ state: 'visible' });
    return form;
  }

  async function done(form: Locator): Promise<void> {
    await page.locator('#node-dialog-ok').click();
    await form.waitFor({ state: 'detached' });
  }

  function saved(id: string): Promise<Record<string, unknown>> {
    return page.evaluate((nodeId) => {
      const node = (globalThis as unknown as Red).RED.nodes.node(nodeId);
      if (!node) throw new Error(`no node ${nodeId}`);
      const copy: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node))
        if (typeof value !== 'object' && typeof value !== 'function') copy[key] = value;
      return copy;
    }, id);
  }

  async function invalid(field: Locator): Promise<boolean> {
    return field.evaluate((el) => el.classList.contains('input-error'));
  }

  /** The canvas label of a node (SVG text). */
  async function label(id: string): Promise<string> {
    return (
      await page
        .locator(`g.red-ui-flow-node-group[id="${id}"] text.red-ui-flow-node-label-text`)
        .allTextContents()
    )
      .join(' ')
      .trim();
  }

  async function deploy(): Promise<void> {
    const deployed = page.locator('.red-ui-notification', { hasText: 'Successfully deployed' });
    // An earlier deploy's notice is gone first, so that the one awaited is this deploy's.
    await deployed.waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('#red-ui-header-button-deploy').click();
    await deployed.waitFor();
    await page.locator('#red-ui-header-button-deploy.disabled').waitFor({ state: 'attached' });
    // "You have some unused configuration nodes" stays until closed, as a user closes it.
    const close = deployed.locator('button', { hasText: 'Close' });
    if (await close.isVisible()) await close.click();
  }

  async function waitForStatus(id: string, text: RegExp, timeout = 15_000): Promise<string> {
    await page.waitForFunction(
      ([nodeId, source]) =>
        new RegExp(source).test(
          document
            .querySelector(
              `g.red-ui-flow-node-group[id="${nodeId}"] .red-ui-flow-node-status-label`,
            )
            ?.textContent?.trim() ?? '',
        ),
      [id, text.source] as const,
      { timeout },
    );
    return editor.statusText(id);
  }

  async function switchLanguage(language: string): Promise<void> {
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-user-settings').click();
    const select = page.locator('#user-settings-editor-language');
    await select.waitFor({ state: 'visible' });
    await select.selectOption(language);
    await page.locator('#node-dialog-ok').click();
    await select.waitFor({ state: 'detached' });
    await editor.open();
  }

  /** The text a code editor shows (monaco draws spaces as no-break spaces). */
  async function codeText(area: Locator): Promise<string> {
    return (await area.innerText()).replace(/\u00a0/g, ' ');
  }

  /** The code editor's text once it shows `expected`: monaco draws its lines a moment after it appears. */
  async function codeShowing(area: Locator, expected: RegExp): Promise<string> {
    let text = '';
    for (const end = Date.now() + 10_000; Date.now() < end;) {
      text = await codeText(area);
      if (expected.test(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    return text;
  }

  /** Visible or not, by selector. */
  async function shown(form: Locator, selectors: string[]): Promise<Record<string, boolean>> {
    const seen: Record<string, boolean> = {};
    for (const selector of selectors) seen[selector] = await form.locator(selector).isVisible();
    return seen;
  }

  describe('serial sensor', function () {
    it('says why the port list is empty when the machine cannot list its ports', async function () {
      const form = await openDialog(SERIAL);
      const tip = form.locator('#node-serial-sensor-ports-tip');
      await tip.waitFor({ state: 'visible' });
      // No udev here: serialport's list fails, and the dialog says so rather than showing nothing.
      assert.match(await tip.innerText(), /^Cannot list the ports \(.*udevadm.*\): type the path$/);
      assert.equal(await form.locator('#node-serial-sensor-ports option').count(), 0);
      await editor.screenshot('serial-sensor-ports-failed');
    });

    it('says so when Node-RED does not answer the port list', async function () {
      await page.route('**/senfed/serial/ports', (route) =>
        route.fulfill({ status: 503, body: 'Service Unavailable' }),
      );
      try {
        const form = await openDialog(SERIAL);
        const tip = form.locator('#node-serial-sensor-ports-tip');
        await page.waitForFunction(() =>
          /503/.test(document.querySelector('#node-serial-sensor-ports-tip')?.textContent ?? ''),
        );
        assert.match(await tip.innerText(), /^Cannot list the ports \(503 .+\): type the path$/);
      } finally {
        await page.unroute('**/senfed/serial/ports');
      }
    });

    it('lists the ports the machine knows, and lists them again with the refresh button', async function () {
      const form = await openDialog(SERIAL);
      const tip = form.locator('#node-serial-sensor-ports-tip');
      await tip.waitFor({ state: 'visible' });
      assert.match(await tip.innerText(), /^Cannot list the ports/);
      // udev appears (an Arduino is plugged in): the refresh button asks again.
      writeFileSync(join(bin, 'udevadm'), UDEVADM);
      chmodSync(join(bin, 'udevadm'), 0o755);
      await form.locator('#node-serial-sensor-refresh').click();
      await page.waitForFunction(
        () => document.querySelectorAll('#node-serial-sensor-ports option').length === 1,
      );
      assert.equal(await tip.innerText(), '1 port found: pick it, or type a path');
      const option = form.locator('#node-serial-sensor-ports option');
      assert.equal(await option.getAttribute('value'), '/dev/ttyACM0');
      assert.equal(
        (await option.textContent())?.trim(),
        'Arduino (www.arduino.cc) 75735323531351F0B1E1',
      );
      assert.equal(
        await form.locator('#node-input-port').getAttribute('list'),
        'node-serial-sensor-ports',
      );
      assert.equal(
        await form.locator('#node-serial-sensor-refresh').getAttribute('title'),
        'List the serial ports again',
      );
      await editor.screenshot('serial-sensor-ports-found');
    });

    it('keeps a typed port path, the baud rate and the line settings through save and reopen, and labels the node with its port', async function () {
      let form = await openDialog(SERIAL);
      await editor.setValue(form.locator('#node-input-port'), '/dev/pts/7');
      await editor.setValue(form.locator('#node-input-baudRate'), '115200');
      await form.locator('#node-input-dataBits').selectOption('7');
      await form.locator('#node-input-parity').selectOption('even');
      await form.locator('#node-input-stopBits').selectOption('2');
      assert.deepEqual(
        await Promise.all(
          ['dataBits', 'parity', 'stopBits'].map((f) =>
            form.locator(`#node-input-${f}`).getAttribute('title'),
          ),
        ),
        ['Data bits', 'Parity', 'Stop bits'],
      );
      await done(form);
      assert.equal(await label(SERIAL), '/dev/pts/7');
      const node = await saved(SERIAL);
      assert.deepEqual(
        [node.port, node.baudRate, node.dataBits, node.parity, node.stopBits],
        ['/dev/pts/7', '115200', '7', 'even', '2'],
      );

      form = await openDialog(SERIAL);
      assert.equal(await form.locator('#node-input-port').inputValue(), '/dev/pts/7');
      assert.equal(await form.locator('#node-input-baudRate').inputValue(), '115200');
      assert.equal(await form.locator('#node-input-dataBits').inputValue(), '7');
      assert.equal(await form.locator('#node-input-parity').inputValue(), 'even');
      assert.equal(await form.locator('#node-input-stopBits').inputValue(), '2');
      // A baud rate is a number.
      await editor.setValue(form.locator('#node-input-baudRate'), 'fast');
      assert.equal(await invalid(form.locator('#node-input-baudRate')), true);
      await editor.setValue(form.locator('#node-input-baudRate'), '9600');
      assert.equal(await invalid(form.locator('#node-input-baudRate')), false);
      // Named: the name on the canvas.
      await editor.setValue(form.locator('#node-input-name'), 'harbour buoy');
      await done(form);
      assert.equal(await label(SERIAL), 'harbour buoy');
    });

    it('shows for each line format exactly the fields it needs', async function () {
      const form = await openDialog(SERIAL);
      const rows = [
        '#node-input-innerFormat',
        '#node-input-fields',
        '#node-serial-sensor-fields-tip',
        '#node-input-baseName',
        '#node-serial-sensor-basename-tip',
      ];
      const expect = (inner: boolean, fields: boolean, baseName: boolean) => ({
        '#node-input-innerFormat': inner,
        '#node-input-fields': fields,
        '#node-serial-sensor-fields-tip': fields,
        '#node-input-baseName': baseName,
        '#node-serial-sensor-basename-tip': baseName,
      });
      const format = form.locator('#node-input-format');
      for (const [value, inner, fields, baseName] of [
        ['csv', false, true, true],
        ['keyvalue', false, true, true],
        ['json', false, true, true],
        ['senml', false, false, false],
        ['lpp-hex', false, false, true],
        ['lora-receiver', true, true, true],
      ] as const) {
        await format.selectOption(value);
        assert.deepEqual(await shown(form, rows), expect(inner, fields, baseName), value);
      }
      // The receiver's packet format decides in turn.
      await form.locator('#node-input-innerFormat').selectOption('lpp-hex');
      assert.deepEqual(
        await shown(form, rows),
        expect(true, false, true),
        'lora-receiver, lpp-hex',
      );
      await form.locator('#node-input-innerFormat').selectOption('senml');
      assert.deepEqual(await shown(form, rows), expect(true, false, false), 'lora-receiver, senml');
      await editor.screenshot('serial-sensor-lora-receiver');

      // CSV needs its columns: an empty Fields is marked at once.
      await format.selectOption('csv');
      const fields = form.locator('#node-input-fields');
      await editor.setValue(fields, '');
      assert.equal(await invalid(fields), true);
      await editor.setValue(fields, 'water_temperature:Cel, battery:V');
      assert.equal(await invalid(fields), false);
      await editor.setValue(form.locator('#node-input-baseName'), 'urn:dev:mac:0004a30b001c4a2f:');
      assert.equal(await form.locator('#node-input-baseName').getAttribute('placeholder'), null);
      await editor.screenshot('serial-sensor-csv');
      await done(form);
      const node = await saved(SERIAL);
      assert.deepEqual(
        [node.format, node.fields, node.baseName],
        ['csv', 'water_temperature:Cel, battery:V', 'urn:dev:mac:0004a30b001c4a2f:'],
      );
    });

    it('deploys on a pseudo-terminal typed in the dialog and reads the board', async function () {
      const form = await openDialog(SERIAL);
      await editor.setValue(form.locator('#node-input-port'), board.device);
      await form.locator('#node-input-format').selectOption('keyvalue');
      await editor.setValue(form.locator('#node-input-fields'), 'water_temperature:Cel');
      await done(form);
      await deploy();
      await waitForStatus(SERIAL, /^connected/);
      // What a board prints within moments of the port opening is taken for the tail of an earlier line.
      await page.waitForTimeout(500);
      board.print('water_temperature=21.50\n');
      assert.equal(await waitForStatus(SERIAL, / 1 line$/), 'connected · 1 line');
      board.print('water_temperature=21.60\n');
      assert.equal(await waitForStatus(SERIAL, /2 lines/), 'connected · 2 lines');
      assert.doesNotMatch(editor.log, /\[error\] \[serial-sensor/);
    });
  });

  describe('lora device', function () {
    async function openDevice(id: string): Promise<void> {
      const form = await openDialog(DECODE);
      await form.locator('#node-input-device').selectOption(id);
      await page.locator('#node-input-btn-device-edit').click();
      await page.locator('#node-config-input-devEui').waitFor({ state: 'visible' });
    }

    it('shows the ABP or the OTAA keys, as password fields, in a dialog named lora device', async function () {
      await openDevice(DEVICE);
      const abp = [
        '#node-config-input-devAddr',
        '#node-config-input-nwkSKey',
        '#node-config-input-appSKey',
      ];
      const otaa = ['#node-config-input-joinEui', '#node-config-input-appKey'];
      const all = page.locator('.red-ui-tray').last();
      const visible = async () => shown(all, [...abp, ...otaa]);
      const expect = (isOtaa: boolean) =>
        Object.fromEntries([...abp.map((s) => [s, !isOtaa]), ...otaa.map((s) => [s, isOtaa])]);
      assert.match(await page.locator('.red-ui-tray-titlebar').last().innerText(), /lora device/);
      assert.equal(await page.locator('#node-config-input-activation').inputValue(), 'abp');
      assert.deepEqual(await visible(), expect(false));
      for (const key of ['nwkSKey', 'appSKey', 'appKey'])
        assert.equal(
          await page.locator(`#node-config-input-${key}`).getAttribute('type'),
          'password',
          key,
        );
      // The keys are not sent back to the editor: the fields only say they are set.
      assert.notEqual(await page.locator('#node-config-input-nwkSKey').inputValue(), NWK_S_KEY);
      await page.locator('#node-config-input-activation').selectOption('otaa');
      assert.deepEqual(await visible(), expect(true));
      // OTAA needs its AppKey: none is given yet.
      assert.equal(await invalid(page.locator('#node-config-input-appKey')), true);
      await page.locator('#node-config-input-activation').selectOption('abp');
      assert.deepEqual(await visible(), expect(false));
      assert.equal(await invalid(page.locator('#node-config-input-appKey')), false);
      await editor.screenshot('lora-device-abp');
    });

    it('LoRaWAN 1.1 asks for its own keys: FNwkSIntKey and SNwkSIntKey (ABP), NwkKey (OTAA)', async function () {
      await openDevice(DEVICE);
      const tray = page.locator('.red-ui-tray').last();
      const version = page.locator('#node-config-input-version');
      const activation = page.locator('#node-config-input-activation');
      const nwkName = async () =>
        (await page.locator('label[for="node-config-input-nwkSKey"]').innerText()).trim();
      const keys = ['#node-config-input-sNwkSIntKey', '#node-config-input-nwkKey'];
      assert.equal(await version.inputValue(), '1.0');
      assert.equal(await nwkName(), 'NwkSKey');
      assert.deepEqual(Object.values(await shown(tray, keys)), [false, false]);
      await version.selectOption('1.1');
      assert.equal(await nwkName(), 'FNwkSIntKey');
      assert.deepEqual(Object.values(await shown(tray, keys)), [true, false]);
      // None given yet: the dialog says so before deploy.
      assert.equal(await invalid(page.locator('#node-config-input-sNwkSIntKey')), true);
      await activation.selectOption('otaa');
      assert.deepEqual(Object.values(await shown(tray, keys)), [false, true]);
      assert.equal(await invalid(page.locator('#node-config-input-nwkKey')), true);
      await activation.selectOption('abp');
      await version.selectOption('1.0');
      assert.equal(await invalid(page.locator('#node-config-input-sNwkSIntKey')), false);
      assert.equal(
        await page.locator('#node-config-input-sNwkSIntKey').getAttribute('type'),
        'password',
      );
    });

    it('marks bad DevEUI, DevAddr and key hex invalid before deploy', async function () {
      await openDevice(DEVICE);
      const check = async (field: string, bad: string, good: string) => {
        const input = page.locator(`#node-config-input-${field}`);
        await editor.setValue(input, bad);
        assert.equal(await invalid(input), true, `${field} ${bad}`);
        await editor.setValue(input, good);
        assert.equal(await invalid(input), false, `${field} ${good}`);
      };
      await check('devEui', '0004a30b001c4a2', '0004a30b001c4a2f');
      await check('devEui', '0004a30b001c4g2f', '00:04:a3:0b:00:1c:4a:2f');
      await check('devAddr', '49be7df', '49be7df1');
      // ABP cannot go without its DevAddr.
      await check('devAddr', '', '49BE7DF1');
      await check('nwkSKey', 'not a key', NWK_S_KEY);
      await check('appSKey', APP_S_KEY.slice(2), APP_S_KEY);
      await editor.screenshot('lora-device-invalid');
    });

    it('keeps the keys out of the deployed flow, as credentials that are set', async function () {
      await openDevice(OTAA);
      const appKey = page.locator('#node-config-input-appKey');
      assert.equal(await invalid(appKey), true, 'no AppKey yet');
      await editor.setValue(appKey, '2b7e151628aed2a6abf7158809cf4f3c');
      assert.equal(await invalid(appKey), false);
      await page.locator('#node-config-dialog-ok').click();
      await page.locator('#node-config-input-devEui').waitFor({ state: 'detached' });
      // The device is changed, not the decode node's choice.
      await page.locator('#node-dialog-cancel').click();
      await page.locator('#dialog-form').waitFor({ state: 'detached' });
      await deploy();

      const flows = (await (
        await page.request.get(`${editor.url}flows`, {
          headers: { Accept: 'application/json', 'Node-RED-API-Version': 'v2' },
        })
      ).json()) as { flows: Record<string, unknown>[] };
      const text = JSON.stringify(flows);
      for (const key of [NWK_S_KEY, APP_S_KEY, '2b7e151628aed2a6abf7158809cf4f3c'])
        assert.ok(!text.toLowerCase().includes(key), `the flow carries the key ${key}`);
      for (const device of flows.flows.filter((n) => n.type === 'lora-device'))
        for (const key of ['nwkSKey', 'appSKey', 'appKey'])
          assert.equal(device[key], undefined, `${device.name}.${key} in the flow`);
      const credentials = async (id: string) =>
        (await (
          await page.request.get(`${editor.url}credentials/lora-device/${id}`, {
            headers: { Accept: 'application/json' },
          })
        ).json()) as Record<string, unknown>;
      assert.equal((await credentials(OTAA)).has_appKey, true);
      const abp = await credentials(DEVICE);
      assert.deepEqual([abp.has_nwkSKey, abp.has_appSKey], [true, true]);
      for (const given of [await credentials(OTAA), abp])
        assert.deepEqual(
          Object.keys(given).filter((k) => !k.startsWith('has_')),
          [],
          'the keys themselves are not sent back',
        );

      // The editor's own export has no key either.
      const exported = await page.evaluate(() =>
        JSON.stringify(
          (
            globalThis as unknown as {
              RED: { nodes: { createCompleteNodeSet(o: object): object[] } };
            }
          ).RED.nodes.createCompleteNodeSet({ credentials: false }),
        ),
      );
      for (const key of [NWK_S_KEY, APP_S_KEY, '2b7e151628aed2a6abf7158809cf4f3c'])
        assert.ok(!exported.toLowerCase().includes(key), `the export carries the key ${key}`);
    });
  });

  describe('lora decode', function () {
    it('chooses a lora device or any deployed one', async function () {
      const form = await openDialog(DECODE);
      const device = form.locator('#node-input-device');
      assert.equal(await device.evaluate((el) => el.tagName), 'SELECT');
      assert.equal(await device.inputValue(), DEVICE);
      const options = (await device.locator('option').allTextContents()).map((t) => t.trim());
      assert.deepEqual(options.sort(), ['any deployed lora device', 'buoy-7', 'joiner']);
      assert.match(
        await form.locator('.form-tips', { hasText: 'DevAddr' }).innerText(),
        /^Any deployed lora device: the deployed lora device whose DevAddr/,
      );
      await device.selectOption({ label: 'any deployed lora device' });
      await done(form);
      assert.equal((await saved(DECODE)).device, '');
      const again = await openDialog(DECODE);
      assert.equal(
        (await again.locator('#node-input-device option:checked').textContent())?.trim(),
        'any deployed lora device',
      );
      await again.locator('#node-input-device').selectOption(DEVICE);
      await done(again);
      assert.equal((await saved(DECODE)).device, DEVICE);
    });

    it('shows the schema input or the script editor only for their codec, and saves the script', async function () {
      const form = await openDialog(DECODE);
      const codec = form.locator('#node-input-codec');
      const schema = form.locator('#node-input-schema');
      const script = form.locator('#node-input-script-editor');
      const seen = async () => [await schema.isVisible(), await script.isVisible()];
      assert.equal(await codec.inputValue(), 'lpp');
      assert.deepEqual(await seen(), [false, false]);
      await codec.selectOption('schema');
      assert.deepEqual(await seen(), [true, false]);
      await codec.selectOption('none');
      assert.deepEqual(await seen(), [false, false]);
      await codec.selectOption('script');
      assert.deepEqual(await seen(), [false, true]);
      // Node-RED's code editor (monaco, or ace), with a decodeUplink to start from.
      const code = script.locator('.monaco-editor, .ace_editor').first();
      await code.waitFor({ state: 'visible' });
      assert.match(await codeShowing(script, /decodeUplink/), /function decodeUplink\(input\)/);
      const text =
        'function decodeUplink(input) { return { data: { level: input.bytes[0] / 10 } }; }';
      // Typed as a user does: everything selected, the new text in its place.
      await code.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(text);
      await editor.screenshot('lora-decode-script');
      await done(form);
      const node = await saved(DECODE);
      assert.equal(node.codec, 'script');
      assert.equal(node.script, text);

      const again = await openDialog(DECODE);
      await again
        .locator('#node-input-script-editor .monaco-editor, #node-input-script-editor .ace_editor')
        .first()
        .waitFor();
      assert.match(
        await codeShowing(again.locator('#node-input-script-editor'), /bytes/),
        /input\.bytes\[0\] \/ 10/,
      );
      await again.locator('#node-input-codec').selectOption('lpp');
      await done(again);
    });

    it('deploys, and decodes the frame an inject sends', async function () {
      await deploy();
      await page
        .locator(`g.red-ui-flow-node-group[id="${INJECT}"] .red-ui-flow-node-button`)
        .click();
      assert.equal(await waitForStatus(DECODE, /^frames: 1/), 'frames: 1 · refused: 0');
      assert.doesNotMatch(editor.log, /\[error\] \[lora-decode/);
    });
  });

  describe('lora uplink', function () {
    it('keeps the decoded-object choice, the units, and the script typed in the code editor', async function () {
      const form = await openDialog(UPLINK);
      const decoded = form.locator('#node-input-preferDecoded');
      assert.equal(await decoded.isChecked(), true);
      assert.equal(await form.locator('#node-input-script-editor').isVisible(), false);
      await form.locator('#node-input-codec').selectOption('script');
      const code = form
        .locator('#node-input-script-editor .monaco-editor, #node-input-script-editor .ace_editor')
        .first();
      await code.waitFor({ state: 'visible' });
      assert.match(
        await codeShowing(form.locator('#node-input-script-editor'), /decodeUplink/),
        /function decodeUplink\(input\)/,
      );
      const text = 'function decodeUplink(input) { return { data: { level: input.bytes[0] } }; }';
      await code.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(text);
      await decoded.uncheck();
      await form.locator('#node-input-units').fill('level:m');
      await done(form);
      const node = await saved(UPLINK);
      assert.deepEqual(
        [node.preferDecoded, node.codec, node.script, node.units],
        [false, 'script', text, 'level:m'],
      );
      // Left as it came: the skeleton is saved as no script.
      const again = await openDialog(UPLINK);
      await again.locator('#node-input-codec').selectOption('lpp');
      await again.locator('#node-input-preferDecoded').check();
      await done(again);
    });
  });

  describe('lora gateway', function () {
    it('marks a port outside 1-65535 invalid, and labels the node with its port', async function () {
      const form = await openDialog(GATEWAY);
      const port = form.locator('#node-input-port');
      await port.fill('70000');
      await port.blur();
      assert.equal(await invalid(port), true);
      await port.fill(String(gatewayPort));
      await port.blur();
      assert.equal(await invalid(port), false);
      await done(form);
      assert.equal(await label(GATEWAY), `lora gateway :${gatewayPort}`);
    });
  });

  describe('in French, and once in Dutch', function () {
    it('labels the dialogs in French', async function () {
      await switchLanguage('fr');
      let form = await openDialog(SERIAL);
      const labelOf = async (field: string) =>
        (await page.locator(`label[for="${field}"]`).first().innerText()).trim();
      assert.equal(await labelOf('node-input-baudRate'), 'Débit (bauds)');
      assert.equal(await labelOf('node-input-format'), 'Format de ligne');
      assert.equal(await labelOf('node-input-fields'), 'Champs');
      assert.equal(await labelOf('node-input-baseName'), 'Nom de base');
      assert.equal(
        (await form.locator('#node-input-format option[value="keyvalue"]').textContent())?.trim(),
        'paires clé=valeur',
      );
      assert.match(await form.locator('#node-serial-sensor-ports-tip').innerText(), /port trouvé/);
      assert.match(
        await form.locator('#node-serial-sensor-basename-tip').innerText(),
        /^Nom de base :/,
      );
      assert.doesNotMatch(await form.innerText(), /serial-sensor\.|lora-/);
      await editor.screenshot('serial-sensor-fr');
      await page.locator('#node-dialog-cancel').click();
      await form.waitFor({ state: 'detached' });

      form = await openDialog(DECODE);
      assert.equal(await labelOf('node-input-device'), 'Appareil');
      assert.equal(await labelOf('node-input-codec'), 'Charge utile');
      const options = (await form.locator('#node-input-device option').allTextContents()).map((t) =>
        t.trim(),
      );
      assert.ok(options.includes('un appareil LoRa déployé'), options.join(', '));
      assert.match(
        (await form.locator('#node-input-codec option[value="none"]').textContent()) ?? '',
        /^aucun/,
      );
      assert.doesNotMatch(await form.innerText(), /lora-decode\./);
      await page.locator('#node-input-btn-device-edit').click();
      await page.locator('#node-config-input-devEui').waitFor({ state: 'visible' });
      assert.match(await page.locator('.red-ui-tray-titlebar').last().innerText(), /appareil LoRa/);
      assert.equal(
        (
          await page.locator('#node-config-input-activation option[value="otaa"]').textContent()
        )?.trim(),
        "OTAA (join avec l'AppKey)",
      );
      assert.match(await page.locator('.red-ui-tray').last().innerText(), /identifiants secrets/);
      await editor.screenshot('lora-device-fr');
      await page.locator('#node-config-dialog-cancel').click();
      await page.locator('#node-dialog-cancel').click();
      await form.waitFor({ state: 'detached' });

      form = await openDialog(UPLINK);
      assert.equal(await labelOf('node-input-units'), 'Unités');
      assert.match(await form.innerText(), /décodée par le serveur de réseau/);
      assert.doesNotMatch(await form.innerText(), /lora-uplink\./);
      await page.locator('#node-dialog-cancel').click();
      await form.waitFor({ state: 'detached' });
      form = await openDialog(GATEWAY);
      assert.doesNotMatch(await form.innerText(), /lora-gateway\./);
      await editor.screenshot('lora-gateway-fr');
    });

    it('labels the dialogs in Dutch', async function () {
      // Node-RED's settings list no Dutch (its own editor has no Dutch catalogue): a Dutch
      // browser brings it. The language preference the settings dialog stores stands in for it.
      await page.evaluate(() => localStorage.setItem('editor-language', 'nl'));
      await editor.open();
      const form = await openDialog(SERIAL);
      const text = await form.innerText();
      assert.match(text, /Velden/);
      assert.match(text, /Basisnaam/);
      assert.doesNotMatch(text, /serial-sensor\.|Line format|Base name/);
      await page.locator('#node-dialog-cancel').click();
      await form.waitFor({ state: 'detached' });
      const decode = await openDialog(DECODE);
      assert.equal(
        (await page.locator('label[for="node-input-device"]').innerText()).trim(),
        'Apparaat',
      );
      assert.doesNotMatch(await decode.innerText(), /lora-decode\.|any deployed/);
      await editor.screenshot('lora-decode-nl');
      await page.locator('#node-dialog-cancel').click();
      await decode.waitFor({ state: 'detached' });
      await switchLanguage('en-US');
    });
  });

  describe('afterwards', function () {
    it('raised no script error in the page', function () {
      assert.deepEqual(editor.pageErrors, []);
    });
  });
});
