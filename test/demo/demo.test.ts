/**
 * The README's first command: scripts/demo.js (on the build, as scripts/demo.sh runs
 * it) installs the packed package, starts the federation test bed and Node-RED with
 * the examples. Used as a user uses it: inject buttons pressed through the
 * editor's admin API (POST /inject/:id), debug messages and node statuses read from
 * the editor's websocket (/comms), as the debug sidebar gets them. Its own Node-RED
 * port (never 1880), user directory and test bed (state directory and addresses
 * beside this run's). A test bed that cannot start fails the test.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freeUdpPort } from '../support/ports';
import { freePort } from '../support/ports';

const ROOT = join(__dirname, '..', '..', '..');
const FEDERATION_SH = join(ROOT, 'scripts', 'federation', 'federation.sh');
const IDENTIFIER = 'urn:dev:mac:0024befffe804ff1:temperature';

type FlowNode = Record<string, any> & { id: string; type: string };
const EXAMPLES = [
  'senml-round-trip.json',
  'federation-buoy.json',
  'federation-commands.json',
  'consent-household-advisor.json',
  'lora-decode.json',
  'lora-gateway.json',
  'lora-network-uplink.json',
  'sensorthings-buoy.json',
  'sensorthings-federation.json',
];
const FLOW: FlowNode[] = EXAMPLES.flatMap(
  (file) => JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as FlowNode[],
);

/** The one node with these properties (tab: the label of its tab). */
function idOf(match: { tab?: string } & Record<string, unknown>): string {
  const { tab, ...props } = match;
  const z =
    tab === undefined ? undefined : FLOW.find((n) => n.type === 'tab' && n.label === tab)?.id;
  const found = FLOW.filter(
    (n) => (tab === undefined || n.z === z) && Object.entries(props).every(([k, v]) => n[k] === v),
  );
  assert.equal(found.length, 1, `one node with ${JSON.stringify(match)}, found ${found.length}`);
  return found[0].id;
}

/** This run's test bed address with 10 added to its last number: a test bed of its own beside it. */
function besideAddress(address: string): string {
  const parts = address.split('.').map(Number);
  assert.ok(parts.length === 4 && parts[3] + 10 < 255, `cannot place a test bed beside ${address}`);
  parts[3] += 10;
  return parts.join('.');
}

const BED_ENV = {
  SENFED_FEDERATION_DIR: `${process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation'}-demo`,
  SENFED_SEN1_ADDRESS: besideAddress(process.env.SENFED_SEN1_ADDRESS || '127.0.0.1'),
  SENFED_SEN2_ADDRESS: besideAddress(process.env.SENFED_SEN2_ADDRESS || '127.0.0.2'),
};

/** The demo's FROST-Server: a state directory of its own beside this run's. */
const FROST_DIR = `${process.env.SENFED_FROST_DIR || '/tmp/senfed-frost'}-demo`;
const FROST_SH = join(ROOT, 'scripts', 'sensorthings', 'frost.sh');

interface FrostInfo {
  serviceRoot: string;
  httpPort: number;
  mqttUrl: string;
  mqttWebsocketPort: number;
  postgresql: { port: number };
}

const frostInfo = (): FrostInfo =>
  JSON.parse(readFileSync(join(FROST_DIR, 'frost.json'), 'utf8')) as FrostInfo;

/** frost.sh on the demo's FROST, with the ports it was started on. */
function frostSh(command: string): Promise<{ code: number; output: string }> {
  const info = frostInfo();
  return new Promise((resolve) => {
    execFile(
      'bash',
      [FROST_SH, command],
      {
        env: {
          ...process.env,
          SENFED_FROST_DIR: FROST_DIR,
          SENFED_FROST_HTTP_PORT: String(info.httpPort),
          SENFED_FROST_PG_PORT: String(info.postgresql.port),
          SENFED_FROST_MQTT_PORT: new URL(info.mqttUrl).port,
          SENFED_FROST_MQTT_WS_PORT: String(info.mqttWebsocketPort),
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        resolve({
          code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0,
          output: stdout + stderr,
        });
      },
    );
  });
}

/** GET on the demo's FROST, the JSON answer. */
function frostGet(path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(`${frostInfo().serviceRoot}${path}`, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function federationSh(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [FEDERATION_SH, ...args],
      { env: { ...process.env, ...BED_ENV }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0,
          output: stdout + stderr,
        });
      },
    );
  });
}

async function until(
  what: string,
  ms: number,
  done: () => boolean,
  output?: () => string,
): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${output ? `\n${output()}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A debug message as the sidebar gets it, its message decoded. */
interface Debug {
  id: string;
  name: string;
  topic?: string;
  msg: any;
}

describe('the demo (scripts/demo.js): Node-RED with the examples on a running federation', function () {
  this.timeout(60_000);
  let port = 0;
  let gatewayPort = 0;
  let userDir = '';
  let demo: ChildProcess | undefined;
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let comms: WebSocket | undefined;
  const debug: Debug[] = [];
  const statuses = new Map<string, { text?: string; fill?: string }>();
  const shown = (): string => `demo output:\n${output.slice(-6000)}`;

  function press(id: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: `/inject/${id}`, method: 'POST' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  async function pressed(name: string, tab?: string): Promise<void> {
    const id = idOf({ type: 'inject', name, ...(tab === undefined ? {} : { tab }) });
    assert.equal(await press(id), 200, `POST /inject for "${name}"`);
  }

  const from = (name: string, tab?: string): Debug[] => {
    const id = idOf({ type: 'debug', name, ...(tab === undefined ? {} : { tab }) });
    return debug.filter((d) => d.id === id);
  };

  before(async function () {
    this.timeout(300_000);
    port = await freePort();
    assert.notEqual(port, 1880, 'never the port of a Node-RED people use');
    gatewayPort = await freeUdpPort();
    userDir = mkdtempSync(join(tmpdir(), 'senfed-demo-test-'));
    demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...BED_ENV,
        PORT: String(port),
        SENFED_DEMO_DIR: userDir,
        SENFED_DEMO_GATEWAY_PORT: String(gatewayPort),
        SENFED_DEMO_FROST_DIR: FROST_DIR,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.on('exit', (code, signal) => (exit = { code, signal }));
    await until(
      'the demo to say it is ready',
      280_000,
      () => /demo: Ctrl\+C stops/.test(output) || exit !== undefined,
      shown,
    );
    assert.equal(exit, undefined, `the demo ended early\n${shown()}`);
    assert.doesNotMatch(output, /NO FEDERATION/, `the test bed did not start\n${shown()}`);
    assert.doesNotMatch(output, /NO SENSORTHINGS/, `FROST did not start\n${shown()}`);

    comms = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    comms.on('message', (data: WebSocket.RawData) => {
      for (const { topic, data: body } of JSON.parse(String(data)) as {
        topic: string;
        data: any;
      }[]) {
        if (topic === 'debug') {
          let msg: unknown = body.msg;
          try {
            msg = JSON.parse(body.msg as string);
          } catch {
            // a string payload stays as it is
          }
          debug.push({ id: body.id, name: body.name, topic: body.topic, msg });
        } else if (topic.startsWith('status/')) {
          statuses.set(topic.slice('status/'.length), body ?? {});
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      comms!.once('open', () => resolve());
      comms!.once('error', reject);
    });
    comms.send(JSON.stringify({ subscribe: 'debug' }));
    comms.send(JSON.stringify({ subscribe: 'status/#' }));
  });

  after(async function () {
    this.timeout(60_000);
    comms?.close();
    if (demo && exit === undefined) {
      demo.kill('SIGINT');
      await until('the demo to stop', 30_000, () => exit !== undefined).catch(() =>
        demo?.kill('SIGKILL'),
      );
    }
    await federationSh('stop');
    await frostSh('stop').catch(() => undefined);
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('starts its test bed and deploys the examples, then says on one line per tab what to click, and that Ctrl+C stops it', () => {
    assert.doesNotMatch(output, /NO FEDERATION/, shown());
    assert.match(
      output,
      new RegExp(
        `demo: ready at http://127\\.0\\.0\\.1:${port}/ with ${EXAMPLES.join(', ').replace(/\./g, '\\.')}`,
      ),
    );
    assert.match(
      output,
      new RegExp(
        `sen1\\.test on ${BED_ENV.SENFED_SEN1_ADDRESS.replace(/\./g, '\\.')}, sen2\\.test on ${BED_ENV.SENFED_SEN2_ADDRESS.replace(/\./g, '\\.')}`,
      ),
    );
    assert.match(output, /demo: Ctrl\+C stops Node-RED and the test bed, then FROST/);
    assert.match(
      output,
      new RegExp(
        `demo: FROST-Server \\(SensorThings\\) at ${frostInfo().serviceRoot.replace(/\./g, '\\.')}`,
      ),
    );
    const injects = new Set(FLOW.filter((n) => n.type === 'inject').map((n) => n.name as string));
    for (const tab of FLOW.filter((n) => n.type === 'tab')) {
      const lines = output
        .split('\n')
        .filter((line) => line.startsWith(`  ${tab.label as string} `));
      assert.equal(lines.length, 1, `one line for the tab ${tab.label}`);
      for (const [, button] of lines[0].matchAll(/"([^"]+)"/g))
        assert.ok(
          injects.has(button),
          `the line of ${tab.label} names a button that exists: "${button}"`,
        );
    }
  });

  it('asks no remote palette catalogue: the editor works offline', async () => {
    const settings = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/settings', headers: { 'Node-RED-API-Version': 'v2' } },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(
      (JSON.parse(settings) as { editorTheme?: { palette?: { catalogues?: unknown } } }).editorTheme
        ?.palette?.catalogues,
      [],
      settings.slice(0, 300),
    );
  });

  it('the buoy pack published on sen1 arrives on the sen2 tab as a PubSub item and as a Quoalise message, with no command typed', async () => {
    const subscribe = idOf({ type: 'federation-subscribe', tab: 'Federation: subscribe' });
    await until(
      "bob's subscription to buoy",
      30_000,
      () => statuses.get(subscribe)?.text === 'subscribed',
      () => JSON.stringify([...statuses]),
    );
    await pressed('buoy readings', 'Federation: publish');
    await until(
      'the pack on both tabs',
      15_000,
      () =>
        from('resolved pack', 'Federation: publish').length === 1 &&
        from('from sen1.test').length === 2,
      () => JSON.stringify(debug),
    );
    const [pack] = from('resolved pack', 'Federation: publish').map(
      (d) => d.msg as { n: string; u: string; v: number }[],
    );
    assert.deepEqual(
      pack.map((r) => [r.n, r.u, r.v]),
      [
        ['urn:dev:mac:0024befffe804ff1:temperature', 'Cel', 18.2],
        ['urn:dev:mac:0024befffe804ff1:salinity', '/', 0.0351],
        ['urn:dev:mac:0024befffe804ff1:battery', '%EL', 87],
      ],
    );
    const received = from('from sen1.test');
    assert.deepEqual(received.map((d) => d.topic).sort(), ['buoy', 'quoalise']);
    for (const { msg } of received) assert.deepEqual(msg.payload, pack);
    assert.equal(received.find((d) => d.topic === 'buoy')!.msg.service, 'pubsub.sen1.test');
    assert.deepEqual(received.find((d) => d.topic === 'quoalise')!.msg.meta.source, {
      device: 'urn:dev:mac:0024befffe804ff1',
      kind: 'sea buoy',
    });
    assert.equal(
      from('msg.error', 'Federation: publish').length +
        from('msg.error', 'Federation: subscribe').length,
      0,
      JSON.stringify(debug),
    );
  });

  it('get_history brings the readings of the last 24 hours from sen1 to the sen2 tab', async () => {
    const requester = idOf({ type: 'federation-request', tab: 'Federation: request' });
    await until(
      "the consumer's account online",
      30_000,
      () => statuses.get(requester)?.fill === 'green',
      () => JSON.stringify([...statuses]),
    );
    await until(
      "the provider's account online",
      30_000,
      () =>
        statuses.get(idOf({ type: 'federation-provide', tab: 'Federation: provide' }))?.fill ===
        'green',
      () => JSON.stringify([...statuses]),
    );
    await pressed('get_history: last 24 hours');
    await until(
      'the answer',
      30_000,
      () => from('answer', 'Federation: request').length === 1,
      () => JSON.stringify(debug),
    );
    const { msg } = from('answer', 'Federation: request')[0];
    assert.equal(msg.command, 'get_history');
    const records = msg.payload as { n: string; u: string; v: number; t: number }[];
    assert.ok(
      records.length >= 48 && records.length <= 49,
      `a reading every 30 minutes, got ${records.length}`,
    );
    for (const r of records)
      assert.deepEqual([r.n, r.u, typeof r.v], [IDENTIFIER, 'Cel', 'number']);
    assert.ok(
      records[records.length - 1].t <= Date.now() / 1000 &&
        records[0].t >= Date.now() / 1000 - 86_400 - 60,
    );
  });

  it('after subscribe, a new reading on the sen1 tab is pushed to the sen2 tab', async () => {
    await pressed('subscribe');
    await until(
      'the answer to subscribe',
      30_000,
      () => from('answer', 'Federation: request').some((d) => d.msg.command === 'subscribe'),
      () => JSON.stringify(debug),
    );
    await pressed('new reading');
    await until(
      'the pushed reading',
      15_000,
      () => from('pushed readings', 'Federation: request').length === 1,
      () => JSON.stringify(debug),
    );
    const { topic, msg } = from('pushed readings', 'Federation: request')[0];
    assert.equal(topic, 'quoalise');
    assert.equal(msg.from, 'provider@sen1.test/node-red');
    assert.deepEqual(
      (msg.payload as { n: string; u: string }[]).map((r) => [r.n, r.u]),
      [[IDENTIFIER, 'Cel']],
    );
    assert.equal(
      from('msg.error, msg.xmppError').length + from('msg.error', 'Federation: provide').length,
      0,
      JSON.stringify(debug),
    );
  });

  it('consent: refused without it, hourly means with a valid proof once granted, nothing once withdrawn', async () => {
    const ADVISOR = 'Consent: advisor';
    await pressed('ask for the last two hours');
    await until(
      'the refusal',
      30_000,
      () => from('refused', ADVISOR).length === 1,
      () => JSON.stringify(debug),
    );
    assert.equal(
      (from('refused', ADVISOR)[0].msg.xmppError as { condition: string }).condition,
      'not-authorized',
    );
    await pressed('grant: hourly means to the advisor');
    await until('the grant', 15_000, () => from('consents', 'Consent: household').length === 1);
    await pressed('ask for the last two hours');
    await until('the answer', 30_000, () => from('answer', ADVISOR).length === 1);
    const { msg } = from('answer', ADVISOR)[0];
    assert.equal((msg.payload as unknown[]).length, 2, 'two hourly means');
    assert.deepEqual(msg.proof, { valid: true, problems: [] });
    await pressed('meter reading');
    await until('the push', 15_000, () => from('pushed readings', ADVISOR).length === 1);
    await pressed('withdraw (dashboard button)');
    await until(
      'the withdrawal',
      15_000,
      () => from('consents', 'Consent: household').length === 2,
    );
    await pressed('meter reading');
    await until(
      'withheld',
      15_000,
      () => from('withheld, and why', 'Consent: household').length === 1,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(from('pushed readings', ADVISOR).length, 1, 'nothing after the withdrawal');
    assert.equal(from('msg.error', 'Consent: household').length, 0, JSON.stringify(debug));
  });

  it('the LoRa tabs: a frame decoded and its replay refused, a packet forwarder datagram, network-server uplinks on its Mosquitto', async () => {
    const URN = 'urn:dev:eui64:0004a30b001c4a2f:';
    // LoRaWAN decode's debug shows msg.payload, the two others the whole message.
    const readings = (tab: string) =>
      from('readings', tab).map((d) => (Array.isArray(d.msg) ? d.msg : d.msg.payload));
    await pressed('LPP frame');
    await until('the LPP readings', 15_000, () => readings('LoRaWAN decode').length === 1);
    assert.deepEqual(
      (readings('LoRaWAN decode')[0] as { n: string; v: number }[]).map((r) => [r.n, r.v]),
      [
        [`${URN}3/temperature`, 21.5],
        [`${URN}4/voltage`, 3.71],
      ],
    );
    await pressed('replayed frame');
    await until('the refusal', 15_000, () => from('why', 'LoRaWAN decode').length === 1);
    await pressed('packet forwarder PUSH_DATA');
    await until('the gateway readings', 15_000, () => readings('LoRa gateway').length === 1);
    assert.equal(from('readings', 'LoRa gateway')[0].msg.lora.rssi, -67);
    // mqtt in on the demo's own broker: connected, as users see it under the node.
    const mqttIn = idOf({ type: 'mqtt in', tab: 'LoRaWAN network server' });
    await until(
      'mqtt in connected',
      15_000,
      () => statuses.get(mqttIn)?.fill === 'green',
      () => JSON.stringify(statuses.get(mqttIn)),
    );
    await pressed('ChirpStack up event');
    await pressed('TTS uplink');
    await until('two uplinks', 15_000, () => readings('LoRaWAN network server').length === 2);
    assert.match(output, /demo: Mosquitto for the network-server example on 127\.0\.0\.1:\d+/);
  });

  it('stores the buoy readings in its FROST-Server: one Thing, its Datastreams, the Observations', async () => {
    const out = idOf({ type: 'sensorthings-out', tab: 'SensorThings: buoy' });
    await pressed('buoy readings', 'SensorThings: buoy');
    let things: any = { value: [] };
    const observations = (): unknown[] =>
      things.value.flatMap((thing: any) =>
        thing.Datastreams.flatMap((d: any) => d.Observations as unknown[]),
      );
    const end = Date.now() + 30_000;
    while (observations().length < 2 && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      things = await frostGet('/Things?$expand=Datastreams($expand=Observations)');
    }
    assert.equal(things.value.length, 1, JSON.stringify(things));
    assert.ok(observations().length >= 2, JSON.stringify(things));
    await until(
      'sensorthings out to say all is stored',
      10_000,
      () => statuses.get(out)?.text === 'all stored' && statuses.get(out)?.fill === 'green',
      () => JSON.stringify(statuses.get(out)),
    );
    assert.equal(from('why', 'SensorThings: buoy').length, 0, 'no error caught');
  });

  it('Ctrl+C stops Node-RED, then the test bed', async () => {
    demo!.kill('SIGINT');
    await until('the demo to stop', 30_000, () => exit !== undefined, shown);
    assert.deepEqual(exit, { code: 0, signal: null }, shown());
    assert.match(output, /demo: stopping the federation test bed/);
    const status = await federationSh('status');
    assert.notEqual(status.code, 0, status.output);
    assert.match(status.output, /sen1\.test: stopped\nsen2\.test: stopped/);
    assert.match(output, /demo: stopping the FROST-Server/);
    assert.notEqual((await frostSh('status')).code, 0, 'FROST stopped');
  });
});
